#!/usr/bin/env bash
# Peerdesk's router test lab: real FRRouting 8.4 and BIRD 2 routers, each in
# its own network namespace on one exchange LAN, reachable over SSH through a
# real OpenSSH sshd per router on 127.0.0.1, plus far-end BGP speakers that
# answer so sessions reach Established. Recipe and measured pitfalls:
# /work/shared/lab/ROUTER-LAB.md; layout and lab.json: tests/lab/README.md.
#
#   lab.sh up LABDIR       build (or keep, if already healthy) the lab
#   lab.sh down LABDIR     stop what this lab started, delete its namespaces
#   lab.sh status LABDIR   report; exit 0 only when everything is up
#
# Needs root, and the packages frr bird2 openssh-server openssh-client
# iproute2 (scripts/deps.sh). LABDIR must be on a path where every parent is
# root-owned and not group/world-writable (sshd StrictModes checks the whole
# path of the AuthorizedKeysFile we keep inside LABDIR), e.g.
# $PWD/target/lab: so neither /tmp/x nor /var/tmp/x, unless
# LAB_STRICT_MODES=no. Other knobs: LAB_QUIET=1 (no progress lines),
# LAB_KEEP_FAILED=1 (a failed up leaves everything for debugging),
# PEERDESK_LAB_USER (default pdlab).
#
# Safety rules this script keeps: it signals only PIDs read from its own
# pidfiles inside LABDIR (and only when /proc/PID/cmdline still names LABDIR),
# deletes only namespaces named with this lab's prefix, and never touches
# anything else on the host except: the shared lab user (pdlab), its home and
# stored password under /var/lib/peerdesk-lab, the login shell under
# /usr/local/lib/peerdesk-lab, and /run/sshd (sshd's privilege-separation dir).
set -euo pipefail
# Files and folders here are read by frr, bird and the lab user: a caller's
# umask 077 must not make them private.
umask 022

LAB_USER=${PEERDESK_LAB_USER:-pdlab}
SHARED_DIR=/var/lib/peerdesk-lab          # lab user's home + its password
SHELL_DIR=/usr/local/lib/peerdesk-lab
LOGIN_SHELL=$SHELL_DIR/login-shell
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MARKER=.peerdesk-lab

# Addressing plan (documentation space only, see DESIGN.md).
LAN4=192.0.2.0/24
LAN6=2001:db8:1::/64
LOCAL_ASN=64496
FRR_ROUTERS=(r1 r2)
BIRD_ROUTERS=(b1)
SSH_ROUTERS=(r1 r2 b1)
declare -A HOST=([r1]=1 [r2]=2 [b1]=3)   # last octet / last hextet on the LAN
# Far ends: 192.0.2.N / 2001:db8:1::N is AS(64400+N), each its own BIRD in
# its own namespace fN (BIRD 2.0.12 locks a session by neighbour address, so
# one BIRD cannot be several far ends of the same router). .100 and .101
# announce prefixes; the rest only accept sessions.
FAR_OCTETS=(100 101 102 103 104 105 106 107 108 109 110)
FAR_ENDS=()
for o in "${FAR_OCTETS[@]}"; do FAR_ENDS+=("f$o"); HOST[f$o]=$o; done
MEMBERS=("${SSH_ROUTERS[@]}" "${FAR_ENDS[@]}")   # everything on the LAN
declare -A FAR_ROUTES4=([100]=198.51.100.0/24 [101]=203.0.113.0/24)
declare -A FAR_ROUTES6=([100]=2001:db8:100::/48 [101]=2001:db8:101::/48)

FRR_DAEMONS=(zebra staticd bgpd)
# StrictModes of the lab's sshds (yes, like a real server); `no` allows a
# LABDIR under world-writable /tmp or /var/tmp.
STRICT_MODES=${LAB_STRICT_MODES:-yes}
case "$STRICT_MODES" in yes | no) ;; *) echo "lab: LAB_STRICT_MODES must be yes or no" >&2; exit 2 ;; esac

t0=$(date +%s%N)
log() { [ -n "${LAB_QUIET:-}" ] || printf 'lab: [%5d ms] %s\n' $((($(date +%s%N) - t0) / 1000000)) "$*" >&2; }
die() { echo "lab: error: $*" >&2; exit 1; }

usage() {
  sed -n '7,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------- paths ---

# resolve_labdir DIR: sets LABDIR (absolute, canonical) and the lab's names.
# Refuses paths with characters that would need quoting in sshd_config,
# bird.conf or JSON.
resolve_labdir() {
  local arg=$1
  [ -n "$arg" ] || usage
  case "$arg" in /*) ;; *) arg="$PWD/$arg" ;; esac
  arg=$(realpath -m -- "$arg")
  case "$arg" in *[!A-Za-z0-9._/-]*) die "LABDIR '$arg' may contain only letters, digits and . _ / -" ;; esac
  [ "$arg" != / ] || die "LABDIR cannot be /"
  LABDIR=$arg
  # A short hash of the path names this lab's namespaces: two labs never
  # collide, and `down` finds exactly its own.
  PREFIX=pdl$(printf '%s' "$LABDIR" | sha256sum | cut -c1-7)
  NS_IX=$PREFIX-ix
}

ns_of() { echo "$PREFIX-$1"; }

# check_parents: every existing parent of LABDIR must be root-owned, not
# group/world-writable (StrictModes; LAB_STRICT_MODES=no lifts this) and
# world-searchable (frr, bird and the lab user must reach sockets and configs
# in LABDIR). We never chmod a directory we did not create: we say what to
# fix instead. Missing parents are fine: create_labdir makes them 0755.
check_parents() {
  local d bad=()
  d=$(dirname "$LABDIR")
  while :; do
    local uid mode
    if [ ! -e "$d" ]; then d=$(dirname "$d"); continue; fi
    [ -d "$d" ] || die "$d is not a directory"
    read -r uid mode < <(stat -c '%u %a' "$d")
    mode=$((8#$mode))
    if [ "$STRICT_MODES" = yes ] && { [ "$uid" != 0 ] || [ $((mode & 8#022)) != 0 ]; }; then
      bad+=("$d: must be owned by root and not group/world-writable (sshd StrictModes); it is $(stat -c '%U %A' "$d")")
    elif [ $((mode & 8#001)) = 0 ]; then
      bad+=("$d: others need search (x) permission so frr, bird and $LAB_USER reach the lab (chmod o+x $d)")
    fi
    [ "$d" = / ] && break
    d=$(dirname "$d")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    printf 'lab: error: cannot use LABDIR %s:\n' "$LABDIR" >&2
    printf '  %s\n' "${bad[@]}" >&2
    echo "  Use a folder under a root-owned 0755 path, e.g. \$PWD/target/lab (not /tmp/x or /var/tmp/x)," >&2
    echo "  or set LAB_STRICT_MODES=no (the lab's sshds then run with StrictModes no)." >&2
    exit 1
  fi
}

# create_labdir: make LABDIR and any missing parents, 0755 root (ours).
create_labdir() {
  local missing=() d=$LABDIR
  while [ ! -e "$d" ]; do missing=("$d" "${missing[@]}"); d=$(dirname "$d"); done
  for d in "${missing[@]}"; do mkdir -m 0755 "$d"; done
  [ -d "$LABDIR" ] || die "$LABDIR is not a directory"
}

# ------------------------------------------------------------ processes ---

# proc_alive PID: running and not a zombie (some sandboxes reap orphans late,
# so kill -0 alone would report a dead daemon as alive).
proc_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# ours PID DIR: the process still names DIR (its router's folder in this
# lab) on its command line, so a PID reused by an unrelated process after a
# crash is never signalled.
ours() {
  local cmdline
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
  [[ "$cmdline" == *"$2/"* ]]
}

# member_dir PIDFILE: LABDIR/<member> (pidfiles live in <member>/run or
# <member>/ssh).
member_dir() { dirname "$(dirname "$1")"; }

pidfile_pid() {
  local pid
  [ -s "$1" ] || return 1
  read -r pid <"$1" || true
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  echo "$pid"
}

# All pidfiles this lab can have, in stop order (sshd first: no new logins;
# bgpd before zebra).
all_pidfiles() {
  local r d
  for r in "${SSH_ROUTERS[@]}"; do echo "$LABDIR/$r/ssh/sshd.pid"; done
  for r in "${FRR_ROUTERS[@]}"; do
    for d in bgpd staticd zebra; do echo "$LABDIR/$r/run/$d.pid"; done
  done
  for r in "${BIRD_ROUTERS[@]}" "${FAR_ENDS[@]}"; do echo "$LABDIR/$r/run/bird.pid"; done
}

# stop_all: SIGTERM every live PID from our pidfiles, wait until each is gone
# or a zombie, SIGKILL (same PIDs only) what ignores SIGTERM for 5 s.
stop_all() {
  local f pid pids=() dirs=()
  while read -r f; do
    pid=$(pidfile_pid "$f") || { rm -f "$f"; continue; }
    if proc_alive "$pid" && ours "$pid" "$(member_dir "$f")"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      dirs+=("$(member_dir "$f")")
    fi
    rm -f "$f"
  done < <(all_pidfiles)
  [ ${#pids[@]} -gt 0 ] || return 0
  local i j left
  for i in $(seq 1 250); do
    left=()
    for j in "${!pids[@]}"; do proc_alive "${pids[$j]}" && left+=("$j"); done
    [ ${#left[@]} -eq 0 ] && break
    sleep 0.02
  done
  for j in "${left[@]}"; do
    pid=${pids[$j]}
    proc_alive "$pid" && ours "$pid" "${dirs[$j]}" || continue
    echo "lab: warning: PID $pid ignored SIGTERM for 5 s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  done
  log "stopped ${#pids[@]} processes"
}

# ----------------------------------------------------------- namespaces ---

# Every namespace this lab makes, by name.
lab_namespaces() {
  local m
  echo "$NS_IX"
  for m in "${MEMBERS[@]}"; do ns_of "$m"; done
}

# Those of them that exist now (exact names only: never another lab's).
our_namespaces() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -Fxf <(lab_namespaces) || true
}

delete_namespaces() {
  local ns pids
  for ns in $(our_namespaces); do
    pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
    if [ -n "$pids" ]; then
      # Not ours to kill (no pidfile names them); the namespace lives on
      # until they exit, but its name goes.
      echo "lab: warning: namespace $ns still has processes not started by this script's pidfiles: $pids" >&2
    fi
    ip netns delete "$ns"
  done
}

# nsx NS CMD...: run in a namespace.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

build_network() {
  local ns r
  for ns in $(lab_namespaces); do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # No DAD: IPv6 addresses are usable at once (bgpd/bird bind to them).
    nsx "$ns" sh -c 'echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad; echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad'
  done
  # The exchange: a bridge in its own namespace, one veth per member. The
  # veths are created inside ix, so their names never clash with the host's
  # or another lab's.
  ip -n "$NS_IX" link add br0 type bridge stp_state 0 mcast_snooping 0
  ip -n "$NS_IX" link set br0 up
  local member host
  for member in "${MEMBERS[@]}"; do
    ns=$(ns_of "$member")
    host=${HOST[$member]}
    ip -n "$NS_IX" link add "$member" type veth peer name lan0 netns "$ns"
    ip -n "$NS_IX" link set "$member" master br0 up
    ip -n "$ns" addr add "192.0.2.$host/24" dev lan0
    ip -n "$ns" addr add "2001:db8:1::$host/64" dev lan0 nodad
    ip -n "$ns" link set lan0 up
  done
  log "namespaces and LAN ready ($PREFIX-*)"
}

# ---------------------------------------------------------- shared user ---

# ensure_user: one lab user for all labs on this machine (a user has one
# password, so it is stored once in $SHARED_DIR and copied to each LABDIR).
# Serialised with flock so two labs coming up together do not race useradd.
ensure_user() {
  mkdir -p /run/lock
  exec 9>/run/lock/peerdesk-lab.lock
  flock 9
  mkdir -p -m 0755 "$SHELL_DIR" "$SHARED_DIR"
  # Replace the shell atomically: running sessions keep the old inode.
  if ! cmp -s "$HERE/login-shell.sh" "$LOGIN_SHELL"; then
    install -m 0755 "$HERE/login-shell.sh" "$LOGIN_SHELL.new"
    mv -f "$LOGIN_SHELL.new" "$LOGIN_SHELL"
  fi
  if id "$LAB_USER" >/dev/null 2>&1; then
    local shell
    shell=$(getent passwd "$LAB_USER" | cut -d: -f7)
    [ "$shell" = "$LOGIN_SHELL" ] || die "user $LAB_USER exists with shell $shell, not the lab's $LOGIN_SHELL: not ours, refusing to change it (set PEERDESK_LAB_USER to another name)"
  else
    useradd --system --home-dir "$SHARED_DIR/home" --create-home --shell "$LOGIN_SHELL" \
      --user-group --comment "Peerdesk router lab" "$LAB_USER"
    log "created user $LAB_USER"
  fi
  # frrvty: vtysh may use the vty sockets and write frr.conf; bird: birdc.
  local g
  for g in frrvty bird; do
    id -nG "$LAB_USER" | tr ' ' '\n' | grep -qx "$g" || usermod -aG "$g" "$LAB_USER"
  done
  if [ ! -s "$SHARED_DIR/password" ]; then
    # (No `tr </dev/urandom | head`: tr's SIGPIPE would fail the pipeline.)
    local pw
    pw=$(head -c 512 /dev/urandom | tr -dc 'A-Za-z0-9')
    (umask 077 && printf '%s' "${pw:0:24}" >"$SHARED_DIR/password")
  fi
  # With UsePAM no a locked account is refused even for key logins, so the
  # user always has this password (same value every time: other labs keep
  # working).
  printf '%s:%s\n' "$LAB_USER" "$(cat "$SHARED_DIR/password")" | chpasswd
  # sshd's privilege-separation directory (no systemd here to make it).
  install -d -m 0755 /run/sshd
  flock -u 9
  exec 9>&-
}

# -------------------------------------------------------------- material ---

# Keys survive a rebuild of the same LABDIR, so known_hosts entries a test
# saved stay valid.
make_keys() {
  local r t jobs=()
  mkdir -p -m 0755 "$LABDIR/keys"
  if [ ! -s "$LABDIR/keys/id_ed25519" ]; then
    ssh-keygen -q -t ed25519 -N '' -C "$LAB_USER@peerdesk-lab" -f "$LABDIR/keys/id_ed25519" &
    jobs+=($!)
  fi
  for r in "${SSH_ROUTERS[@]}"; do
    mkdir -p -m 0755 "$LABDIR/$r/ssh"
    for t in ed25519 ecdsa rsa; do
      if [ ! -s "$LABDIR/$r/ssh/ssh_host_${t}_key" ]; then
        ssh-keygen -q -t "$t" -N '' -C "$r.peerdesk-lab" -f "$LABDIR/$r/ssh/ssh_host_${t}_key" &
        jobs+=($!)
      fi
    done
  done
  for t in "${jobs[@]}"; do wait "$t"; done
  # authorized_keys is read by sshd as the lab user: world-readable, root-owned.
  install -m 0644 "$LABDIR/keys/id_ed25519.pub" "$LABDIR/keys/authorized_keys"
  install -m 0600 "$SHARED_DIR/password" "$LABDIR/password"
  log "keys ready"
}

write_frr_config() {
  local r=$1 host=${HOST[$1]} d="$LABDIR/$1"
  rm -rf "$d/etc" "$d/run" "$d/log"
  install -d -o frr -g frrvty -m 2775 "$d/etc" "$d/log"
  install -d -o frr -g frr -m 0775 "$d/run"
  local dm
  # Empty per-daemon files: the daemons must not fall back to /etc/frr.
  for dm in "${FRR_DAEMONS[@]}"; do install -o frr -g frrvty -m 0640 /dev/null "$d/etc/$dm.conf"; done
  cat >"$d/etc/vtysh.conf" <<EOF
service integrated-vtysh-config
hostname $r
EOF
  {
    cat <<EOF
hostname $r
service integrated-vtysh-config
!
! Peerdesk lab router $r: the base configuration Peerdesk pushes neighbours onto.
! bgpd would hold new peers for the 5 s route-map delay without this line.
bgp route-map delay-timer 0
!
router bgp $LOCAL_ASN
 bgp router-id 192.0.2.$host
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor IX-V4 peer-group
 neighbor IX-V4 remote-as external
 neighbor IX-V4 timers connect 5
 neighbor IX-V6 peer-group
 neighbor IX-V6 remote-as external
 neighbor IX-V6 timers connect 5
EOF
    if [ "$r" = r2 ]; then
      # One existing session, so an Import test has something to find.
      cat <<EOF
 neighbor 192.0.2.100 remote-as 64500
 neighbor 192.0.2.100 peer-group IX-V4
 neighbor 192.0.2.100 description AS64500 lab far end
EOF
    fi
    cat <<EOF
 !
 address-family ipv4 unicast
  neighbor IX-V4 activate
  neighbor IX-V4 route-map PEER-IN in
  neighbor IX-V4 route-map PEER-OUT out
 exit-address-family
 !
 address-family ipv6 unicast
  neighbor IX-V6 activate
  neighbor IX-V6 route-map PEER-IN in
  neighbor IX-V6 route-map PEER-OUT out
 exit-address-family
exit
!
route-map PEER-IN permit 10
exit
!
route-map PEER-OUT permit 10
exit
!
EOF
  } >"$d/etc/frr.conf"
  chown frr:frrvty "$d/etc/frr.conf" "$d/etc/vtysh.conf"
  chmod 0664 "$d/etc/frr.conf" "$d/etc/vtysh.conf"
}

write_bird_router_config() {
  local r=$1 host=${HOST[$1]} d="$LABDIR/$1"
  rm -rf "$d/etc" "$d/run" "$d/log"
  install -d -m 0755 "$d/etc"
  # bird writes its pidfile and log after dropping to user bird.
  install -d -o bird -g bird -m 0755 "$d/run" "$d/log"
  # peers/: the lab user writes (SFTP), bird reads after dropping to user bird.
  install -d -o "$LAB_USER" -g bird -m 2775 "$d/etc/peers"
  cat >"$d/etc/bird.conf" <<EOF
# Peerdesk lab router $r (BIRD 2): Peerdesk adds one file per session in
# peers/ (protocol bgp NAME from IX_PEERS { ... }) and runs birdc configure.
log "$d/log/bird.log" all;
router id 192.0.2.$host;

protocol device { }

filter PEER_IN { accept; }
filter PEER_OUT { accept; }

template bgp IX_PEERS {
  local as $LOCAL_ASN;
  # BIRD waits 5 s before its first connect by default.
  connect delay time 1;
  connect retry time 5;
  ipv4 { import filter PEER_IN; export filter PEER_OUT; };
  ipv6 { import filter PEER_IN; export filter PEER_OUT; };
}

include "peers/*.conf";
EOF
  chmod 0644 "$d/etc/bird.conf"
}

# A far end: BIRD in its own namespace, one passive BGP protocol per (lab
# router, family). Passive, so nothing knocks on the routers' doors until
# Peerdesk configures a neighbour; the router connects at once.
write_far_end_config() {
  local f=$1 o=${HOST[$1]} d="$LABDIR/$1" r fam asn
  asn=$((64400 + o))
  rm -rf "$d/etc" "$d/run" "$d/log"
  install -d -m 0755 "$d/etc"
  install -d -o bird -g bird -m 0755 "$d/run" "$d/log"
  {
    cat <<EOF
# Far end AS$asn of the Peerdesk lab (192.0.2.$o, 2001:db8:1::$o).
log "$d/log/bird.log" { info, warning, error, fatal, bug };
router id 192.0.2.$o;

protocol device { }

template bgp FAR_END {
  local as $asn;
  passive on;
}
EOF
    if [ -n "${FAR_ROUTES4[$o]:-}" ]; then
      echo "protocol static announce_v4 { ipv4; route ${FAR_ROUTES4[$o]} blackhole; }"
      echo "protocol static announce_v6 { ipv6; route ${FAR_ROUTES6[$o]} blackhole; }"
    fi
    for r in "${SSH_ROUTERS[@]}"; do
      for fam in 4 6; do
        local nb exp=none
        if [ $fam = 4 ]; then nb=192.0.2.${HOST[$r]}; else nb=2001:db8:1::${HOST[$r]}; fi
        [ -n "${FAR_ROUTES4[$o]:-}" ] && exp="where proto = \"announce_v$fam\""
        echo "protocol bgp ${r}_v$fam from FAR_END { neighbor $nb as $LOCAL_ASN; ipv$fam { import all; export $exp; }; }"
      done
    done
  } >"$d/etc/bird.conf"
  chmod 0644 "$d/etc/bird.conf"
}

# pick_port EXCLUDED...: a free TCP port on 127.0.0.1 (sshd retries if a
# race takes it before sshd binds).
# Ports come from below the kernel's ephemeral range, so an outgoing
# connection's local port cannot take one between the pick and sshd's bind.
pick_port() {
  local p used low
  used=$(ss -Hltn | awk '{print $4}' | sed 's/.*://' | sort -u)
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  [ "$low" -gt 12000 ] || low=32768
  while :; do
    p=$((10000 + RANDOM % (low - 10000)))
    grep -qx "$p" <<<"$used" && continue
    [[ " $* " == *" $p "* ]] && continue
    echo "$p"
    return
  done
}

write_sshd_config() {
  local r=$1 port=$2 platform=$3 d="$LABDIR/$1/ssh"
  {
    cat <<EOF
# sshd of lab router $r: only for the lab user, only on loopback.
Port $port
ListenAddress 127.0.0.1
HostKey $d/ssh_host_ed25519_key
HostKey $d/ssh_host_ecdsa_key
HostKey $d/ssh_host_rsa_key
PidFile $d/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $LABDIR/keys/authorized_keys
StrictModes $STRICT_MODES
AllowUsers $LAB_USER
PermitRootLogin no
PermitUserEnvironment no
AllowAgentForwarding no
AllowTcpForwarding no
AllowStreamLocalForwarding no
X11Forwarding no
PermitTunnel no
PrintMotd no
PrintLastLog no
UseDNS no
LogLevel VERBOSE
# Tests open many sessions at once.
MaxStartups 100:30:200
MaxSessions 50
SetEnv LAB_DIR=$LABDIR LAB_ROUTER=$r LAB_PLATFORM=$platform
EOF
    if [ "$platform" = bird2 ]; then
      # internal-sftp: no shell involved, starts in the BIRD config folder so
      # `peers/NAME.conf` works as a relative path.
      echo "Subsystem sftp internal-sftp -d $LABDIR/$r/etc"
    fi
  } >"$d/sshd_config"
  chmod 0644 "$d/sshd_config"
}

# --------------------------------------------------------------- daemons ---

wait_for() { # wait_for SECONDS TEST...
  local deadline=$(($(date +%s%N) + $1 * 1000000000))
  shift
  until "$@"; do
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.02
  done
}

start_frr() {
  local r=$1 ns d="$LABDIR/$1" dm
  ns=$(ns_of "$r")
  for dm in "${FRR_DAEMONS[@]}"; do
    # unshare --uts: FRR 8.4 takes its hostname from uname, not frr.conf.
    unshare --uts sh -c 'hostname "$1"; shift; exec "$@"' sh "$r" \
      ip netns exec "$ns" "/usr/lib/frr/$dm" -d -P 0 -f "$d/etc/$dm.conf" \
      --vty_socket "$d/run" -i "$d/run/$dm.pid" -z "$d/run/zserv.api" \
      --log "file:$d/log/$dm.log" </dev/null >>"$d/log/start.log" 2>&1 8>&- 9>&- ||
      die "$r: $dm did not start (see $d/log/start.log, $d/log/$dm.log)"
    if [ "$dm" = zebra ]; then
      # staticd and bgpd need zebra's API socket.
      wait_for 10 test -S "$d/run/zserv.api" || die "$r: zebra did not open $d/run/zserv.api"
    fi
  done
  for dm in "${FRR_DAEMONS[@]}"; do
    wait_for 10 test -S "$d/run/$dm.vty" || die "$r: $dm did not open its vty socket"
  done
  # Apply the integrated frr.conf to the running daemons.
  vtysh --vty_socket "$d/run" --config_dir "$d/etc" -b >>"$d/log/start.log" 2>&1 ||
    die "$r: vtysh -b failed to apply frr.conf (see $d/log/start.log)"
  log "$r: FRR up"
}

start_bird() {
  local name=$1 ns=$2 d="$LABDIR/$1"
  bird -p -c "$d/etc/bird.conf" >>"$d/log/start.log" 2>&1 || die "$name: bird.conf invalid (see $d/log/start.log)"
  # unshare --uts: `birdc show status` names the router, not the host.
  unshare --uts sh -c 'hostname "$1"; shift; exec "$@"' sh "$name" \
    ip netns exec "$ns" bird -c "$d/etc/bird.conf" -s "$d/run/bird.ctl" -P "$d/run/bird.pid" \
    -u bird -g bird </dev/null >>"$d/log/start.log" 2>&1 8>&- 9>&- || die "$name: bird did not start (see $d/log/start.log)"
  wait_for 10 test -S "$d/run/bird.ctl" || die "$name: bird did not open $d/run/bird.ctl"
  wait_for 10 test -s "$d/run/bird.pid" || die "$name: bird wrote no pidfile"
  log "$name: BIRD up"
}

# sshd_settled DIR LOGSIZE: sshd wrote its pidfile, or said after byte
# LOGSIZE of its log that it could not bind.
sshd_settled() {
  test -s "$1/sshd.pid" || tail -c +"$(($2 + 1))" "$1/sshd.log" | grep -q 'Cannot bind any address'
}

start_sshd() {
  local r=$1 platform=$2 port=$3 d="$LABDIR/$1/ssh" try logsize
  shift 3 # the rest: ports other routers of this lab took
  for try in 1 2 3 4 5; do
    write_sshd_config "$r" "$port" "$platform"
    /usr/sbin/sshd -t -f "$d/sshd_config" 2>>"$d/sshd.log" || die "$r: sshd_config invalid (see $d/sshd.log)"
    # Absolute path: sshd re-execs itself. OpenSSH 9.2 daemonises before it
    # binds (measured: exit status 0, then "Cannot bind any address" in its
    # log and no pidfile), so a port taken by a race shows only in the log:
    # look at what this attempt appended to it.
    rm -f "$d/sshd.pid"
    touch "$d/sshd.log"
    logsize=$(stat -c %s "$d/sshd.log")
    if /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log" </dev/null >>"$d/sshd.log" 2>&1 8>&- 9>&-; then
      wait_for 10 sshd_settled "$d" "$logsize" || die "$r: sshd wrote no pidfile in 10 s; its log ends: $(tail -n 3 "$d/sshd.log" | tr "\n" " ")"
      if [ -s "$d/sshd.pid" ]; then
        echo "$port" >"$d/port"
        log "$r: sshd on 127.0.0.1:$port"
        return 0
      fi
    fi
    echo "lab: $r: sshd could not use port $port; trying another" >&2
    port=$(pick_port "$@")
  done
  die "$r: sshd did not start (see $d/sshd.log)"
}

# ------------------------------------------------------------ lab.json ---

host_keys_json() {
  local r=$1 t first=1 line fp pub type
  printf '{'
  for t in ed25519 ecdsa rsa; do
    pub="$LABDIR/$r/ssh/ssh_host_${t}_key.pub"
    read -r type line _ <"$pub"
    fp=$(ssh-keygen -l -E sha256 -f "$pub" | awk '{print $2}')
    [ $first = 1 ] || printf ','
    first=0
    printf '\n        "%s": {"fingerprint": "%s", "public_key": "%s"}' "$type" "$fp" "$line"
  done
  printf '\n      }'
}

write_known_hosts() {
  local r t type key _c
  : >"$LABDIR/known_hosts.new"
  for r in "${SSH_ROUTERS[@]}"; do
    for t in ed25519 ecdsa rsa; do
      read -r type key _c <"$LABDIR/$r/ssh/ssh_host_${t}_key.pub"
      echo "[127.0.0.1]:$(cat "$LABDIR/$r/ssh/port") $type $key" >>"$LABDIR/known_hosts.new"
    done
  done
  chmod 0644 "$LABDIR/known_hosts.new"
  mv -f "$LABDIR/known_hosts.new" "$LABDIR/known_hosts"
}

write_lab_json() {
  local r first=1 o f
  {
    cat <<EOF
{
  "version": 1,
  "lab_dir": "$LABDIR",
  "prefix": "$PREFIX",
  "ssh": {
    "host": "127.0.0.1",
    "user": "$LAB_USER",
    "password_file": "$LABDIR/password",
    "key_file": "$LABDIR/keys/id_ed25519",
    "public_key_file": "$LABDIR/keys/id_ed25519.pub",
    "known_hosts_file": "$LABDIR/known_hosts"
  },
  "lan": {
    "ipv4": "$LAN4",
    "ipv6": "$LAN6",
    "namespace": "$NS_IX",
    "bridge": "br0"
  },
  "routers": [
EOF
    for r in "${SSH_ROUTERS[@]}"; do
      local host=${HOST[$r]} platform=frr
      [[ " ${BIRD_ROUTERS[*]} " == *" $r "* ]] && platform=bird2
      [ $first = 1 ] || printf '    },\n'
      first=0
      cat <<EOF
    {
      "name": "$r",
      "platform": "$platform",
      "local_asn": $LOCAL_ASN,
      "router_id": "192.0.2.$host",
      "ipv4": "192.0.2.$host",
      "ipv6": "2001:db8:1::$host",
      "namespace": "$(ns_of "$r")",
      "ssh_host": "127.0.0.1",
      "ssh_port": $(cat "$LABDIR/$r/ssh/port"),
      "user": "$LAB_USER",
      "password_file": "$LABDIR/password",
      "key_file": "$LABDIR/keys/id_ed25519",
      "host_keys": $(host_keys_json "$r"),
      "sshd_log": "$LABDIR/$r/ssh/sshd.log",
EOF
      if [ "$platform" = frr ]; then
        local pre='[]'
        [ "$r" = r2 ] && pre='[{"address": "192.0.2.100", "remote_asn": 64500, "peer_group": "IX-V4", "description": "AS64500 lab far end", "remote_as_in_running_config": false}]'
        cat <<EOF
      "vty_socket_dir": "$LABDIR/$r/run",
      "config_dir": "$LABDIR/$r/etc",
      "vtysh": ["vtysh", "--vty_socket", "$LABDIR/$r/run", "--config_dir", "$LABDIR/$r/etc"],
      "log_dir": "$LABDIR/$r/log",
      "peer_groups": {"ipv4": "IX-V4", "ipv6": "IX-V6"},
      "policies": {"import": "PEER-IN", "export": "PEER-OUT"},
      "preconfigured_neighbors": $pre
EOF
      else
        cat <<EOF
      "bird_socket": "$LABDIR/$r/run/bird.ctl",
      "config_file": "$LABDIR/$r/etc/bird.conf",
      "config_dir": "$LABDIR/$r/etc",
      "peers_dir": "$LABDIR/$r/etc/peers",
      "peers_dir_sftp": "peers",
      "birdc": ["/usr/sbin/birdc", "-s", "$LABDIR/$r/run/bird.ctl"],
      "log_dir": "$LABDIR/$r/log",
      "template": "IX_PEERS",
      "policies": {"import": "PEER_IN", "export": "PEER_OUT"},
      "preconfigured_neighbors": []
EOF
      fi
    done
    cat <<EOF
    }
  ],
  "far_ends": [
EOF
    first=1
    for f in "${FAR_ENDS[@]}"; do
      o=${HOST[$f]}
      [ $first = 1 ] || printf '    },\n'
      first=0
      local ann='[]'
      [ -n "${FAR_ROUTES4[$o]:-}" ] && ann="[\"${FAR_ROUTES4[$o]}\", \"${FAR_ROUTES6[$o]}\"]"
      cat <<EOF
    {
      "name": "$f",
      "asn": $((64400 + o)),
      "ipv4": "192.0.2.$o",
      "ipv6": "2001:db8:1::$o",
      "announces": $ann,
      "namespace": "$(ns_of "$f")",
      "bird_socket": "$LABDIR/$f/run/bird.ctl",
      "birdc": ["/usr/sbin/birdc", "-s", "$LABDIR/$f/run/bird.ctl"],
      "protocols": {$(for r in "${SSH_ROUTERS[@]}"; do printf '"%s": {"ipv4": "%s_v4", "ipv6": "%s_v6"}' "$r" "$r" "$r"; [ "$r" = "${SSH_ROUTERS[-1]}" ] || printf ', '; done)}
EOF
    done
    printf '    }\n  ]\n}\n'
  } >"$LABDIR/lab.json.new"
  chmod 0644 "$LABDIR/lab.json.new"
  mv -f "$LABDIR/lab.json.new" "$LABDIR/lab.json"
}

# ------------------------------------------------------------- commands ---

# healthy: every daemon alive, every namespace present, every sshd listening.
# With "report", print one line per component.
healthy() {
  local report=${1:-} ok=0 f pid ns r port
  say() { [ -z "$report" ] || echo "$@"; }
  [ -f "$LABDIR/$MARKER" ] || { say "no lab in $LABDIR"; return 1; }
  while read -r f; do
    if pid=$(pidfile_pid "$f") && proc_alive "$pid" && ours "$pid" "$(member_dir "$f")"; then
      say "up    ${f#"$LABDIR"/} pid $pid"
    else
      say "DOWN  ${f#"$LABDIR"/}"
      ok=1
    fi
  done < <(all_pidfiles)
  local present
  present=$(our_namespaces)
  for ns in $(lab_namespaces); do
    if grep -qx "$ns" <<<"$present"; then say "up    netns $ns"; else say "DOWN  netns $ns"; ok=1; fi
  done
  for r in "${SSH_ROUTERS[@]}"; do
    port=$(cat "$LABDIR/$r/ssh/port" 2>/dev/null || true)
    if [ -n "$port" ] && ss -Hltn "sport = :$port" | grep -q 127.0.0.1; then
      say "up    $r ssh 127.0.0.1:$port"
    else
      say "DOWN  $r ssh ${port:-?}"
      ok=1
    fi
  done
  [ -f "$LABDIR/lab.json" ] || { say "DOWN  lab.json"; ok=1; }
  return $ok
}

cmd_up() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces, daemons, the lab user)"
  local b
  for b in /usr/lib/frr/zebra /usr/lib/frr/bgpd /usr/lib/frr/staticd /usr/bin/vtysh /usr/sbin/bird \
    /usr/sbin/birdc /usr/sbin/sshd /usr/bin/ssh-keygen /usr/bin/ip /usr/bin/ss /usr/bin/unshare; do
    [ -x "$b" ] || die "$b missing: install frr bird2 openssh-server openssh-client iproute2 (scripts/deps.sh)"
  done
  resolve_labdir "$1"
  check_parents
  create_labdir
  if [ -n "$(ls -A "$LABDIR")" ] && [ ! -f "$LABDIR/$MARKER" ]; then
    die "$LABDIR is not empty and is not a lab: refusing to use it"
  fi
  # LABDIR itself is ours: make it what StrictModes and the daemons need.
  chown root:root "$LABDIR"
  chmod 0755 "$LABDIR"
  echo "$PREFIX" >"$LABDIR/$MARKER"
  lock_lab
  # Always: a running lab picks up a changed login shell too.
  ensure_user
  if healthy; then
    log "already up: $LABDIR/lab.json"
    return 0
  fi
  # Whatever is left of an earlier run goes first (same rules as down).
  stop_all
  delete_namespaces
  rm -f "$LABDIR/lab.json"
  # A failed up takes down what it started, so nothing half-built lingers.
  trap up_failed EXIT

  # Key generation (RSA mostly) is the slowest step of a first up: it runs
  # while the network and the routing daemons come up; only sshd needs it.
  make_keys &
  local keys_job=$!
  local r
  for r in "${FRR_ROUTERS[@]}"; do write_frr_config "$r"; done
  for r in "${BIRD_ROUTERS[@]}"; do write_bird_router_config "$r"; done
  for r in "${FAR_ENDS[@]}"; do write_far_end_config "$r"; done
  build_network

  # Routers come up in parallel: each job either finishes or dies with a
  # message; any failure fails `up` (and up_failed cleans up).
  local jobs=() j failed=0
  for r in "${FRR_ROUTERS[@]}"; do start_frr "$r" & jobs+=($!); done
  for r in "${BIRD_ROUTERS[@]}"; do start_bird "$r" "$(ns_of "$r")" & jobs+=($!); done
  for r in "${FAR_ENDS[@]}"; do start_bird "$r" "$(ns_of "$r")" & jobs+=($!); done
  wait "$keys_job" || die "making keys failed"
  local ports=() port platform
  for r in "${SSH_ROUTERS[@]}"; do
    # Keep the previous port when it is still free: known_hosts stays valid.
    port=$(cat "$LABDIR/$r/ssh/port" 2>/dev/null || true)
    if [ -z "$port" ] || ss -Hltn "sport = :$port" | grep -q . || [[ " ${ports[*]} " == *" $port "* ]]; then
      port=$(pick_port "${ports[@]}")
    fi
    ports+=("$port")
    platform=frr
    [[ " ${BIRD_ROUTERS[*]} " == *" $r "* ]] && platform=bird2
    start_sshd "$r" "$platform" "$port" "${ports[@]}" & jobs+=($!)
  done
  for j in "${jobs[@]}"; do wait "$j" || failed=1; done
  [ $failed = 0 ] || die "lab did not come up"

  write_known_hosts
  write_lab_json
  healthy || { healthy report >&2; die "lab is not healthy after up"; }
  trap - EXIT
  log "up: $LABDIR/lab.json"
}

up_failed() {
  local rc=$?
  [ $rc != 0 ] || return 0
  if [ -n "${LAB_KEEP_FAILED:-}" ]; then
    echo "lab: up failed; LAB_KEEP_FAILED is set, so it stays as it is (logs in $LABDIR/*/log); run: $0 down $LABDIR" >&2
  else
    echo "lab: up failed; stopping what it started (LAB_KEEP_FAILED=1 keeps it for debugging; logs in $LABDIR/*/log)" >&2
    stop_all
    delete_namespaces
  fi
  exit $rc
}

# lock_lab: one up/down at a time per lab. The lock is fd 8 of this process;
# every daemon is started with fds 8 and 9 closed, or it would hold the lock
# (and the user lock) for as long as it runs.
lock_lab() {
  exec 8>"$LABDIR/.lock"
  flock -w 60 8 || die "another lab.sh holds $LABDIR/.lock"
}

cmd_down() {
  [ "$(id -u)" = 0 ] || die "needs root"
  resolve_labdir "$1"
  if [ ! -d "$LABDIR" ]; then
    # No pidfiles, so no process to stop; namespaces named from this path
    # are still ours to delete (delete_namespaces names any process left).
    delete_namespaces
    log "nothing at $LABDIR"
    return 0
  fi
  if [ ! -f "$LABDIR/$MARKER" ]; then
    # Namespaces named from this path are ours even without the marker.
    delete_namespaces
    log "no lab in $LABDIR"
    return 0
  fi
  lock_lab
  stop_all
  delete_namespaces
  rm -f "$LABDIR/lab.json"
  # Check the promise: nothing of ours listening.
  local r port
  for r in "${SSH_ROUTERS[@]}"; do
    port=$(cat "$LABDIR/$r/ssh/port" 2>/dev/null || true)
    if [ -n "$port" ] && ss -Hltn "sport = :$port" | grep -q 127.0.0.1; then
      echo "lab: warning: something still listens on 127.0.0.1:$port" >&2
    fi
  done
  log "down: $LABDIR"
}

cmd_status() {
  resolve_labdir "$1"
  healthy report
}

[ $# -eq 2 ] || usage
case "$1" in
up) cmd_up "$2" ;;
down) cmd_down "$2" ;;
status) cmd_status "$2" ;;
*) usage ;;
esac
