#!/usr/bin/env bash
# Prove that the ferrotcp core is `no_std`.
#
# 1. Host check: build and run `ci/nostd-check`, a `#![no_std]` `#![no_main]`
#    binary linking libc only, in three configurations (no extra feature,
#    +alloc, +defmt). If std reaches the core or any dependency, the build
#    fails with `E0152 duplicate lang item ... panic_impl`.
# 2. Embedded build: `cargo build -p ferrotcp` for thumbv7em-none-eabihf, a
#    target that has no std at all, in the same three configurations.
#
# Builds go to their own target directory ($NOSTD_TARGET_DIR, default
# target/nostd) so they do not invalidate other builds.
set -euo pipefail

step="setup"
trap 'echo "FAILED: no_std check step: $step" >&2' ERR

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${NOSTD_TARGET_DIR:-$ROOT/target/nostd}"
export CARGO_TARGET_DIR="$TARGET_DIR"
EMBEDDED_TARGET=thumbv7em-none-eabihf
PROTOS=proto-ipv4,proto-ipv4-fragmentation,proto-ipv6,proto-ipv6-fragmentation,proto-dhcpv4
PROTOS=$PROTOS,socket-tcp,socket-tcp-listener,socket-tcp-sack,socket-error-queue,socket-udp,socket-icmp,socket-raw,counters,pmtu-cache
# Extra features per configuration; the empty string is "none".
CONFIGS=("" "alloc" "defmt")

features_for() {
    if [[ -n "$1" ]]; then echo "$PROTOS,$1"; else echo "$PROTOS"; fi
}

echo "== host no_std check (target dir: $TARGET_DIR)"
for extra in "${CONFIGS[@]}"; do
    features="$(features_for "$extra")"
    step="host check --features $features"
    echo "-- ci/nostd-check --features $features"
    cargo build --manifest-path "$ROOT/ci/nostd-check/Cargo.toml" --features "$features"
    # The binary returns a bit mask of the core calls that misbehaved.
    status=0
    "$TARGET_DIR/debug/ferrotcp-nostd-check" || status=$?
    if ((status != 0)); then
        echo "FAILED: ferrotcp-nostd-check ($features) exited with status $status" >&2
        exit 1
    fi
done

echo "== embedded build ($EMBEDDED_TARGET)"
step="rustup target add $EMBEDDED_TARGET"
if ! rustup target add "$EMBEDDED_TARGET"; then
    echo "WARNING: could not install the $EMBEDDED_TARGET target;" \
        "falling back to host check only. The embedded build was NOT run." >&2
    exit 0
fi
for extra in "${CONFIGS[@]}"; do
    features="$(features_for "$extra")"
    step="embedded build --features $features"
    echo "-- cargo build -p ferrotcp --no-default-features --features $features --target $EMBEDDED_TARGET"
    (cd "$ROOT" && cargo build -p ferrotcp --no-default-features --features "$features" \
        --target "$EMBEDDED_TARGET")
done

echo "== no_std: all checks passed"
