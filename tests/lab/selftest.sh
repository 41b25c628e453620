#!/usr/bin/env bash
# Self-test of the router lab (tests/lab/lab.sh): brings a lab up in a fresh
# folder, drives it only the way Peerdesk will (real ssh, sftp, vtysh and
# birdc through the lab's sshds), checks BGP sessions reach Established, tears
# it down and checks nothing of it is left. Prints timings.
#
#   tests/lab/selftest.sh            # fresh folder under target/, removed after
#   LAB_KEEP=1 tests/lab/selftest.sh # keep the folder (logs) afterwards
#
# Needs root (like lab.sh) and python3 (to read JSON).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
LABSH="$HERE/lab.sh"
PY=$(command -v /usr/bin/python3 || command -v python3) || { echo "selftest: python3 needed" >&2; exit 1; }
ESTABLISHED_WITHIN_S=15

# Under target/: its parents are root-owned 0755, as sshd StrictModes wants.
mkdir -p "$REPO/target"
LAB=$(mktemp -d "$REPO/target/lab-selftest.XXXXXX")
LAB_IS_UP=0
failures=0
declare -A T   # timings, ms

now() { date +%s%N; }
ms_since() { echo $((($(now) - $1) / 1000000)); }
pass() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
info() { printf '      %s\n' "$*"; }
quiet() { "$@" >/dev/null; }
check() { # check DESCRIPTION CMD...: pass/fail on the command's status
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

cleanup() {
  local rc=$?
  if [ $LAB_IS_UP = 1 ]; then "$LABSH" down "$LAB" >/dev/null 2>&1 || true; fi
  if [ -z "${LAB_KEEP:-}" ]; then rm -rf "$LAB"; else echo "selftest: kept $LAB"; fi
  exit $rc
}
trap cleanup EXIT

# ---- up ----
LAB_QUIET=1
export LAB_QUIET
t=$(now)
"$LABSH" up "$LAB"
T[up]=$(ms_since "$t")
LAB_IS_UP=1
pass "lab up in ${T[up]} ms ($LAB)"
[ "${T[up]}" -lt 10000 ] || fail "lab up took ${T[up]} ms (target under 10 s)"

t=$(now)
"$LABSH" up "$LAB"
T[up_again]=$(ms_since "$t")
pass "second up is a no-op (${T[up_again]} ms)"
check "status says up" quiet "$LABSH" status "$LAB"

# ---- lab.json ----
# Shell variables from lab.json (values shell-quoted by python).
eval "$("$PY" - "$LAB/lab.json" <<'EOF'
import json, shlex, sys
d = json.load(open(sys.argv[1]))
out = {"PREFIX": d["prefix"], "USER": d["ssh"]["user"], "KEY": d["ssh"]["key_file"],
       "PWFILE": d["ssh"]["password_file"], "KNOWN": d["ssh"]["known_hosts_file"]}
for r in d["routers"]:
    n = r["name"].upper()
    out[f"PORT_{n}"] = r["ssh_port"]
    out[f"FP_{n}"] = " ".join(f"{t}={k['fingerprint']}" for t, k in sorted(r["host_keys"].items()))
    if r["platform"] == "bird2":
        out[f"SOCK_{n}"] = r["bird_socket"]
for f in d["far_ends"]:
    out[f"FAR_SOCK_{f['asn']}"] = f["bird_socket"]
for k, v in out.items():
    print(f"{k}={shlex.quote(str(v))}")
EOF
)"
pass "lab.json parses (prefix $PREFIX, ports r1 $PORT_R1, r2 $PORT_R2, b1 $PORT_B1)"

# Host keys in lab.json are the ones the sshds really present.
for r in R1 R2 B1; do
  port_var=PORT_$r fp_var=FP_$r
  scanned=$(ssh-keyscan -p "${!port_var}" -t ed25519,ecdsa,rsa 127.0.0.1 2>/dev/null |
    ssh-keygen -l -E sha256 -f - | awk '{t=$NF; gsub(/[()]/,"",t); print t"="$2}' | sort | tr '\n' ' ')
  # ssh-keygen names types ED25519/ECDSA/RSA; lab.json uses ssh-ed25519 etc.
  want=$(tr ' ' '\n' <<<"${!fp_var}" | sed -e 's/^ssh-ed25519=/ED25519=/' -e 's/^ecdsa-sha2-nistp256=/ECDSA=/' \
    -e 's/^ssh-rsa=/RSA=/' | sort | tr '\n' ' ')
  [ "${scanned% }" = "${want% }" ] && pass "${r,,}: host key fingerprints match lab.json" ||
    fail "${r,,}: host keys: sshd presents [$scanned], lab.json says [$want]"
done

SSHOPTS=(-o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$KNOWN"
  -o ConnectTimeout=5 -o LogLevel=ERROR -i "$KEY")
on() { local port=$1; shift; ssh "${SSHOPTS[@]}" -p "$port" "$USER@127.0.0.1" "$@"; }

# ---- FRR over ssh ----
for r in r1 r2; do
  port_var=PORT_${r^^}
  t=$(now)
  cfg=$(on "${!port_var}" 'show running-config')
  T[exec_$r]=$(ms_since "$t")
  if grep -q '^router bgp 64496' <<<"$cfg" && grep -q 'neighbor IX-V4 peer-group' <<<"$cfg" &&
    grep -q 'neighbor IX-V6 peer-group' <<<"$cfg" && grep -q '^route-map PEER-IN permit' <<<"$cfg" &&
    grep -q '^hostname '"$r" <<<"$cfg"; then
    pass "$r: show running-config over ssh (key; ${T[exec_$r]} ms): base config present"
  else
    fail "$r: show running-config over ssh: base config missing"
    printf '%s\n' "$cfg" | sed 's/^/      | /'
  fi
done
if on "$PORT_R1" 'show running-config' | grep -q 'neighbor 192\.0\.2\.'; then
  fail "r1 has neighbours preconfigured"
else
  pass "r1 has no neighbours preconfigured"
fi
check "r2 has the preconfigured neighbour 192.0.2.100 in IX-V4" \
  grep -q 'neighbor 192.0.2.100 peer-group IX-V4' <<<"$(on "$PORT_R2" 'show running-config')"

# Password login (no sshpass: OpenSSH's own askpass hook reads the file).
askpass="$LAB/askpass.sh"
printf '#!/bin/sh\ncat %s\n' "$PWFILE" >"$askpass"
chmod 0700 "$askpass"
t=$(now)
if out=$(SSH_ASKPASS="$askpass" SSH_ASKPASS_REQUIRE=force setsid ssh -o StrictHostKeyChecking=yes \
  -o "UserKnownHostsFile=$KNOWN" -o PubkeyAuthentication=no -o PreferredAuthentications=password \
  -o NumberOfPasswordPrompts=1 -o LogLevel=ERROR -p "$PORT_R1" "$USER@127.0.0.1" 'show version' </dev/null) &&
  grep -q 'FRRouting' <<<"$out"; then
  pass "r1: password login works ($(ms_since "$t") ms)"
else
  fail "r1: password login"
fi

# Interactive: the login shell is vtysh.
if out=$(printf 'show bgp summary\nexit\n' | ssh -tt "${SSHOPTS[@]}" -p "$PORT_R1" "$USER@127.0.0.1" 2>&1) &&
  grep -q 'r1# ' <<<"$out"; then
  pass "r1: interactive shell is vtysh (prompt 'r1# ')"
else
  fail "r1: interactive shell"
  printf '%s\n' "$out" | sed 's/^/      | /'
fi

# ---- BIRD over ssh ----
t=$(now)
if out=$(on "$PORT_B1" 'birdc show protocols') && grep -q 'device1' <<<"$out"; then
  pass "b1: birdc show protocols over ssh ($(ms_since "$t") ms)"
else
  fail "b1: birdc show protocols over ssh"
fi
check "b1: /usr/sbin/birdc -s <socket> works too" \
  grep -q 'BIRD 2' <<<"$(on "$PORT_B1" "/usr/sbin/birdc -s $SOCK_B1 show status")"
rc=0
on "$PORT_B1" id >/dev/null 2>&1 || rc=$?
[ $rc = 126 ] && pass "b1: other commands are refused (exit 126)" || fail "b1: 'id' was not refused (exit $rc)"

# SFTP upload the way Peerdesk does it: temporary name, then rename.
peerfile() { # peerfile NAME ADDRESS ASN AFI
  cat <<EOF
protocol bgp $1 from IX_PEERS {
  description "selftest $1";
  local as 64496;
  neighbor $2 as $3;
  $4 {
    import filter PEER_IN;
    export filter PEER_OUT;
  };
}
EOF
}
peerfile as64500_v4 192.0.2.100 64500 ipv4 >"$LAB/as64500_v4.conf"
peerfile as64500_v6 2001:db8:1::100 64500 ipv6 >"$LAB/as64500_v6.conf"
t=$(now)
if sftp "${SSHOPTS[@]}" -P "$PORT_B1" -b - "$USER@127.0.0.1" >/dev/null <<EOF; then
put $LAB/as64500_v4.conf peers/as64500_v4.conf.peerdesk-tmp
rename peers/as64500_v4.conf.peerdesk-tmp peers/as64500_v4.conf
put $LAB/as64500_v6.conf peers/as64500_v6.conf.peerdesk-tmp
rename peers/as64500_v6.conf.peerdesk-tmp peers/as64500_v6.conf
EOF
  T[sftp]=$(ms_since "$t")
  pass "b1: SFTP upload into peers/ (${T[sftp]} ms)"
else
  fail "b1: SFTP upload into peers/"
fi
check "b1: uploaded files are in peers/" \
  grep -q 'as64500_v6.conf' <<<"$(on "$PORT_B1" 'ls peers')"

# ---- sessions to Established ----
# frr_state PORT PEER AFI: the peer's state from `show bgp summary json`.
frr_state() {
  on "$1" 'show bgp summary json' | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(d.get(sys.argv[2], {}).get("peers", {}).get(sys.argv[1], {}).get("state", "absent"))' "$2" "$3"
}
# wait_established NAME START_NS STATE_CMD...: poll until Established.
wait_established() {
  local name=$1 start=$2 state=
  shift 2
  while [ $(($(now) - start)) -lt $((ESTABLISHED_WITHIN_S * 1000000000)) ]; do
    state=$("$@" 2>/dev/null || true)
    if [ "$state" = Established ]; then
      T[est_$name]=$(ms_since "$start")
      pass "$name: Established ${T[est_$name]} ms after the push"
      return 0
    fi
    sleep 0.1
  done
  fail "$name: not Established within ${ESTABLISHED_WITHIN_S} s (last state: ${state:-none})"
}

# r1, IPv4, with Peerdesk's FRR template order (remote-as, then peer-group).
t=$(now)
on "$PORT_R1" 'configure terminal
router bgp 64496
 neighbor 192.0.2.100 remote-as 64500
 neighbor 192.0.2.100 peer-group IX-V4
 neighbor 192.0.2.100 description selftest AS64500
 address-family ipv4 unicast
  neighbor 192.0.2.100 activate
 exit-address-family' || fail "r1: pushing neighbour 192.0.2.100 failed"
T[push_r1]=$(ms_since "$t")
wait_established "r1 192.0.2.100 (AS64500)" "$t" frr_state "$PORT_R1" 192.0.2.100 ipv4Unicast
# r1, IPv6, in the brief's order (peer-group first): FRR refuses remote-as on
# a member of a group that has `remote-as external`; the group's applies.
t=$(now)
out=$(on "$PORT_R1" 'configure terminal
router bgp 64496
 neighbor 2001:db8:1::100 peer-group IX-V6
 neighbor 2001:db8:1::100 remote-as 64500' 2>&1) && rc=0 || rc=$?
info "r1: 'peer-group' then 'remote-as 64500' exits $rc: ${out:-no output}"
wait_established "r1 2001:db8:1::100 (AS64500)" "$t" frr_state "$PORT_R1" 2001:db8:1::100 ipv6Unicast

# b1: the files are there; birdc configure (check first, as Peerdesk does).
check "b1: birdc configure check accepts the peers/ files" \
  grep -q 'Configuration OK' <<<"$(on "$PORT_B1" 'birdc configure check')"
t=$(now)
check "b1: birdc configure" grep -q 'Reconfigured' <<<"$(on "$PORT_B1" 'birdc configure')"
bird_state() { on "$PORT_B1" "birdc show protocols $1" | awk -v p="$1" '$1 == p {print $6}'; }
wait_established "b1 192.0.2.100 (AS64500)" "$t" bird_state as64500_v4
wait_established "b1 2001:db8:1::100 (AS64500)" "$t" bird_state as64500_v6

# r2's preconfigured session came up by itself.
check "r2: preconfigured 192.0.2.100 is Established" \
  test "$(frr_state "$PORT_R2" 192.0.2.100 ipv4Unicast)" = Established
# Routes really flow: AS64500 announces 198.51.100.0/24.
check "r1 received 198.51.100.0/24 from AS64500" \
  grep -q '198.51.100.0/24' <<<"$(on "$PORT_R1" 'show bgp ipv4 unicast')"
check "b1 received 198.51.100.0/24 from AS64500" \
  grep -q '198.51.100.0/24' <<<"$(on "$PORT_B1" 'birdc show route protocol as64500_v4')"
# The far end sees the sessions too (tests may drive it with birdc).
check "far end AS64500 sees r1_v4 and b1_v6 Established" \
  test "$(birdc -s "$FAR_SOCK_64500" show protocols | awk '$1 == "r1_v4" || $1 == "b1_v6" {print $6}' | sort -u)" = Established

# ---- down ----
# no_trace: nothing of the lab left, judged from the outside.
no_trace() {
  local left=() p cmd state port
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
    [[ "$cmd" == *"$LAB/"* ]] || continue
    state=$(cat 2>/dev/null "$p/stat") || continue
    state=${state##*) }
    [ "${state%% *}" = Z ] && continue # exited; init reaps it late here
    left+=("${p#/proc/}:${cmd:0:60}")
  done
  [ ${#left[@]} -eq 0 ] || { fail "processes left: ${left[*]}"; return 1; }
  if ip netns list | grep -q "^$PREFIX-"; then fail "namespaces left: $(ip netns list | grep "^$PREFIX-" | tr '\n' ' ')"; return 1; fi
  for port in "$PORT_R1" "$PORT_R2" "$PORT_B1"; do
    if ss -Hltn "sport = :$port" | grep -q .; then fail "port $port still listening"; return 1; fi
  done
  return 0
}

t=$(now)
"$LABSH" down "$LAB"
T[down]=$(ms_since "$t")
LAB_IS_UP=0
no_trace && pass "down in ${T[down]} ms: no process, namespace or listener left"
if "$LABSH" status "$LAB" >/dev/null; then fail "status says up after down"; else pass "status says down"; fi
check "second down is harmless" quiet "$LABSH" down "$LAB"

# ---- again: same folder, same host keys ----
fp_before=$(cat "$LAB/known_hosts" | awk '{print $2, $3}' | sort)
t=$(now)
"$LABSH" up "$LAB"
T[up_rebuild]=$(ms_since "$t")
LAB_IS_UP=1
check "up again in the same folder (${T[up_rebuild]} ms)" quiet "$LABSH" status "$LAB"
check "host keys kept across down/up" test "$fp_before" = "$(awk '{print $2, $3}' "$LAB/known_hosts" | sort)"
check "r1 is back to its base config (no neighbours)" \
  bash -c '! grep -q "neighbor 192\.0\.2\." <<<"$1"' _ "$(on "$(cat "$LAB/r1/ssh/port")" 'show running-config')"
"$LABSH" down "$LAB"
LAB_IS_UP=0
no_trace && pass "down again: nothing left"

echo
echo "timings (ms)"
for k in up up_again exec_r1 exec_r2 sftp push_r1 \
  "est_r1 192.0.2.100 (AS64500)" "est_r1 2001:db8:1::100 (AS64500)" \
  "est_b1 192.0.2.100 (AS64500)" "est_b1 2001:db8:1::100 (AS64500)" down up_rebuild; do
  printf '  %-36s %6s\n' "${k#est_}" "${T[$k]:--}"
done
echo
if [ $failures -eq 0 ]; then
  echo "selftest: all checks passed"
else
  echo "selftest: $failures check(s) failed"
  exit 1
fi
