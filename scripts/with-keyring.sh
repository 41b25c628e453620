#!/usr/bin/env bash
# Runs a command inside its own D-Bus session with an unlocked gnome-keyring
# (the Secret Service) and a fresh kernel session keyring, so code that uses
# the OS keyring works in a headless shell or on CI:
#
#   scripts/with-keyring.sh cargo test --workspace
#
# The keyring lives in a temporary XDG_DATA_HOME that is removed afterwards,
# and the gnome-keyring-daemon started for it is stopped.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon keyctl; do
  command -v "$tool" >/dev/null || { echo "with-keyring: $tool is missing: run scripts/deps.sh" >&2; exit 1; }
done

keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/peerdesk-keyring.XXXXXX")

# gnome-keyring-daemon usually leaves with the session bus, but not when the
# command was very short; stop the one started here (it alone has this
# XDG_DATA_HOME in its environment), then remove its folder.
cleanup() {
  local env pid
  for env in /proc/[0-9]*/environ; do
    pid=${env#/proc/}; pid=${pid%/environ}
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = gnome-keyring-d ] || continue
    if tr '\0' '\n' 2>/dev/null <"$env" | grep -qxF "XDG_DATA_HOME=$keyring_home"; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$keyring_home"
}
trap cleanup EXIT

# stderr of dbus-daemon ("Failed to set fd limit") is noise when not root-capable.
PEERDESK_KEYRING_HOME="$keyring_home" dbus-run-session -- bash -c '
  export XDG_DATA_HOME="$PEERDESK_KEYRING_HOME"
  eval "$(printf %s peerdesk-test | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  # A container whose seccomp profile forbids keyctl cannot have a session
  # keyring; the Secret Service still works without one.
  if keyctl session - true >/dev/null 2>&1; then
    exec keyctl session - "$@"
  fi
  echo "with-keyring: keyctl is not permitted here; running without a kernel session keyring" >&2
  exec "$@"' peerdesk-keyring "$@"
