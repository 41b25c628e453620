#!/bin/bash
# Login shell of the router lab's SSH user (see tests/lab/lab.sh, which
# installs this file as /usr/local/lib/peerdesk-lab/login-shell).
#
# One user serves every router of every lab, so the shell learns which router
# a session is for from the environment that router's own sshd sets
# (sshd_config `SetEnv LAB_DIR=... LAB_ROUTER=... LAB_PLATFORM=...`; the client
# cannot override it: the sshd has no AcceptEnv and PermitUserEnvironment no).
#
# sshd runs a login shell as `-login-shell` with no arguments (interactive) and
# a command as `login-shell -c "COMMAND"`. FRR routers get vtysh for both, as
# a real FRR box whose user lands in vtysh. BIRD routers get birdc
# interactively, and for commands a small allow-list: birdc (always pointed at
# this router's control socket) and read/remove/rename of files inside the
# router's config folder (writes only in peers/). SFTP never comes here: the
# BIRD router's sshd uses internal-sftp.
set -uo pipefail

deny() { echo "lab: $*" >&2; exit 126; }

case "${LAB_DIR:-}" in /*) ;; *) deny "no lab for this session (LAB_DIR unset)" ;; esac
case "${LAB_ROUTER:-}" in '' | *[!a-z0-9]*) deny "no router for this session (LAB_ROUTER)" ;; esac
base="$LAB_DIR/$LAB_ROUTER"

case "${LAB_PLATFORM:-}" in
frr)
  # "$@" is either nothing (interactive vtysh) or `-c COMMANDS`; vtysh runs
  # newline-separated commands in one -c and stops at the first error.
  exec /usr/bin/vtysh --vty_socket "$base/run" --config_dir "$base/etc" "$@"
  ;;
bird2) ;;
*) deny "unknown platform '${LAB_PLATFORM:-}'" ;;
esac

# ---- BIRD 2 ----
sock="$base/run/bird.ctl"
etc="$base/etc"
peers="$etc/peers"
# Relative paths (peers/x.conf) mean the same as over SFTP (internal-sftp -d etc).
cd "$etc" || deny "config folder $etc is missing"

if [ $# -eq 0 ]; then
  exec /usr/sbin/birdc -s "$sock"
fi
[ "$1" = -c ] && [ $# -eq 2 ] || deny "usage: -c COMMAND"

# inside DIR PATH: true when PATH (resolved, need not exist) is DIR or below it.
inside() {
  local p
  p=$(realpath -m -- "$2") || return 1
  case "$p" in "$1" | "$1"/*) return 0 ;; *) return 1 ;; esac
}

# run_line WORDS...: one allowed command.
run_line() {
  local cmd=$1
  shift
  case "$cmd" in
  birdc | /usr/sbin/birdc | /usr/bin/birdc)
    # Options birdc knows: -s SOCKET (must be this router's), -v, -r, -l.
    local opts=()
    while [ $# -gt 0 ]; do
      case "$1" in
      -s)
        [ $# -ge 2 ] || deny "birdc: -s needs a socket"
        [ "$(realpath -m -- "$2")" = "$sock" ] || deny "birdc: this router's socket is $sock"
        shift 2
        ;;
      -v | -r | -l) opts+=("$1"); shift ;;
      -*) deny "birdc: option $1 not allowed" ;;
      *) break ;;
      esac
    done
    /usr/sbin/birdc -s "$sock" "${opts[@]}" "$@"
    ;;
  cat | ls | test | '[' | stat | sha256sum | wc)
    # Read-only: anywhere in the router's config folder.
    local a
    for a in "$@"; do
      case "$a" in -* | ']' | '!' | '=' | '!=') continue ;; esac
      # test/[ take an operator then a path; the operator is a flag above.
      inside "$etc" "$a" || deny "$cmd: $a is outside $etc"
    done
    "$cmd" "$@"
    ;;
  rm | mv | cp | touch | mkdir)
    # Changes: only inside peers/.
    local a
    for a in "$@"; do
      case "$a" in -*) continue ;; esac
      inside "$peers" "$a" || deny "$cmd: $a is outside $peers"
    done
    "$cmd" "$@"
    ;;
  *) deny "command not allowed on this BIRD router: $cmd (allowed: birdc, cat, ls, test, stat, sha256sum, wc; rm, mv, cp, touch, mkdir inside peers/)" ;;
  esac
}

# Several commands may come as newline-separated lines, as for vtysh; stop at
# the first failure. Words are split with xargs' quoting rules ('...', "...",
# backslash) and nothing is expanded: no globs, variables or substitutions.
status=0
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in '' | '#'*) continue ;; esac
  words=()
  while IFS= read -r -d '' w; do words+=("$w"); done < <(printf '%s\n' "$line" | xargs -r printf '%s\0' 2>/dev/null)
  [ ${#words[@]} -gt 0 ] || deny "cannot parse: $line"
  for w in "${words[@]}"; do
    # Nothing is run by a shell here: say so rather than pass `|` to cat.
    [[ "$w" =~ ^(\|\|?|\&\&?|\;|[0-9]*[\<\>].*)$ ]] &&
      deny "no pipes, redirections or ';' here: one command per line ($w)"
  done
  run_line "${words[@]}"
  status=$?
  [ $status -eq 0 ] || exit $status
done <<<"$2"
exit $status
