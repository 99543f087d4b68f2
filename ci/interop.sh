#!/usr/bin/env bash
# Interop test: the Linux kernel as the peer of the `stack` example.
#
# Creates a private network namespace (ftcp-ci-$$) with a TAP interface in
# it, gives the kernel side 10.77.0.1/24 and fd00:77::1/64, runs the release
# `stack` example inside the namespace on that TAP (10.77.0.2, fd00:77::2),
# and checks with the kernel's own tools:
#
#   * the first echo to a cold ARP / ND cache is answered (ping -c 1 -W 2)
#   * ping -c 5 and ping -6 -c 5: every reply
#   * ping -s 4000 both families (reassembly and fragmentation both ways)
#   * UDP echo (port 7) of a 1600-byte datagram with socat, both families,
#     byte for byte, and our reply went out in fragments
#   * UDP daytime (13) returns a line; UDP discard (9) answers nothing
#   * the stack exits cleanly on SIGINT and prints its counters
#   * tshark over the capture: no malformed frame, no bad checksum
#   * nstat: the kernel's *InCsumErrors counters did not move
#
# Prints one PASS/FAIL line per check, then `interop: N passed, M failed`,
# and exits non-zero on any failure. Traffic never leaves the namespace.
#
# Needs root (namespaces, TAP). Not root: skipped, exit 0. Tools (installed
# by ci/install-deps.sh, not here): ip and nstat (iproute2), ping
# (iputils-ping), socat, tcpdump, tshark. A missing tool skips the test,
# except under CI=true, where it fails.
#
#   ci/interop.sh                 build the example (release) and run
#   STACK_BIN=path ci/interop.sh  use an already built binary
#   KEEP=1 ci/interop.sh          keep the work directory (logs, pcap)
set -uo pipefail
cd "$(dirname "$0")/.."

say() { printf '== interop: %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
    echo "interop: skipped: needs root (network namespace + TAP); run as root, e.g. sudo ci/interop.sh"
    exit 0
fi

missing=()
for tool in ip nstat ping socat tcpdump tshark cmp timeout; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
    msg="missing tools: ${missing[*]} (ci/install-deps.sh installs them: iproute2 iputils-ping socat tcpdump tshark)"
    if [ "${CI:-}" = true ]; then
        echo "interop: FAIL: $msg"
        exit 1
    fi
    echo "interop: skipped: $msg"
    exit 0
fi

NS="ftcp-ci-$$"
TAP=ftcp0
KERNEL4=10.77.0.1
KERNEL6=fd00:77::1
STACK4=10.77.0.2
STACK6=fd00:77::2
WORK=$(mktemp -d /tmp/ftcp-interop.XXXXXX)
PCAP="$WORK/capture.pcap"
STACK_LOG="$WORK/stack.log"
stack_pid=""
tcpdump_pid=""
passed=0
failed=0

cleanup() {
    # Only the processes this script started, by PID.
    if [ -n "$tcpdump_pid" ] && kill -0 "$tcpdump_pid" 2>/dev/null; then
        kill "$tcpdump_pid" 2>/dev/null
        wait "$tcpdump_pid" 2>/dev/null
    fi
    if [ -n "$stack_pid" ] && kill -0 "$stack_pid" 2>/dev/null; then
        kill "$stack_pid" 2>/dev/null
        wait "$stack_pid" 2>/dev/null
    fi
    ip netns del "$NS" 2>/dev/null
    if [ "${KEEP:-}" = 1 ] || [ "$failed" != 0 ]; then
        say "logs and capture kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns() { ip netns exec "$NS" "$@"; }

pass() {
    echo "PASS $1"
    passed=$((passed + 1))
}

fail() {
    echo "FAIL $1${2:+: $2}"
    failed=$((failed + 1))
}

# check NAME COMMAND...: PASS when COMMAND succeeds; its output goes to
# $WORK/NAME.log and, on failure, to the screen.
check() {
    local name=$1
    shift
    local log="$WORK/${name//[^A-Za-z0-9_.-]/_}.log"
    if "$@" >"$log" 2>&1; then
        pass "$name"
    else
        fail "$name" "$(tail -n 3 "$log" | tr '\n' ' ')"
    fi
}

finish() {
    echo "interop: $passed passed, $failed failed"
    if [ "$failed" = 0 ]; then exit 0; else exit 1; fi
}

# ---- build ----------------------------------------------------------------

if [ -z "${STACK_BIN:-}" ]; then
    say "building the stack example (release)"
    if ! cargo build --release --example stack >"$WORK/build.log" 2>&1; then
        tail -n 30 "$WORK/build.log"
        fail "build" "cargo build --release --example stack"
        finish
    fi
    target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null |
        grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)
    STACK_BIN="${target_dir:-target}/release/examples/stack"
fi
if [ ! -x "$STACK_BIN" ]; then
    fail "build" "no executable at $STACK_BIN"
    finish
fi

# ---- topology ---------------------------------------------------------------

say "namespace $NS, tap $TAP"
setup_ns() {
    ip netns add "$NS" &&
    ip -n "$NS" link set lo up &&
    # Kernel side: no DAD, no RA, no autoconf, no router solicitations
    # (set on `default` first so the tap inherits them, then on the tap).
    for conf in default; do
        ns sysctl -qw "net.ipv6.conf.$conf.accept_dad=0" \
            "net.ipv6.conf.$conf.accept_ra=0" \
            "net.ipv6.conf.$conf.autoconf=0" \
            "net.ipv6.conf.$conf.router_solicitations=0" || return 1
    done &&
    # ping as root uses ICMP datagram sockets only when its group is in
    # the range; a raw socket would count replies with bad checksums.
    ns sysctl -qw net.ipv4.ping_group_range="0 2147483647" &&
    ip -n "$NS" tuntap add dev "$TAP" mode tap &&
    ns sysctl -qw "net.ipv6.conf.$TAP.accept_dad=0" \
        "net.ipv6.conf.$TAP.accept_ra=0" \
        "net.ipv6.conf.$TAP.autoconf=0" \
        "net.ipv6.conf.$TAP.router_solicitations=0" &&
    ip -n "$NS" addr add "$KERNEL4/24" dev "$TAP" &&
    ip -n "$NS" addr add "$KERNEL6/64" dev "$TAP" nodad &&
    ip -n "$NS" link set "$TAP" up
}
if ! setup_ns >"$WORK/setup.log" 2>&1; then
    cat "$WORK/setup.log"
    fail "setup" "namespace/tap"
    finish
fi

# Capture from the start (the kernel side of the tap sees both
# directions).
# Background processes are started with `ip netns exec` directly (it execs
# the program), never through the `ns` function: `$!` must be the PID of
# the program itself, not of a subshell that would swallow our signals.
ip netns exec "$NS" tcpdump -i "$TAP" -U --immediate-mode -s 0 -n -Z root -w "$PCAP" \
    2>"$WORK/tcpdump.log" &
tcpdump_pid=$!
for _ in $(seq 50); do
    grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break
    sleep 0.1
done

csum_errors() {
    ns nstat -asz 2>/dev/null | awk '$1 ~ /InCsumErrors$/ {print $1, $2}' | sort
}
csum_before=$(csum_errors)

# ---- the stack ----------------------------------------------------------------

say "starting $STACK_BIN"
ip netns exec "$NS" "$STACK_BIN" --tap "$TAP" --ip4 "$STACK4/24" --gw4 "$KERNEL4" \
    --ip6 "$STACK6/64" --gw6 "$KERNEL6" --mac 02:77:00:00:00:02 --seed 7 -v \
    >"$STACK_LOG" 2>&1 &
stack_pid=$!

ready=0
for _ in $(seq 200); do
    if grep -q '^ready' "$STACK_LOG" 2>/dev/null; then
        ready=1
        break
    fi
    kill -0 "$stack_pid" 2>/dev/null || break
    sleep 0.1
done
if [ "$ready" = 1 ]; then
    pass "stack prints ready"
else
    fail "stack prints ready" "$(tail -n 5 "$STACK_LOG" | tr '\n' ' ')"
    finish
fi
carrier=0
for _ in $(seq 50); do
    if ip -n "$NS" -o link show "$TAP" | grep -q LOWER_UP; then
        carrier=1
        break
    fi
    sleep 0.1
done
if [ "$carrier" = 1 ]; then pass "tap has carrier"; else fail "tap has carrier"; fi

# ---- checks -------------------------------------------------------------------

# ping_all FAMILY COUNT ARGS...: every echo answered.
ping_all() {
    local fam=$1 count=$2
    shift 2
    local out
    out=$(ns ping "$fam" -n -c "$count" -i 0.2 -W 2 "$@" 2>&1)
    echo "$out"
    echo "$out" | grep -q " $count received, 0% packet loss"
}

cold_ping() {
    local fam=$1 dst=$2
    ip -n "$NS" "$fam" neigh flush dev "$TAP" &&
    ! ip -n "$NS" "$fam" neigh show dev "$TAP" | grep -q . &&
    ns ping "$fam" -n -c 1 -W 2 "$dst"
}

check "first ping, cold ARP cache (ping -c 1 -W 2)" cold_ping -4 "$STACK4"
check "first ping -6, cold ND cache (ping -6 -c 1 -W 2)" cold_ping -6 "$STACK6"
check "ping -c 5" ping_all -4 5 "$STACK4"
check "ping -6 -c 5" ping_all -6 5 "$STACK6"
check "ping -s 4000 (fragments both ways)" ping_all -4 3 -s 4000 "$STACK4"
check "ping -6 -s 4000 (fragments both ways)" ping_all -6 3 -s 4000 "$STACK6"

head -c 1600 /dev/urandom >"$WORK/udp-1600.bin"
# udp_echo ADDR: a 1600-byte datagram to port 7 comes back identical.
udp_echo() {
    local peer=$1 out="$WORK/udp-echo-reply.$RANDOM.bin"
    ns timeout 10 socat -b 65536 -t 3 -T 5 STDIO "$peer" <"$WORK/udp-1600.bin" >"$out" || return 1
    echo "reply: $(wc -c <"$out") bytes"
    cmp "$WORK/udp-1600.bin" "$out"
}
check "udp echo 1600 bytes (socat, IPv4)" udp_echo "UDP4:$STACK4:7"
check "udp echo 1600 bytes (socat, IPv6)" udp_echo "UDP6:[$STACK6]:7"

daytime() {
    local out
    out=$(echo | ns timeout 10 socat -t 3 -T 5 STDIO "$1") || return 1
    echo "daytime: $out"
    [ -n "$(echo "$out" | tr -d '[:space:]')" ]
}
check "udp daytime returns a line (IPv4)" daytime "UDP4:$STACK4:13"
check "udp daytime returns a line (IPv6)" daytime "UDP6:[$STACK6]:13"

# Discard: the stack logs the datagram (-v), nothing comes back, and no
# port unreachable either (a connected UDP socket would report
# ECONNREFUSED and socat would fail).
discard() {
    local out before after
    before=$(grep -c '^discard: 11 bytes' "$STACK_LOG")
    out=$(echo discard-me | ns timeout 10 socat -t 1 -T 2 STDIO "$1") || return 1
    after=$(grep -c '^discard: 11 bytes' "$STACK_LOG")
    echo "reply: '$out'; discard log lines $before -> $after"
    [ -z "$out" ] && [ "$after" -gt "$before" ]
}
check "udp discard answers nothing (IPv4)" discard "UDP4:$STACK4:9"
check "udp discard answers nothing (IPv6)" discard "UDP6:[$STACK6]:9"

# ---- shutdown -------------------------------------------------------------------

stop_stack() {
    kill -INT "$stack_pid" 2>/dev/null || return 1
    local rc
    for _ in $(seq 50); do
        kill -0 "$stack_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$stack_pid" 2>/dev/null; then
        echo "still running 5 s after SIGINT"
        return 1
    fi
    wait "$stack_pid"
    rc=$?
    stack_pid=""
    echo "exit status $rc"
    [ "$rc" = 0 ] && grep -q '^counters:' "$STACK_LOG"
}
check "stack exits 0 on SIGINT and prints counters" stop_stack

sleep 0.5
kill "$tcpdump_pid" 2>/dev/null
wait "$tcpdump_pid" 2>/dev/null
tcpdump_pid=""

# ---- oracles --------------------------------------------------------------------

frames=$(tshark -n -r "$PCAP" 2>/dev/null | wc -l)
tshark_clean() {
    local bad
    echo "frames captured: $frames"
    [ "$frames" -gt 0 ] || return 1
    # stderr apart: tshark warns about running as root there.
    bad=$(tshark -n -2 -r "$PCAP" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
        -o udp.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= warning' \
        2>"$WORK/tshark.err") || { cat "$WORK/tshark.err"; return 1; }
    echo "$bad"
    [ -z "$bad" ]
}
check "tshark: no malformed frame, no bad checksum" tshark_clean

# Our replies really were fragmented (IPv4 MF, IPv6 Fragment header).
our_fragments() {
    local v4 v6
    v4=$(tshark -n -r "$PCAP" -Y "ip.src == $STACK4 && ip.flags.mf == 1" 2>/dev/null | wc -l)
    v6=$(tshark -n -r "$PCAP" -Y "ipv6.src == $STACK6 && ipv6.fragment" 2>/dev/null | wc -l)
    echo "first/middle fragments from the stack: IPv4 $v4, IPv6 $v6"
    [ "$v4" -gt 0 ] && [ "$v6" -gt 0 ]
}
check "the stack fragmented its large replies" our_fragments

csum_after=$(csum_errors)
nstat_unchanged() {
    echo "before: $csum_before"
    echo "after:  $csum_after"
    [ -n "$csum_after" ] && [ "$csum_before" = "$csum_after" ]
}
check "nstat: *InCsumErrors unchanged" nstat_unchanged

if [ "$failed" != 0 ]; then
    say "stack log (last 40 lines):"
    tail -n 40 "$STACK_LOG" >&2
fi
finish
