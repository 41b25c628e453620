#!/usr/bin/env bash
# Installs everything Peerdesk needs to build, run and test on Debian/Ubuntu.
# Idempotent: each step checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

APT_PACKAGES=(
  build-essential pkg-config curl file ca-certificates
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev
  libdbus-1-dev webkit2gtk-driver xvfb xauth dbus dbus-x11 gnome-keyring keyutils libsecret-tools
  frr bird2 openssh-server openssh-client iproute2 python3-aiosmtpd imagemagick sqlite3
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
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "deps: node/npm missing; installing from the distribution" >&2
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
# vite 8 needs node ^20.19 or >= 22.12 (and npm 10+).
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit((a===20&&b>=19)||(a===22&&b>=12)||a>=23?0:1)'; then
  echo "deps: node $(node --version) is too old: Peerdesk's UI build needs node 20.19+ or 22.12+ (e.g. the NodeSource packages)" >&2
  exit 1
fi

if ! command -v cargo >/dev/null; then
  echo "deps: cargo not found; install Rust (1.85 or newer) with rustup first" >&2
  exit 1
fi
if command -v rustup >/dev/null; then
  installed=$(rustup component list --installed 2>/dev/null || true)
  for c in rustfmt clippy; do
    grep -q "^$c" <<<"$installed" || rustup component add "$c"
  done
fi

if [ "${PEERDESK_NEED_DRIVER:-0}" = 1 ] && ! command -v tauri-driver >/dev/null; then
  echo "deps: installing tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "deps: npm ci (ui)"
  (cd ui && npm ci --no-audit --no-fund)
fi
# The Tauri CLI (@tauri-apps/cli, for `npx tauri build --bundles deb`) must run from the root.
if [ -f package.json ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "deps: npm ci (root: Tauri CLI)"
  npm ci --no-audit --no-fund --ignore-scripts
fi
if [ -f tests/e2e/package.json ] && { [ ! -d tests/e2e/node_modules ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; }; then
  echo "deps: npm ci (tests/e2e)"
  (cd tests/e2e && npm ci --no-audit --no-fund)
fi
