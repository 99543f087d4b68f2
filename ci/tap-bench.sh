#!/usr/bin/env bash
# TAP throughput: ferrotcp's `benchmark` example against smoltcp 0.14's
# `benchmark` example, on the same machine, same kernel, same kind of TAP.
# Not run by CI (it needs root and takes minutes).
#
# Both examples attach to a TAP, listen on 1234 (`reader`: the stack sends,
# a kernel socket reads) and 1235 (`writer`: a kernel socket writes, the
# stack receives), run the kernel side as a std::net thread in the same
# process, move 1 GB and print `throughput: X Gbps`.
#
# What the script does:
#   * builds ferrotcp's `benchmark` example (release, default features) and
#     smoltcp 0.14's from a copy of the registry source in a temp dir
#     (release; features: see SMOL_FEATURES below);
#   * creates a private namespace (ftcp-bench-$$) with two TAPs:
#       ftb0  kernel 10.78.0.1/24,       ferrotcp 10.78.0.2
#       stb0  kernel 192.168.69.100/24,  smoltcp 192.168.69.1 (hard-coded
#             in smoltcp's example: stack address and client target)
#     192.168.69.0/24 exists only inside the namespace;
#   * runs each mode RUNS times, alternating the two stacks (the stack that
#     goes first alternates too), and prints every run, the medians and the
#     ratio ferrotcp / smoltcp (above 1: ferrotcp is faster);
#   * also prints the CPU time (user + system) of each run, medians and
#     their ratio: on a shared machine wall-clock Gbps moves with the load of
#     the moment, CPU seconds per GB much less;
#   * deletes the namespace and its work directory; kills only the PIDs it
#     started.
#
# ferrotcp's example opens its TAP with offloads (virtio_net_hdr, TCP
# super-frames of up to 64 KB both ways: TunTapDevice::tap_offload), which
# smoltcp has no way to use; FERRO_FLAGS=--no-offload runs it on the plain
# TAP, one frame per segment like smoltcp.
#
# Differences between the two examples that the script cannot remove:
#   * `writer`: smoltcp's client stops its clock when its last write()
#     returns, i.e. when the kernel has *buffered* the last byte; ferrotcp's
#     stops when the stack has received every byte and closed (the kernel
#     reads the FIN). ferrotcp is charged for up to one kernel send buffer
#     (tcp_wmem max, 4 MB by default: <= 0.4% of 1 GB) more.
#   * smoltcp hard-codes 1 GB and 65535-byte socket buffers; ferrotcp is run
#     with --bytes 1000000000 --buffer 65535 to match. (BYTES=N patches the
#     constant in the temp copy of smoltcp's example.)
#   * smoltcp's example initialises env_logger at `info` (RUST_LOG is
#     unset here); ferrotcp's installs no logger. Both compile trace logging
#     in and skip it at run time.
#
#   ci/tap-bench.sh                       5 runs per stack and mode, 1 GB
#   RUNS=N BYTES=N ci/tap-bench.sh
#   MODES=reader ci/tap-bench.sh          one mode only
#   SMOL_FEATURES=default ci/tap-bench.sh
#                                         smoltcp with its default features
#                                         (default here: only what its
#                                         example needs, "minimal")
#   FERRO_FLAGS=--no-offload ci/tap-bench.sh
#                                         ferrotcp without TAP offloads
#   FERRO_BIN=path SMOL_BIN=path ci/tap-bench.sh
#                                         already built binaries
#   SMOL_TARGET_DIR=dir                   keep smoltcp's build between runs
# (Not SMOLTCP_*: smoltcp's build script rejects unknown SMOLTCP_* variables.)
#   KEEP=1                                keep the work dir (logs)
set -uo pipefail
cd "$(dirname "$0")/.."

say() { printf '== tap-bench: %s\n' "$*" >&2; }
die() {
    echo "tap-bench: $*" >&2
    exit 1
}

if [ "$(id -u)" != 0 ]; then
    echo "tap-bench: needs root (network namespace + TAP); run e.g. sudo ci/tap-bench.sh"
    exit 1
fi
for tool in ip cargo awk sort timeout pgrep /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || die "missing tool: $tool"
done

RUNS=${RUNS:-5}
BYTES=${BYTES:-1000000000}
MODES=${MODES:-reader writer}
SMOL_FEATURES=${SMOL_FEATURES:-minimal}
# Per run; 1 GB at 0.1 Gbps is 80 s.
RUN_LIMIT=${RUN_LIMIT:-300}
NS=ftcp-bench-$$
FTAP=ftb0
STAP=stb0
F_KERNEL=10.78.0.1
F_STACK=10.78.0.2
S_KERNEL=192.168.69.100 # smoltcp's stack is 192.168.69.1
WORK=$(mktemp -d /tmp/ftcp-tapbench.XXXXXX)
run_pid=""

cleanup() {
    stop_run
    ip netns del "$NS" 2>/dev/null
    if [ "${KEEP:-}" = 1 ]; then
        say "logs kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build --------------------------------------------------------------------

if [ -z "${FERRO_BIN:-}" ]; then
    say "building ferrotcp's benchmark example (release)"
    cargo build --release --example benchmark >"$WORK/ferro-build.log" 2>&1 ||
        { tail -n 30 "$WORK/ferro-build.log"; die "ferrotcp build failed"; }
    target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null |
        grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)
    FERRO_BIN="${target_dir:-target}/release/examples/benchmark"
fi

if [ -n "${SMOL_BIN:-}" ]; then
    SMOL_FEATURES="as built ($SMOL_BIN)"
else
    src=""
    for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/smoltcp-0.14*/; do
        [ -f "$d/examples/benchmark.rs" ] && src=$d
    done
    [ -n "$src" ] || die "no smoltcp 0.14 source under ~/.cargo/registry/src (cargo fetch in this repo downloads it: it is a dev-dependency)"
    say "building smoltcp's benchmark example from $src (release, features: $SMOL_FEATURES)"
    cp -r "$src" "$WORK/smoltcp"
    if [ "$BYTES" != 1000000000 ]; then
        sed -i "s/^const AMOUNT: usize = 1_000_000_000;/const AMOUNT: usize = $BYTES;/" \
            "$WORK/smoltcp/examples/benchmark.rs"
        grep -q "^const AMOUNT: usize = $BYTES;" "$WORK/smoltcp/examples/benchmark.rs" ||
            die "could not set AMOUNT in smoltcp's example"
    fi
    case $SMOL_FEATURES in
    default) feat=() ;;
    # The example's required-features, plus what it does not list but
    # needs to compile: socket-tcp (its sockets) and medium-ieee802154 (a
    # match arm); and log (it sets up a logger under cfg(feature = "log"),
    # as with default features).
    minimal) feat=(--no-default-features --features
        "std log medium-ethernet medium-ip medium-ieee802154 phy-tuntap_interface proto-ipv4 socket-raw socket-udp socket-tcp") ;;
    *) feat=(--no-default-features --features "$SMOL_FEATURES") ;;
    esac
    (cd "$WORK/smoltcp" &&
        CARGO_TARGET_DIR="${SMOL_TARGET_DIR:-$WORK/smoltcp-target}" \
            cargo build --release --example benchmark "${feat[@]}") >"$WORK/smol-build.log" 2>&1 ||
        { tail -n 30 "$WORK/smol-build.log"; die "smoltcp build failed"; }
    SMOL_BIN="${SMOL_TARGET_DIR:-$WORK/smoltcp-target}/release/examples/benchmark"
fi
for bin in "$FERRO_BIN" "$SMOL_BIN"; do
    [ -x "$bin" ] || die "no executable at $bin"
done

# ---- topology -----------------------------------------------------------------

say "namespace $NS: $FTAP ($F_KERNEL/24, ferrotcp $F_STACK), $STAP ($S_KERNEL/24, smoltcp 192.168.69.1)"
setup_ns() {
    ip netns add "$NS" &&
        ip -n "$NS" link set lo up &&
        ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 &&
        ip -n "$NS" tuntap add dev "$FTAP" mode tap &&
        ip -n "$NS" tuntap add dev "$STAP" mode tap &&
        ip -n "$NS" addr add "$F_KERNEL/24" dev "$FTAP" &&
        ip -n "$NS" addr add "$S_KERNEL/24" dev "$STAP" &&
        ip -n "$NS" link set "$FTAP" up &&
        ip -n "$NS" link set "$STAP" up
}
setup_ns >"$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log"; die "namespace/tap setup failed"; }

# ---- runs ---------------------------------------------------------------------

# stop_run: end the run in progress. `run_pid` is /usr/bin/time (what
# `ip netns exec` became); its child is `timeout`, which passes SIGTERM on
# to the benchmark and exits. Only these PIDs, never names.
stop_run() {
    local child
    [ -n "$run_pid" ] || return 0
    for child in $(pgrep -P "$run_pid" 2>/dev/null); do
        kill "$child" 2>/dev/null
    done
    kill -0 "$run_pid" 2>/dev/null && sleep 0.5 && kill "$run_pid" 2>/dev/null
    wait "$run_pid" 2>/dev/null
    run_pid=""
}

# start STACK MODE LOG: start one run in the background, set `run_pid`.
start() {
    local stack=$1 mode=$2 log=$3
    case $stack in
    ferrotcp)
        env -u RUST_LOG ip netns exec "$NS" /usr/bin/time -o "$log.cpu" -f "%U %S" \
            timeout "$RUN_LIMIT" "$FERRO_BIN" \
            --tap "$FTAP" --ip4 "$F_STACK/24" --bytes "$BYTES" --buffer 65535 \
            ${FERRO_FLAGS:-} "$mode" \
            >"$log" 2>&1 &
        ;;
    smoltcp)
        env -u RUST_LOG ip netns exec "$NS" /usr/bin/time -o "$log.cpu" -f "%U %S" \
            timeout "$RUN_LIMIT" "$SMOL_BIN" \
            --tap "$STAP" "$mode" >"$log" 2>&1 &
        ;;
    esac
    run_pid=$!
}

# one STACK MODE I: run once; sets `gbps` and `cpu` (empty on failure).
# Not called in a subshell, so the cleanup trap sees `run_pid`.
#
# smoltcp's example starts its client thread before its first loop
# iteration calls listen(), and its first poll may take the kernel's ARP
# request, answer it and then, in the same poll, the SYN the kernel sends
# as soon as it has the answer: the stack answers RST, the client panics
# (connection refused) and the process never ends. That is a start-up race,
# outside the timing: the script sees the panic, stops that process and
# starts the run again (up to 5 attempts). Before every attempt of either
# stack the kernel forgets the stack's MAC, so both start the same way
# (ARP, then SYN).
one() {
    local stack=$1 mode=$2 i=$3 log="$WORK/$1-$2-$3.log" attempt rc refused
    for attempt in 1 2 3 4 5; do
        ip -n "$NS" neigh flush dev "$FTAP" 2>/dev/null
        ip -n "$NS" neigh flush dev "$STAP" 2>/dev/null
        start "$stack" "$mode" "$log"
        refused=0
        while kill -0 "$run_pid" 2>/dev/null; do
            if grep -q "Connection refused" "$log" 2>/dev/null; then
                refused=1
                stop_run
                break
            fi
            sleep 0.2
        done
        if [ "$refused" = 1 ]; then
            say "$stack $mode run $i: connection refused at start-up (attempt $attempt), again"
            continue
        fi
        wait "$run_pid"
        rc=$?
        run_pid=""
        break
    done
    gbps=$(awk '/^throughput:/ {print $2}' "$log" | tail -n 1)
    cpu=$(awk 'NF == 2 && $1 ~ /^[0-9.]+$/ {printf "%.2f", $1 + $2}' "$log.cpu" 2>/dev/null | tail -n 1)
    if [ "$refused" = 1 ] || [ "${rc:-1}" != 0 ] || [ -z "$gbps" ]; then
        say "$stack $mode run $i failed (exit ${rc:-?}): $(tail -n 3 "$log" | tr '\n' ' ')"
        gbps=""
    fi
}

median() { sort -g | awk 'NF {v[++n]=$1} END {if (n==0) print "nan"; else if (n%2) print v[(n+1)/2]; else printf "%.3f\n", (v[n/2]+v[n/2+1])/2}'; }

declare -A results ratios pair cpus
failures=0
for mode in $MODES; do
    for i in $(seq "$RUNS"); do
        if [ $((i % 2)) = 1 ]; then order="ferrotcp smoltcp"; else order="smoltcp ferrotcp"; fi
        for stack in $order; do
            one "$stack" "$mode" "$i"
            pair[$stack]=$gbps
            if [ -n "$gbps" ]; then
                results[$stack-$mode]+="$gbps "
                cpus[$stack-$mode]+="$cpu "
                printf '%-8s %-6s run %d: %s Gbps, %s s CPU\n' "$stack" "$mode" "$i" "$gbps" "$cpu"
            else
                failures=$((failures + 1))
                printf '%-8s %-6s run %d: FAILED\n' "$stack" "$mode" "$i"
            fi
        done
        # The ratio of the two runs next to each other in time: the load
        # of the moment hits both sides of a pair about alike.
        if [ -n "${pair[ferrotcp]}" ] && [ -n "${pair[smoltcp]}" ]; then
            ratios[$mode]+="$(awk -v f="${pair[ferrotcp]}" -v s="${pair[smoltcp]}" 'BEGIN { printf "%.3f", f / s }') "
        fi
    done
done

echo
echo "tap-bench: $BYTES bytes, $RUNS runs per stack and mode, smoltcp features: $SMOL_FEATURES, ferrotcp flags: ${FERRO_FLAGS:-none}"
echo "ratio = ferrotcp / smoltcp (above 1: ferrotcp faster); paired = median of the per-pair ratios"
printf '%-7s %-15s %-15s %-14s %s\n' mode "ferrotcp Gbps" "smoltcp Gbps" "ratio" "paired (min..max)"
for mode in $MODES; do
    f=$(tr ' ' '\n' <<<"${results[ferrotcp-$mode]:-}" | grep . | median)
    s=$(tr ' ' '\n' <<<"${results[smoltcp-$mode]:-}" | grep . | median)
    r=$(awk -v f="$f" -v s="$s" 'BEGIN { if (s + 0 > 0 && f != "nan") printf "%.2fx", f / s; else print "n/a" }')
    pr=$(tr ' ' '\n' <<<"${ratios[$mode]:-}" | grep . | sort -g)
    p=$(median <<<"$pr")
    range="$(head -n 1 <<<"$pr")..$(tail -n 1 <<<"$pr")"
    printf '%-7s %-15s %-15s %-14s %s\n' "$mode" "$f" "$s" "$r" "${p}x ($range)"
done
echo "CPU seconds (user + system, both threads: the stack and the kernel side) per run, medians;"
echo "ratio = smoltcp / ferrotcp (above 1: ferrotcp cheaper). Less sensitive to other load than Gbps."
printf '%-7s %-15s %-15s %s\n' mode "ferrotcp CPU s" "smoltcp CPU s" "ratio"
for mode in $MODES; do
    f=$(tr ' ' '\n' <<<"${cpus[ferrotcp-$mode]:-}" | median)
    s=$(tr ' ' '\n' <<<"${cpus[smoltcp-$mode]:-}" | median)
    r=$(awk -v f="$f" -v s="$s" 'BEGIN { if (f + 0 > 0 && s != "nan") printf "%.2fx", s / f; else print "n/a" }')
    printf '%-7s %-15s %-15s %s\n' "$mode" "$f" "$s" "$r"
done
if [ "$failures" != 0 ]; then
    echo "tap-bench: $failures run(s) failed"
    exit 1
fi
