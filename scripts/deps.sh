#!/usr/bin/env bash
# Installs everything Peerdesk needs to build, run and test on Debian/Ubuntu.
# Idempotent: each step checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential pkg-config curl file ca-certificates
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev
  libdbus-1-dev webkit2gtk-driver xvfb xauth dbus dbus-x11 gnome-keyring keyutils libsecret-tools
  frr bird2 openssh-server openssh-client iproute2 python3-aiosmtpd imagemagick
)

sudo_cmd=""
if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing apt packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "deps: node/npm missing; installing from Debian" >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nodejs npm
fi

if ! command -v cargo >/dev/null; then
  echo "deps: cargo not found; install Rust with rustup first" >&2
  exit 1
fi
rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy

if [ "${PEERDESK_NEED_DRIVER:-0}" = 1 ] && ! command -v tauri-driver >/dev/null; then
  echo "deps: installing tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "deps: npm ci (ui)"
  (cd ui && npm ci --no-audit --no-fund)
fi
if [ -f tests/e2e/package.json ] && { [ ! -d tests/e2e/node_modules ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; }; then
  echo "deps: npm ci (tests/e2e)"
  (cd tests/e2e && npm ci --no-audit --no-fund)
fi
