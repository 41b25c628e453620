#!/usr/bin/env bash
# Builds Peerdesk and starts it, from a fresh Debian/Ubuntu machine:
#
#   scripts/run.sh --demo             demo data in a new database
#   scripts/run.sh --db ~/peering.db  any of the app's own options
#
# Installs what is missing (scripts/deps.sh), builds the UI and the app (debug,
# with the UI embedded), then runs target/debug/peerdesk with the arguments
# given here. Without a display it stops and says so; PEERDESK_HEADLESS=1 runs
# it under xvfb-run instead (useful over SSH, e.g. to watch it start).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

banner() { printf '\n== %s\n' "$*"; }

banner "dependencies (scripts/deps.sh)"
scripts/deps.sh

banner "UI: npm --prefix ui run build"
npm --prefix ui run build

banner "app: cargo build -p peerdesk --features peerdesk/custom-protocol"
cargo build -p peerdesk --features peerdesk/custom-protocol

app=target/debug/peerdesk
headless=()
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  if [ "${PEERDESK_HEADLESS:-0}" = 1 ]; then
    echo "run: no DISPLAY; starting under xvfb-run (PEERDESK_HEADLESS=1): the window is not visible"
    headless=(xvfb-run -a -s "-screen 0 1280x800x24")
  else
    cat >&2 <<EOF

run: Peerdesk is built ($app) but there is no display to show its window
(neither DISPLAY nor WAYLAND_DISPLAY is set).
  - on a desktop, run this from a terminal inside the graphical session;
  - over SSH, use 'ssh -X' or set DISPLAY;
  - to start it on a virtual display anyway: PEERDESK_HEADLESS=1 $0 $*
EOF
    exit 1
  fi
fi

banner "starting $app $*"
exec "${headless[@]}" "$app" "$@"
