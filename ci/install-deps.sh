#!/usr/bin/env bash
# Install what the test suite needs on a bare machine: Debian packages
# (tshark), rustup components and targets, cargo-fuzz. Idempotent: each
# step is skipped when its tool is already there.
set -euo pipefail

say() { printf '== install-deps: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
    else return 1
    fi
}

apt_pkgs=()
command -v tshark >/dev/null 2>&1 || apt_pkgs+=(tshark)
command -v tcpdump >/dev/null 2>&1 || apt_pkgs+=(tcpdump)
# Linux interop (ci/interop.sh): namespaces, ping, socat, nstat.
command -v ip >/dev/null 2>&1 || apt_pkgs+=(iproute2)
command -v nstat >/dev/null 2>&1 || apt_pkgs+=(iproute2)
command -v ping >/dev/null 2>&1 || apt_pkgs+=(iputils-ping)
command -v socat >/dev/null 2>&1 || apt_pkgs+=(socat)
command -v nft >/dev/null 2>&1 || apt_pkgs+=(nftables)
if [ "${#apt_pkgs[@]}" -gt 0 ]; then
    # De-duplicate (iproute2 may be listed twice).
    mapfile -t apt_pkgs < <(printf '%s\n' "${apt_pkgs[@]}" | sort -u)
    say "apt-get install ${apt_pkgs[*]}"
    if ! {
        echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections &&
        as_root apt-get update -qq &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
    }; then
        say "WARNING: could not install ${apt_pkgs[*]} (not root?); tests that need them will say so"
        [ "${CI:-}" = true ] && exit 1
    fi
fi

for comp in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$comp"; then
        say "rustup component add $comp"
        rustup component add "$comp"
    fi
done

if ! rustup target list --installed 2>/dev/null | grep -qx thumbv7em-none-eabihf; then
    say "rustup target add thumbv7em-none-eabihf"
    rustup target add thumbv7em-none-eabihf ||
        say "WARNING: thumbv7em-none-eabihf could not be added; ci/nostd.sh will say so"
fi

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    say "cargo install cargo-fuzz (takes ~3 min)"
    cargo install cargo-fuzz --locked --quiet
fi
