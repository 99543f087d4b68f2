#!/usr/bin/env bash
# Build every cargo-fuzz target and run each for FUZZ_SECONDS (default 10),
# starting from its seed corpus. Any crash fails the run.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs="${FUZZ_SECONDS:-10}"

if rustup run nightly rustc --version >/dev/null 2>&1; then
    fuzz=(cargo +nightly fuzz)
    build_flags=()
    echo "fuzz: nightly toolchain, AddressSanitizer"
else
    fuzz=(cargo fuzz)
    build_flags=(--sanitizer none)
    echo "fuzz: stable toolchain, no sanitizer"
fi

targets=$("${fuzz[@]}" list)
"${fuzz[@]}" build "${build_flags[@]}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in $targets; do
    mkdir -p "$work/$t"
    seeds=()
    [ -d "seeds/$t" ] && seeds=("seeds/$t")
    echo "--- fuzz $t for ${secs}s"
    if ! "${fuzz[@]}" run "${build_flags[@]}" "$t" "$work/$t" "${seeds[@]}" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 >"$work/$t.log" 2>&1; then
        tail -n 60 "$work/$t.log" >&2
        echo "fuzz target $t failed (crash, leak or OOM); see the artifact above" >&2
        exit 1
    fi
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$work/$t.log" | tr '\n' ' '
    echo
done
echo "fuzz smoke: $(echo $targets | wc -w) targets, ${secs}s each, no crash"
