#!/usr/bin/env bash
# Size budget: the same firmware built on ferrotcp (examples/firmware) and
# on smoltcp 0.14 (ci/size, its twin: same board code, same ENC28J60
# driver, same static socket buffers, same ping + UDP echo + TCP echo
# loop), for
# thumbv7em-none-eabihf with LTO, codegen-units = 1, panic = "abort", at
# opt-level "z" and "s". Prints a Markdown table of section sizes, then
# size_of of the socket and interface types on the target.
#
#   flash = .text + .rodata     RAM = .data + .bss (statics; no stack)
#   (.vector_table, 1 KiB, and the .data load image also occupy flash)
#
# Measured, not asserted: the script fails only if a build fails.
#
#   ci/size.sh                 everything (about 2 minutes cold, 2 cores)
#   SIZE_OPT="z" ci/size.sh    only opt-level z (about 1 minute cold)
#
# Builds go to $SIZE_TARGET_DIR (default target/size).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET=thumbv7em-none-eabihf
export CARGO_TARGET_DIR="${SIZE_TARGET_DIR:-$ROOT/target/size}"
export CARGO_TERM_COLOR=never
OPTS="${SIZE_OPT:-z s}"

if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
    rustup target add "$TARGET" || {
        echo "FAILED: cannot add the $TARGET target; the size budget was NOT measured" >&2
        exit 1
    }
fi

FERRO="$ROOT/examples/firmware/Cargo.toml"
SMOL="$ROOT/ci/size/Cargo.toml"

# config name | ferrotcp firmware features | smoltcp twin features
# (both built with --no-default-features; "-": not built). ferrotcp has
# no feature to
# leave out the ICMP echo responder (it is a run-time switch,
# icmp_echo_ignore_all), so its "UDP only" image still answers ping.
# smoltcp has no switch for SACK (its TCP always reports SACK blocks to a
# peer that permits them): its "+SACK" row is its plain TCP build, while
# ferrotcp's "TCP" row leaves out socket-tcp-sack.
CONFIGS=(
    "IPv4+ARP+ICMP+UDP+TCP|tcp|icmp,tcp"
    "IPv4+ARP+ICMP+UDP+TCP+SACK|tcp-sack|icmp,tcp"
    "IPv4+IPv6+ICMP+UDP+TCP|tcp,ipv6|icmp,tcp,ipv6"
    "IPv4+ARP+ICMP+UDP||icmp"
    "UDP only (IPv4+ARP)||"
    "every ferrotcp feature (goal: flash <= 65536)|all|-"
)

# section sizes of an ELF: prints "text rodata data bss"
sections() {
    local elf="$1"
    local tool
    tool="$(command -v llvm-size || true)"
    if [[ -n "$tool" ]]; then
        "$tool" -A "$elf" | awk '
            $1==".text"{t=$2} $1==".rodata"{r=$2} $1==".data"{d=$2} $1==".bss"{b=$2}
            END{printf "%d %d %d %d\n", t, r, d, b}'
    else
        readelf -S -W "$elf" | sed 's/\[ */[/' | awk '
            $2==".text"{t=strtonum("0x"$6)} $2==".rodata"{r=strtonum("0x"$6)}
            $2==".data"{d=strtonum("0x"$6)} $2==".bss"{b=strtonum("0x"$6)}
            END{printf "%d %d %d %d\n", t, r, d, b}'
    fi
}

build() { # manifest profile features -> path of the ELF
    local manifest="$1" profile="$2" features="$3" bin="$4"
    local args=(build --quiet --manifest-path "$manifest" --target "$TARGET" --profile "$profile")
    args+=(--no-default-features)
    [[ -n "$features" ]] && args+=(--features "$features")
    cargo "${args[@]}" >&2
    echo "$CARGO_TARGET_DIR/$TARGET/$profile/$bin"
}

start=$(date +%s)
# The defmt build must link too (defmt-rtt logger, defmt.x linker script).
build "$FERRO" release "tcp,defmt,ipv6" ferrotcp-firmware >/dev/null
echo "firmware with defmt (defmt-rtt) + IPv6: builds and links" >&2

echo "| configuration | opt | stack | .text | .rodata | .data | .bss | flash | RAM |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
for opt in $OPTS; do
    case "$opt" in
        z) profile=release ;;
        s) profile=release-s ;;
        *) echo "unknown opt-level $opt" >&2; exit 1 ;;
    esac
    for cfg in "${CONFIGS[@]}"; do
        IFS='|' read -r name ffeat sfeat <<<"$cfg"
        for stack in ferrotcp smoltcp; do
            [[ $stack == smoltcp && $sfeat == "-" ]] && continue
            if [[ $stack == ferrotcp ]]; then
                elf="$(build "$FERRO" "$profile" "$ffeat" ferrotcp-firmware)"
            else
                elf="$(build "$SMOL" "$profile" "$sfeat" smoltcp-twin-firmware)"
            fi
            read -r t r d b <<<"$(sections "$elf")"
            echo "| $name | $opt | $stack | $t | $r | $d | $b | $((t + r)) | $((d + b)) |"
        done
    done
done

# size_of on the target: each firmware keeps FIRMWARE_TYPE_SIZES with the
# `sizes` feature; read the symbol's bytes out of the ELF.
read_sizes() {
    python3 - "$1" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:4] == b"\x7fELF" and data[4] == 1, "expected a 32-bit ELF"
shoff, = struct.unpack_from("<I", data, 0x20)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
secs = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
symtab = next(s for s in secs if s[1] == 2)
strtab = secs[symtab[6]]
for off in range(symtab[4], symtab[4] + symtab[5], 16):
    name, value, size, _, _, shndx = struct.unpack_from("<IIIBBH", data, off)
    end = data.index(b"\0", strtab[4] + name)
    if data[strtab[4] + name:end] == b"FIRMWARE_TYPE_SIZES":
        sec = secs[shndx]
        pos = sec[4] + value - sec[3]
        print(" ".join(str(v) for v in struct.unpack_from("<5I", data, pos)))
        break
else:
    sys.exit("FIRMWARE_TYPE_SIZES not found")
PY
}
read -r fu fs fi fd ft <<<"$(read_sizes "$(build "$FERRO" release "tcp,sizes" ferrotcp-firmware)")"
read -r su ss si sd st <<<"$(read_sizes "$(build "$SMOL" release "icmp,tcp,sizes" smoltcp-twin-firmware)")"
echo
echo "| size_of on $TARGET (IPv4+TCP build) | ferrotcp | smoltcp |"
echo "|---|---:|---:|"
echo "| UDP socket | $fu | $su |"
echo "| socket set slot (SocketStorage) | $fs | $ss |"
echo "| Interface | $fi | $si |"
echo "| TCP socket | $ft | $st |"
echo "| Enc28j60 driver (both; 2 frame buffers) | $fd | $sd |"
echo
echo "ci/size.sh finished in $(( $(date +%s) - start ))s"
