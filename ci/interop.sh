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
#   * TCP echo (7): 10 MB of random bytes with socat, IPv4 and IPv6,
#     compared byte for byte; eight concurrent 1 MB echoes (twice the
#     listeners kept armed per port)
#   * TCP daytime (13) returns a line and closes, both families; TCP
#     discard (9) takes 1 MB and answers nothing; TCP chargen (19) sends the
#     RFC 864 pattern
#   * the stack exits cleanly on SIGINT and prints its counters
#   * the tcp_echo_client example (ferrotcp active open and close) against
#     a kernel `socat TCP6-LISTEN:7007,fork EXEC:cat` echo server, 10 MB,
#     IPv4 and IPv6, on the same TAP after the stack has stopped (not
#     socat's PIPE echo: that one deadlocks itself, see client_echo)
#   * tshark over the capture: no malformed frame, no bad checksum, no
#     expert warning except TCP flow control (window full, zero window)
#     and, when tcpdump reports drops, capture holes; no RST at all (tcp.flags.reset==1), except chargen's:
#     a chargen client always closes with unread data, and the kernel then
#     resets (RFC 2525 §2.17), so port 19 is left out of both filters
#   * nstat: the kernel's *InCsumErrors counters did not move
#   * loss: a second namespace where the kernel's address sits on a veth
#     whose peer is bridged with the TAP; nftables `netdev` ingress rules
#     drop N% at random on the TAP (stack -> kernel) and on the bridge port
#     (kernel -> stack), invisible to both senders. By default a 1 MB echo
#     must come back intact at 5% (IPv4, IPv6; ~5-10 s each); with LOSS=1
#     the 10 MB echo at 5% (IPv4, IPv6; 20-35 s each) and 1 MB at 20%
#     (IPv4; 55-95 s; LOSS_BYTES sets the size); each run prints its time;
#     tshark there counts only malformed frames, bad checksums and
#     error-level findings
#
# Prints one PASS/FAIL line per check, then `interop: N passed, M failed`,
# and exits non-zero on any failure. Traffic never leaves the namespace.
#
# Needs root (namespaces, TAP). Not root: skipped, exit 0. Tools (installed
# by ci/install-deps.sh, not here): ip and nstat (iproute2), ping
# (iputils-ping), socat, tcpdump, tshark, nft (nftables; without it only
# the loss runs are skipped). A missing tool skips the test, except under
# CI=true, where it fails.
#
#   ci/interop.sh                 build the examples (release) and run
#   STACK_BIN=path CLIENT_BIN=path ci/interop.sh
#                                 use already built binaries
#   KEEP=1 ci/interop.sh          keep the work directory (logs, pcaps)
#   LOSS=0 ci/interop.sh          skip the loss runs
#   LOSS=1 ci/interop.sh          the heavy loss runs (10 MB at 5%, 20%)
#   LOSS_BYTES=N ci/interop.sh    size of the 20% loss echo (default 1 MB)
#   LOSS_LIMIT=S ci/interop.sh    time limit of the 20% loss echo (300 s)
#   CLIENT=0 ci/interop.sh        skip the tcp_echo_client checks
#   ONLY=client ci/interop.sh     only the tcp_echo_client checks (and the
#                                 capture oracles over them), no stack
#   CLIENT_RUNS=N ci/interop.sh   run each tcp_echo_client check N times
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
NSL="ftcp-loss-$$"
TAP=ftcp0
KERNEL4=10.77.0.1
KERNEL6=fd00:77::1
STACK4=10.77.0.2
STACK6=fd00:77::2
CLIENT4=10.77.0.3
CLIENT6=fd00:77::3
# The loss topology.
LTAP=ftcpl0
LKERNEL4=10.79.0.1
LKERNEL6=fd00:79::1
LSTACK4=10.79.0.2
LSTACK6=fd00:79::2
WORK=$(mktemp -d /tmp/ftcp-interop.XXXXXX)
PCAP="$WORK/capture.pcap"
STACK_LOG="$WORK/stack.log"
stack_pid=""
tcpdump_pid=""
socat_pid=""
passed=0
failed=0
start_time=$(date +%s)

cleanup() {
    # Only the processes this script started, by PID.
    for pid in "$tcpdump_pid" "$stack_pid" "$socat_pid"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
        fi
    done
    ip netns del "$NS" 2>/dev/null
    ip netns del "$NSL" 2>/dev/null
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
# $WORK/NAME.log and, on failure, to the screen. A line `NOTE: text` in
# that output is shown after PASS (measurements).
check() {
    local name=$1
    shift
    local log="$WORK/${name//[^A-Za-z0-9_.-]/_}.log" note
    if "$@" >"$log" 2>&1; then
        note=$(grep '^NOTE: ' "$log" | tail -n 1 | cut -c7-)
        pass "$name${note:+ [$note]}"
    else
        fail "$name" "$(tail -n 3 "$log" | tr '\n' ' ')"
    fi
}

finish() {
    echo "interop: $passed passed, $failed failed in $(($(date +%s) - start_time)) s"
    if [ "$failed" = 0 ]; then exit 0; else exit 1; fi
}

# ---- build ----------------------------------------------------------------

if [ -z "${STACK_BIN:-}" ] || [ -z "${CLIENT_BIN:-}" ]; then
    say "building the stack and tcp_echo_client examples (release)"
    if ! cargo build --release --example stack --example tcp_echo_client \
        >"$WORK/build.log" 2>&1; then
        tail -n 30 "$WORK/build.log"
        fail "build" "cargo build --release --example stack --example tcp_echo_client"
        finish
    fi
    target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null |
        grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)
    STACK_BIN="${STACK_BIN:-${target_dir:-target}/release/examples/stack}"
    CLIENT_BIN="${CLIENT_BIN:-${target_dir:-target}/release/examples/tcp_echo_client}"
fi
for bin in "$STACK_BIN" "$CLIENT_BIN"; do
    if [ ! -x "$bin" ]; then
        fail "build" "no executable at $bin"
        finish
    fi
done

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
    # The tap's queue towards the stack holds what the kernel sends until
    # the stack reads it. The concurrent echoes can have 8 x 128 KiB
    # windows of data in flight towards the stack (about 725 full frames)
    # plus the kernel's ACKs of the echoed data: more than a tap's default
    # queue (1000 frames; 500 on older kernels), and frames dropped there
    # make the kernel retransmit on a link these checks treat as
    # loss-free. 4096 frames cover every window; the drops that remain are
    # reported (frames sent before the stack opened the tap, e.g.).
    ip -n "$NS" link set "$TAP" txqueuelen 4096 &&
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
ip netns exec "$NS" tcpdump -i "$TAP" -U --immediate-mode -B 131072 -s 0 -n -Z root -w "$PCAP" \
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

# ONLY=client: straight to the client checks (the `if` ends after the
# stack's shutdown check; the block is not indented to keep it readable
# in diffs).
if [ "${ONLY:-}" != client ]; then
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

# ---- TCP services -------------------------------------------------------------

head -c 10000000 /dev/urandom >"$WORK/tcp-10m.bin"
head -c 1000000 /dev/urandom >"$WORK/tcp-1m.bin"

# elapsed T0: seconds since T0 (date +%s.%N), two decimals.
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

# tcp_echo PEER FILE [LIMIT]: FILE through the echo service at PEER (a
# socat address) comes back identical within LIMIT seconds (default 60).
# -t: after the file's end, wait up to LIMIT for the rest of the echo
# (socat's default of 0.5 s would cut a slow echo short).
tcp_echo() {
    local peer=$1 in=$2 limit=${3:-60} t0 out="$WORK/tcp-echo-reply.$RANDOM.bin" size
    t0=$(date +%s.%N)
    ns timeout "$limit" socat -b 65536 -t "$limit" -T "$limit" STDIO "$peer" <"$in" >"$out" ||
        echo "socat: exit status $?"
    local secs
    secs=$(elapsed "$t0")
    size=$(wc -c <"$in")
    echo "reply: $(wc -c <"$out") of $size bytes in $secs s"
    cmp "$in" "$out" || return 1
    rm -f "$out"
    echo "NOTE: $secs s, $(awk -v n="$size" -v t="$secs" 'BEGIN { printf "%.1f", n * 8 / t / 1e6 }') Mbit/s each way"
}
check "tcp echo 10 MB (socat, IPv4)" tcp_echo "TCP4:$STACK4:7" "$WORK/tcp-10m.bin"
check "tcp echo 10 MB (socat, IPv6)" tcp_echo "TCP6:[$STACK6]:7" "$WORK/tcp-10m.bin"

# Eight connections at once (twice the listeners kept armed per port),
# opened 0.1 s apart (a burst of SYNs beyond the armed listeners in one
# poll would be refused: one socket per connection), then all send 1 MB
# at the same moment.
tcp_echo_concurrent() {
    local i pids=() rc=0 before after go
    before=$(grep -c '^tcp echo: accepted' "$STACK_LOG")
    go=$(($(date +%s) + 2))
    for i in 1 2 3 4 5 6 7 8; do
        { while [ "$(date +%s)" -lt "$go" ]; do sleep 0.05; done; cat "$WORK/tcp-1m.bin"; } |
            ns timeout 30 socat -b 65536 -t 20 -T 20 STDIO "TCP4:$STACK4:7" >"$WORK/conc.$i.bin" &
        pids+=($!)
        sleep 0.1
    done
    for i in "${pids[@]}"; do wait "$i" || rc=1; done
    for i in 1 2 3 4 5 6 7 8; do
        cmp "$WORK/tcp-1m.bin" "$WORK/conc.$i.bin" || rc=1
    done
    after=$(grep -c '^tcp echo: accepted' "$STACK_LOG")
    echo "connections accepted: $before -> $after"
    [ "$rc" = 0 ] && [ "$((after - before))" = 8 ]
}
check "tcp echo: 8 concurrent connections of 1 MB" tcp_echo_concurrent

# Daytime: one line, then the server closes (socat -u only reads, and
# exits on the server's FIN).
tcp_daytime() {
    local out t0 secs
    t0=$(date +%s.%N)
    out=$(ns timeout 10 socat -u "$1" STDOUT) || return 1
    secs=$(elapsed "$t0")
    echo "daytime: $out (closed by the server after $secs s)"
    [ -n "$(echo "$out" | tr -d '[:space:]')" ] && [ "$(echo "$out" | wc -l)" = 1 ]
}
check "tcp daytime: a line, then the server closes (IPv4)" tcp_daytime "TCP4:$STACK4:13"
check "tcp daytime: a line, then the server closes (IPv6)" tcp_daytime "TCP6:[$STACK6]:13"

# Discard: 1 MB in, nothing out, and the server closes after our FIN.
tcp_discard() {
    local out
    out=$(ns timeout 20 socat -b 65536 -t 10 STDIO "$1" <"$WORK/tcp-1m.bin") || return 1
    sleep 0.2
    echo "reply: '${out:0:40}'"
    grep "^tcp discard: .* ended: 1000000 bytes in, 0 bytes out" "$STACK_LOG" | tail -n 1
    [ -z "$out" ] && [ "$(grep -c "^tcp discard: .* ended: 1000000 bytes in, 0 bytes out$" "$STACK_LOG")" -ge "$2" ]
}
check "tcp discard: 1 MB in, nothing back (IPv4)" tcp_discard "TCP4:$STACK4:9" 1
check "tcp discard: 1 MB in, nothing back (IPv6)" tcp_discard "TCP6:[$STACK6]:9" 2

# Chargen: the first 1000 lines are RFC 864's pattern (72 printable
# characters from ' ' + line number, CR LF).
awk 'BEGIN { for (l = 0; l < 1000; l++) { s = ""; for (c = 0; c < 72; c++)
    s = s sprintf("%c", 32 + (l + c) % 95); printf "%s\r\n", s } }' >"$WORK/chargen.expected"
tcp_chargen() {
    ns timeout 10 socat -u "$1" STDOUT 2>/dev/null | head -c 74000 >"$WORK/chargen.out"
    echo "received $(wc -c <"$WORK/chargen.out") bytes"
    cmp "$WORK/chargen.expected" "$WORK/chargen.out"
}
check "tcp chargen: RFC 864 pattern (IPv4)" tcp_chargen "TCP4:$STACK4:19"
check "tcp chargen: RFC 864 pattern (IPv6)" tcp_chargen "TCP6:[$STACK6]:19"

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

# Header prediction (the receive fast path) took the kernel's in-order
# data: the two discard runs alone bring about 1,400 segments that qualify
# (the echo runs' segments mostly acknowledge echoed data: general path).
header_prediction() {
    local line hits segs
    line=$(grep -E '^  tcp +TcpCounters' "$STACK_LOG" | tail -n 1)
    echo "$line"
    hits=$(sed -nE 's/.*hp_hits: ([0-9]+).*/\1/p' <<<"$line")
    segs=$(sed -nE 's/.*in_segs: ([0-9]+).*/\1/p' <<<"$line")
    echo "NOTE: $hits of $segs segments taken by header prediction"
    [ -n "$hits" ] && [ "$hits" -ge 1000 ]
}
check "header prediction took the kernel's in-order data (hp_hits)" header_prediction
fi # ONLY != client

# ---- the TCP client example against a kernel echo server -----------------------

# On the same TAP, now free, as another host (10.77.0.3, fd00:77::3).
# The echo is `EXEC:cat`, not socat's `PIPE`: with PIPE one socat process
# writes into and reads from the same pipe, and a blocking write of its
# 8 KiB buffer into a pipe with only 4 KiB free never returns (nobody
# else drains the pipe). That happens whenever the socket's send side
# is not writable long enough for the socket-to-pipe direction to fill
# the pipe; the kernel then stops reading, its window closes (1 KiB, 0)
# and the transfer stalls with everything acknowledged (issue 4: one run
# in six; the socat child sat in anon_pipe_write, Send-Q 0). With EXEC,
# cat is a second process and socat only writes what select allows.
ip netns exec "$NS" socat TCP6-LISTEN:7007,ipv6only=0,reuseaddr,fork EXEC:cat \
    2>"$WORK/socat-server.log" &
socat_pid=$!
for _ in $(seq 50); do
    ns ss -ltnH 2>/dev/null | grep -q ':7007 ' && break
    sleep 0.1
done
client_echo() {
    local out="$WORK/client.$2.out" rc line
    ns timeout 120 "$CLIENT_BIN" --tap "$TAP" --ip4 "$CLIENT4/24" --ip6 "$CLIENT6/64" \
        --connect "$1" --bytes 10000000 --seed 11 --timeout 100 >"$out" 2>&1
    rc=$?
    cat "$out"
    echo "exit status $rc"
    line=$(grep -m 1 ' bytes sent, ' "$out")
    [ -n "$line" ] && echo "NOTE: ${line#* in }"
    return "$rc"
}
if [ "${CLIENT:-1}" = 1 ]; then
    for run in $(seq "${CLIENT_RUNS:-1}"); do
        suffix=""
        [ "${CLIENT_RUNS:-1}" = 1 ] || suffix=" run $run"
        check "tcp_echo_client 10 MB to kernel socat echo (IPv4)$suffix" client_echo "$KERNEL4:7007" "v4.$run"
        check "tcp_echo_client 10 MB to kernel socat echo (IPv6)$suffix" client_echo "[$KERNEL6]:7007" "v6.$run"
    done
else
    echo "SKIP tcp_echo_client checks (CLIENT=0)"
fi
kill "$socat_pid" 2>/dev/null
wait "$socat_pid" 2>/dev/null
socat_pid=""

sleep 0.5
kill "$tcpdump_pid" 2>/dev/null
wait "$tcpdump_pid" 2>/dev/null
tcpdump_pid=""
# Frames the tap dropped on the way to the stack (its queue was full):
# real loss on this link, which the kernel then retransmits.
tap_drops=$(ip -n "$NS" -s link show "$TAP" 2>/dev/null | awk '/TX:/{getline; print $4; exit}')
echo "NOTE: tap $TAP dropped ${tap_drops:-?} frames towards the stack (txqueuelen $(ns cat "/sys/class/net/$TAP/tx_queue_len" 2>/dev/null))"

# ---- oracles --------------------------------------------------------------------

frames=$(tshark -n -r "$PCAP" 2>/dev/null | wc -l)
tshark_clean() {
    local bad
    echo "frames captured: $frames"
    [ "$frames" -gt 0 ] || return 1
    # stderr apart: tshark warns about running as root there. Chargen
    # (port 19) apart: its clients always end with a RST. The 10 MB
    # echoes run at over 1 Gbit/s and tcpdump may lose frames; a capture
    # with holes shows "previous segment not captured" and "ACKed unseen
    # segment" of its own, so those two are left out (and said) when
    # tcpdump reports drops. Port 7007 is the kernel echo server's: its
    # random bytes must not be taken for Thrift by a heuristic.
    # Flow control is not an error: a bulk sender filling the receiver's
    # window ("window full", zero-window and its probes) is TCP working.
    local filter='(_ws.malformed || _ws.expert.severity >= warning) && !(tcp.port == 19)'
    filter="$filter && !tcp.analysis.window_full && !tcp.analysis.zero_window"
    filter="$filter && !tcp.analysis.zero_window_probe && !tcp.analysis.zero_window_probe_ack"
    # A D-SACK block (RFC 2883) answers a segment the kernel sent twice
    # (its tail loss probe, 10 ms after the original): Wireshark files it
    # as a warning, but reporting the duplicate is the receiver's job.
    filter="$filter && !tcp.options.sack.dsack"
    # A TCP checksum of 0xFFFF is as valid as 0x0000 (RFC 1624); Wireshark
    # flags it with its own message, and the kernel sends it now and then.
    # Only that message is left out: a wrong checksum gets another one.
    filter="$filter && !(tcp.checksum == 0xffff && _ws.expert.message == \"TCP Checksum 0xffff instead of 0x0000 (see RFC 1624)\")"
    local drops
    drops=$(grep -o '^[0-9]* packets dropped by kernel' "$WORK/tcpdump.log" | cut -d' ' -f1)
    if [ "${drops:-0}" != 0 ]; then
        echo "NOTE: tcpdump dropped $drops frames; capture-hole warnings left out"
        filter="$filter && !tcp.analysis.lost_segment && !tcp.analysis.ack_lost_segment"
    fi
    bad=$(tshark -n -2 -r "$PCAP" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
        -o udp.check_checksum:TRUE -d tcp.port==7007,echo -d tcp.port==9,data -Y "$filter" \
        2>"$WORK/tshark.err") || { cat "$WORK/tshark.err"; return 1; }
    echo "$bad"
    [ -z "$bad" ]
}
check "tshark: no malformed frame, no bad checksum, no warning" tshark_clean

no_rst() {
    local rst chargen
    rst=$(tshark -n -r "$PCAP" -Y 'tcp.flags.reset == 1 && !(tcp.port == 19)' 2>/dev/null)
    chargen=$(tshark -n -r "$PCAP" -Y 'tcp.flags.reset == 1 && tcp.port == 19' 2>/dev/null | wc -l)
    echo "$rst"
    echo "NOTE: $(tshark -n -r "$PCAP" -Y tcp 2>/dev/null | wc -l) TCP segments; chargen RSTs left out: $chargen"
    [ -z "$rst" ]
}
check "tshark: no RST (tcp.flags.reset==1)" no_rst

# Our replies really were fragmented (IPv4 MF, IPv6 Fragment header).
our_fragments() {
    local v4 v6
    v4=$(tshark -n -r "$PCAP" -Y "ip.src == $STACK4 && ip.flags.mf == 1" 2>/dev/null | wc -l)
    v6=$(tshark -n -r "$PCAP" -Y "ipv6.src == $STACK6 && ipv6.fragment" 2>/dev/null | wc -l)
    echo "first/middle fragments from the stack: IPv4 $v4, IPv6 $v6"
    [ "$v4" -gt 0 ] && [ "$v6" -gt 0 ]
}
[ "${ONLY:-}" = client ] || check "the stack fragmented its large replies" our_fragments

csum_after=$(csum_errors)
nstat_unchanged() {
    echo "before: $csum_before"
    echo "after:  $csum_after"
    [ -n "$csum_after" ] && [ "$csum_before" = "$csum_after" ]
}
check "nstat: *InCsumErrors unchanged" nstat_unchanged


# ---- loss: kernel address on a veth bridged with the TAP, nftables drops ------

nsl() { ip netns exec "$NSL" "$@"; }

setup_loss_ns() {
    ip netns add "$NSL" &&
    ip -n "$NSL" link set lo up &&
    nsl sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.accept_ra=0 \
        net.ipv6.conf.default.autoconf=0 net.ipv6.conf.default.router_solicitations=0 &&
    ip -n "$NSL" tuntap add dev "$LTAP" mode tap &&
    ip -n "$NSL" link add vk0 type veth peer name vb0 &&
    ip -n "$NSL" link add br0 type bridge stp_state 0 forward_delay 0 &&
    # Only the kernel's veth has addresses; the bridge and its ports are
    # silent layer-2 plumbing.
    for dev in br0 vb0 "$LTAP"; do
        nsl sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" || return 1
    done &&
    ip -n "$NSL" link set "$LTAP" master br0 &&
    ip -n "$NSL" link set vb0 master br0 &&
    ip -n "$NSL" addr add "$LKERNEL4/24" dev vk0 &&
    ip -n "$NSL" addr add "$LKERNEL6/64" dev vk0 nodad &&
    for dev in br0 vb0 vk0 "$LTAP"; do
        ip -n "$NSL" link set "$dev" up || return 1
    done &&
    # RFC-free plumbing: a netdev table whose ingress chains drop at
    # random; the counters say how much.
    nsl nft add table netdev loss &&
    nsl nft add chain netdev loss to_kernel "{ type filter hook ingress device $LTAP priority 0; }" &&
    nsl nft add chain netdev loss to_stack "{ type filter hook ingress device vb0 priority 0; }"
}

# set_loss PCT: drop PCT% of the frames in each direction (0: none).
set_loss() {
    nsl nft flush chain netdev loss to_kernel &&
    nsl nft flush chain netdev loss to_stack || return 1
    [ "$1" = 0 ] && return 0
    nsl nft add rule netdev loss to_kernel numgen random mod 100 lt "$1" counter drop &&
    nsl nft add rule netdev loss to_stack numgen random mod 100 lt "$1" counter drop
}

# dropped: the two rules' packet counters.
dropped() {
    local k s
    k=$(nsl nft list chain netdev loss to_kernel | grep -o 'packets [0-9]*' | cut -d' ' -f2)
    s=$(nsl nft list chain netdev loss to_stack | grep -o 'packets [0-9]*' | cut -d' ' -f2)
    echo "dropped ${k:-0} to the kernel, ${s:-0} to the stack"
}

# loss_echo PCT PEER FILE LIMIT: tcp_echo under PCT% loss each way.
loss_echo() {
    set_loss "$1" || return 1
    local rc note
    NS=$NSL tcp_echo "$2" "$3" "$4" >"$WORK/loss-echo.out" 2>&1
    rc=$?
    note=$(grep '^NOTE: ' "$WORK/loss-echo.out" | cut -c7-)
    grep -v '^NOTE: ' "$WORK/loss-echo.out"
    echo "NOTE: ${note:+$note; }$(dropped)"
    set_loss 0
    return "$rc"
}

run_loss() {
    # By default a modest run (1 MB at 5%, both families: the whole
    # interop stays near a minute); LOSS=1 the heavy ones (10 MB at 5%,
    # LOSS_BYTES at 20%: several minutes); LOSS=0 none.
    if [ "${LOSS:-}" = 0 ]; then
        echo "SKIP loss runs (LOSS=0)"
        return
    fi
    if ! command -v nft >/dev/null 2>&1; then
        if [ "${CI:-}" = true ]; then
            fail "loss runs" "nft missing (ci/install-deps.sh must install nftables)"
        else
            echo "SKIP loss runs: nft missing (apt-get install nftables)"
        fi
        return
    fi
    say "loss runs: namespace $NSL, tap $LTAP bridged with the kernel's veth"
    if ! setup_loss_ns >"$WORK/loss-setup.log" 2>&1; then
        cat "$WORK/loss-setup.log"
        fail "loss setup" "namespace/bridge/nftables"
        return
    fi
    LPCAP="$WORK/loss.pcap"
    ip netns exec "$NSL" tcpdump -i "$LTAP" -U --immediate-mode -B 131072 -s 0 -n -Z root -w "$LPCAP" \
        2>"$WORK/loss-tcpdump.log" &
    tcpdump_pid=$!
    for _ in $(seq 50); do
        grep -q "listening on" "$WORK/loss-tcpdump.log" 2>/dev/null && break
        sleep 0.1
    done
    STACK_LOG="$WORK/loss-stack.log"
    ip netns exec "$NSL" "$STACK_BIN" --tap "$LTAP" --ip4 "$LSTACK4/24" --ip6 "$LSTACK6/64" \
        --mac 02:77:00:00:00:02 --seed 9 -v >"$STACK_LOG" 2>&1 &
    stack_pid=$!
    local up=0
    for _ in $(seq 100); do
        if grep -q '^ready' "$STACK_LOG" 2>/dev/null &&
            nsl ping -n -c 1 -W 1 "$LSTACK4" >/dev/null 2>&1 &&
            nsl ping -6 -n -c 1 -W 1 "$LSTACK6" >/dev/null 2>&1; then
            up=1
            break
        fi
        kill -0 "$stack_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ "$up" = 1 ]; then
        pass "loss topology: the stack answers through the bridge"
    else
        fail "loss topology: the stack answers through the bridge" "$(tail -n 5 "$STACK_LOG" | tr '\n' ' ')"
        return
    fi

    local big="$WORK/tcp-10m.bin" size20=${LOSS_BYTES:-1000000}
    local big20="$big"
    if [ "${LOSS:-}" = 1 ] && [ "$size20" != 10000000 ]; then
        big20="$WORK/tcp-loss20.bin"
        head -c "$size20" /dev/urandom >"$big20"
    fi
    if [ "${LOSS:-}" = 1 ]; then
        check "tcp echo 10 MB, 5% loss each way (IPv4)" loss_echo 5 "TCP4:$LSTACK4:7" "$big" 300
        check "tcp echo 10 MB, 5% loss each way (IPv6)" loss_echo 5 "TCP6:[$LSTACK6]:7" "$big" 300
        check "tcp echo $size20 bytes, 20% loss each way (IPv4)" loss_echo 20 "TCP4:$LSTACK4:7" "$big20" "${LOSS_LIMIT:-300}"
    else
        check "tcp echo 1 MB, 5% loss each way (IPv4)" loss_echo 5 "TCP4:$LSTACK4:7" "$WORK/tcp-1m.bin" 90
        check "tcp echo 1 MB, 5% loss each way (IPv6)" loss_echo 5 "TCP6:[$LSTACK6]:7" "$WORK/tcp-1m.bin" 90
    fi

    check "stack exits 0 on SIGINT after the loss runs" stop_stack
    sleep 0.5
    kill "$tcpdump_pid" 2>/dev/null
    wait "$tcpdump_pid" 2>/dev/null
    tcpdump_pid=""

    # Under loss TCP analysis warns legitimately (retransmissions, lost
    # segments); only malformed frames, bad checksums and errors count.
    loss_tshark() {
        local bad
        # As in tshark_clean: a TCP checksum of 0xFFFF is as valid as 0x0000
        # (RFC 1624); Wireshark's note about it (an "error") is left out,
        # nothing else (a wrong checksum gets another message). Seen once
        # in a 10 MB echo at 20% loss, on a kernel ACK.
        local filter='_ws.malformed || _ws.expert.severity >= error'
        filter="($filter || ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\")"
        filter="$filter && !(tcp.checksum == 0xffff && _ws.expert.message == \"TCP Checksum 0xffff instead of 0x0000 (see RFC 1624)\")"
        bad=$(tshark -n -2 -r "$LPCAP" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
            -o udp.check_checksum:TRUE -Y "$filter" \
            2>"$WORK/loss-tshark.err") || { cat "$WORK/loss-tshark.err"; return 1; }
        echo "$bad"
        echo "NOTE: $(tshark -n -r "$LPCAP" 2>/dev/null | wc -l) frames; RSTs: $(tshark -n -r "$LPCAP" -Y 'tcp.flags.reset == 1' 2>/dev/null | wc -l)"
        [ -z "$bad" ]
    }
    check "tshark (loss runs): no malformed frame, no bad checksum, no error" loss_tshark
}
[ "${ONLY:-}" = client ] || run_loss

if [ "$failed" != 0 ]; then
    say "stack log (last 40 lines):"
    tail -n 40 "$STACK_LOG" >&2
fi
finish
