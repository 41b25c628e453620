// Dev-only in-browser stand-in for the Tauri backend, loaded by invoke.ts only
// when VITE_PEERDESK_MOCK=1 (never in a normal build). It keeps an in-memory
// inventory with just enough behaviour to click through the UI; the rules
// that matter live in core, not here. Only documentation/private numbers.
import type { AuditEntry } from '$lib/bindings/AuditEntry';
import type { Exchange } from '$lib/bindings/Exchange';
import type { ExchangeSummary } from '$lib/bindings/ExchangeSummary';
import type { InventoryCounts } from '$lib/bindings/InventoryCounts';
import type { Network } from '$lib/bindings/Network';
import type { NewExchange } from '$lib/bindings/NewExchange';
import type { NewPeerGroup } from '$lib/bindings/NewPeerGroup';
import type { NewRouter } from '$lib/bindings/NewRouter';
import type { NewSession } from '$lib/bindings/NewSession';
import type { PeerGroup } from '$lib/bindings/PeerGroup';
import type { Router } from '$lib/bindings/Router';
import type { Session } from '$lib/bindings/Session';
import type { SessionChanges } from '$lib/bindings/SessionChanges';
import type { SessionFilter } from '$lib/bindings/SessionFilter';
import type { Settings } from '$lib/bindings/Settings';
import type { SettingsChanges } from '$lib/bindings/SettingsChanges';
import type { BgpState } from '$lib/bindings/BgpState';
import type { ConfigState } from '$lib/bindings/ConfigState';
import { filterSessions, textNeedle } from '../../views/peering/sessionFilter';

const now = () => new Date().toISOString();
let nextId = 1;
const id = () => nextId++;

// Asserted, not annotated: Settings grows fields the mock does not model.
let settings = { ownAsns: [64496], orgName: 'Example Networks', coordinatorName: '', coordinatorEmail: '' } as Settings;
let exchanges: Exchange[] = [];
let routers: Router[] = [];
let groups: PeerGroup[] = [];
let networks: Network[] = [];
let sessions: Session[] = [];
const audit: AuditEntry[] = [];

function fail(kind: string, message: string, field: string | null = null): never {
  throw { kind, message, field };
}

function record(entity: string, entityId: number | null, action: AuditEntry['action'], summary: string, oldValue?: unknown, newValue?: unknown) {
  audit.unshift({
    id: id(),
    at: now(),
    entity,
    entityId,
    action,
    summary,
    oldValue: oldValue === undefined ? null : JSON.stringify(oldValue),
    newValue: newValue === undefined ? null : JSON.stringify(newValue),
  });
}

function counts(): InventoryCounts {
  return {
    exchanges: exchanges.length,
    routers: routers.length,
    peerGroups: groups.length,
    networks: networks.length,
    sessions: sessions.length,
  };
}

function summary(ex: Exchange | null): ExchangeSummary {
  const list = sessions.filter((s) => s.exchangeId === (ex?.id ?? null));
  const by = (c: ConfigState) => list.filter((s) => s.configState === c).length;
  return {
    exchange: ex,
    routerNames: ex ? routers.filter((r) => r.attachments.some((a) => a.exchangeId === ex.id)).map((r) => r.name) : [],
    sessions: list.length,
    established: list.filter((s) => s.bgpState === 'established').length,
    configured: by('configured'),
    pending: by('pending'),
    failed: by('failed'),
    notConfigured: by('not_configured'),
  };
}

function parseAsn(text: string, field: string): number {
  const m = /^(?:AS)?(\d{1,10})$/i.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 4294967294) fail('invalid', `'${text}' is not an AS number`, field);
  return n;
}

function asnNote(asn: number): string | null {
  if ((asn >= 64496 && asn <= 64511) || (asn >= 65536 && asn <= 65551)) return 'documentation ASN';
  if ((asn >= 64512 && asn <= 65534) || asn >= 4200000000) return 'private ASN';
  return null;
}

function toExchange(n: NewExchange, old?: Exchange): Exchange {
  if (!n.name.trim()) fail('invalid', 'required', 'name');
  return {
    id: old?.id ?? id(),
    name: n.name,
    city: n.city,
    country: n.country.toUpperCase(),
    peeringdbIxId: n.peeringdbIxId ?? null,
    peeringdbIxlanId: n.peeringdbIxlanId ?? null,
    prefixV4: n.prefixV4 ?? null,
    prefixV6: n.prefixV6 ?? null,
    createdAt: old?.createdAt ?? now(),
    updatedAt: now(),
  };
}

function toRouter(n: Omit<NewRouter, 'newPeerGroup'>, old?: Router): Router {
  if (!n.name.trim()) fail('invalid', 'required', 'name');
  if (!n.mgmtAddress.trim()) fail('invalid', 'required', 'mgmtAddress');
  if (n.authMethod === 'key' && !n.sshKeyPath) fail('invalid', 'choose the SSH key file', 'sshKeyPath');
  return {
    id: old?.id ?? id(),
    name: n.name,
    mgmtAddress: n.mgmtAddress,
    sshPort: n.sshPort,
    platform: n.platform,
    username: n.username,
    authMethod: n.authMethod,
    credentialRef: n.password ? `router-${old?.id ?? 'new'}` : (old?.credentialRef ?? null),
    sshKeyPath: n.sshKeyPath ?? null,
    localAsn: parseAsn(n.localAsn, 'localAsn'),
    notes: n.notes,
    attachments: n.attachments.map((a) => ({
      exchangeId: a.exchangeId,
      exchangeName: exchanges.find((e) => e.id === a.exchangeId)?.name ?? '?',
      ipv4: a.ipv4,
      ipv6: a.ipv6,
    })),
    createdAt: old?.createdAt ?? now(),
    updatedAt: now(),
  };
}

function toGroup(n: NewPeerGroup, old?: PeerGroup): PeerGroup {
  const router = routers.find((r) => r.id === n.routerId) ?? fail('invalid', 'choose a router', 'routerId');
  if (!n.name.trim()) fail('invalid', 'required', 'name');
  return {
    id: old?.id ?? id(),
    name: n.name,
    routerId: router.id,
    routerName: router.name,
    exchangeId: n.exchangeId ?? null,
    exchangeName: exchanges.find((e) => e.id === n.exchangeId)?.name ?? null,
    family: n.family,
    importPolicy: n.importPolicy,
    exportPolicy: n.exportPolicy,
    maxPrefix: n.maxPrefix ?? null,
    sessionType: n.sessionType,
    sessionCount: old?.sessionCount ?? 0,
    createdAt: old?.createdAt ?? now(),
    updatedAt: now(),
  };
}

function network(asn: number, name: string, asSet = ''): Network {
  const found = networks.find((n) => n.asn === asn);
  if (found) return found;
  const n: Network = {
    id: id(), asn, name, asSet, maxPrefixV4: null, maxPrefixV6: null, peeringdbNetId: null,
    localPeer: true, sessionCount: 0, createdAt: now(), updatedAt: now(),
  };
  networks.push(n);
  return n;
}

function session(p: {
  exchange: Exchange | null; router: Router; group: PeerGroup | null; net: Network; ip: string;
  config?: ConfigState; bgp?: BgpState | null; type?: Session['sessionType']; notes?: string;
}): Session {
  return {
    id: id(),
    sessionType: p.type ?? 'peer',
    exchangeId: p.exchange?.id ?? null,
    exchangeName: p.exchange?.name ?? null,
    routerId: p.router.id,
    routerName: p.router.name,
    peerGroupId: p.group?.id ?? null,
    peerGroupName: p.group?.name ?? null,
    networkId: p.net.id,
    asn: p.net.asn,
    networkName: p.net.name,
    peerIp: p.ip,
    ipVersion: p.ip.includes(':') ? 6 : 4,
    md5Ref: null,
    adminState: 'up',
    configState: p.config ?? 'not_configured',
    bgpState: p.bgp ?? null,
    bgpRefreshedAt: p.bgp ? now() : null,
    notes: p.notes ?? '',
    createdAt: now(),
    updatedAt: now(),
  };
}

function loadDemo(): InventoryCounts {
  const ex = (name: string, city: string, country: string, v4: string, v6: string) => {
    const e = toExchange({ name, city, country, prefixV4: v4, prefixV6: v6 });
    exchanges.push(e);
    return e;
  };
  const big = ex('DEMO-IX Frankfurt', 'Frankfurt', 'DE', '10.100.0.0/16', '2001:db8:100::/64');
  const small = ex('DEMO-IX Amsterdam', 'Amsterdam', 'NL', '192.0.2.0/24', '2001:db8:200::/64');
  ex('DEMO-IX London', 'London', 'GB', '198.51.100.0/24', '2001:db8:300::/64');
  const r1 = toRouter({
    name: 'edge1.fra', mgmtAddress: '203.0.113.10', sshPort: 22, platform: 'frr', username: 'netops',
    authMethod: 'key', sshKeyPath: '/home/netops/.ssh/id_ed25519', localAsn: '64496', notes: '',
    attachments: [{ exchangeId: big.id, ipv4: '10.100.0.1', ipv6: '2001:db8:100::1' }],
  });
  const r2 = toRouter({
    name: 'edge1.ams', mgmtAddress: '203.0.113.20', sshPort: 22, platform: 'bird2', username: 'netops',
    authMethod: 'agent', localAsn: '64496', notes: '',
    attachments: [{ exchangeId: small.id, ipv4: '192.0.2.1', ipv6: '2001:db8:200::1' }],
  });
  routers.push(r1, r2);
  const g = (router: Router, name: string, family: 'ipv4' | 'ipv6', exchangeId: number) => {
    const pg = toGroup({ routerId: router.id, name, family, exchangeId, importPolicy: 'PEER-IN', exportPolicy: 'PEER-OUT', maxPrefix: 1000, sessionType: 'peer' });
    groups.push(pg);
    return pg;
  };
  const g4 = g(r1, 'IX-PEERS-V4', 'ipv4', big.id);
  const g6 = g(r1, 'IX-PEERS-V6', 'ipv6', big.id);
  const a4 = g(r2, 'AMS-PEERS-V4', 'ipv4', small.id);
  const words = ['Example', 'Sample', 'Test', 'Demo', 'Acme', 'Northwind', 'Contoso', 'Fabrikam'];
  const kinds = ['Networks', 'Telecom', 'Cloud', 'Fibre', 'Hosting', 'Internet'];
  const configs: ConfigState[] = ['configured', 'configured', 'configured', 'pending', 'failed', 'not_configured'];
  const bgps: (BgpState | null)[] = ['established', 'established', 'established', 'active', 'idle', null];
  for (let i = 0; i < 10000; i++) {
    const net = network(4200000000 + i, `${words[i % 8]} ${kinds[i % 6]} ${i}`, `AS-DEMO${i}`);
    const c = configs[i % 6];
    const b = c === 'configured' ? bgps[i % 6] : null;
    sessions.push(session({ exchange: big, router: r1, group: g4, net, ip: `10.100.${Math.floor(i / 250)}.${(i % 250) + 2}`, config: c, bgp: b }));
    sessions.push(session({ exchange: big, router: r1, group: g6, net, ip: `2001:db8:100::${(i + 2).toString(16)}`, config: c, bgp: b }));
  }
  for (let i = 0; i < 12; i++) {
    const net = network(64500 + (i % 12), `Documentation Peer ${i}`);
    sessions.push(session({ exchange: small, router: r2, group: a4, net, ip: `192.0.2.${i + 10}`, config: 'configured', bgp: 'established' }));
  }
  const transit = network(65550, 'Doc Transit');
  sessions.push(session({ exchange: null, router: r1, group: null, net: transit, ip: '198.51.100.9', type: 'transit', config: 'pending' }));
  record('inventory', null, 'import', 'Demo data loaded');
  return counts();
}

function addSession(n: NewSession): Session[] {
  const router = routers.find((r) => r.id === n.routerId) ?? fail('invalid', 'choose a router', 'routerId');
  const exchange = n.exchangeId === undefined ? null : (exchanges.find((e) => e.id === n.exchangeId) ?? null);
  const asn = parseAsn(n.asn, 'asn');
  if (!n.peerIpv4 && !n.peerIpv6) fail('invalid', "enter the peer's IPv4 or IPv6 address", 'peerIpv4');
  if (n.peerIpv4 && !/^\d+\.\d+\.\d+\.\d+$/.test(n.peerIpv4)) fail('invalid', `'${n.peerIpv4}' is not an IPv4 address`, 'peerIpv4');
  if (n.peerIpv6 && !n.peerIpv6.includes(':')) fail('invalid', `'${n.peerIpv6}' is not an IPv6 address`, 'peerIpv6');
  const known = networks.find((x) => x.asn === asn);
  if (!known && !n.peerName.trim()) fail('invalid', 'required', 'peerName');
  const net = network(asn, n.peerName, n.asSet);
  const made: Session[] = [];
  for (const [ip, pg] of [[n.peerIpv4, n.peerGroupV4], [n.peerIpv6, n.peerGroupV6]] as const) {
    if (!ip) continue;
    if (sessions.some((s) => s.routerId === router.id && s.peerIp === ip)) fail('conflict', `this router already has a session with ${ip}`, ip.includes(':') ? 'peerIpv6' : 'peerIpv4');
    const s = session({ exchange, router, group: groups.find((g) => g.id === pg) ?? null, net, ip, type: n.sessionType, notes: n.notes });
    made.push(s);
  }
  sessions.push(...made);
  for (const s of made) record('session', s.id, 'create', `Session with AS${s.asn} ${s.networkName} (${s.peerIp}) added`, undefined, s);
  return made;
}

function updateSession(sid: number, c: SessionChanges): Session {
  const at = sessions.findIndex((s) => s.id === sid);
  if (at < 0) fail('notFound', 'no such session');
  const old = sessions[at];
  const group = groups.find((g) => g.id === c.peerGroupId) ?? null;
  const s: Session = {
    ...old, sessionType: c.sessionType, peerGroupId: group?.id ?? null, peerGroupName: group?.name ?? null,
    peerIp: c.peerIp, adminState: c.adminState, notes: c.notes,
    md5Ref: c.clearMd5 ? null : c.md5Password ? `session-${sid}-md5` : old.md5Ref, updatedAt: now(),
  };
  sessions[at] = s;
  record('session', sid, 'update', `Session with AS${s.asn} ${s.networkName} (${s.peerIp}) changed`, old, s);
  return s;
}

function listSessions(f: SessionFilter): Session[] {
  const scoped = sessions.filter(
    (s) => (f.exchangeId === undefined || s.exchangeId === f.exchangeId) && (!f.noExchange || s.exchangeId === null),
  );
  return [...filterSessions(scoped, {
    text: f.text ?? '',
    ipVersion: f.ipVersion === 4 || f.ipVersion === 6 ? f.ipVersion : null,
    sessionType: f.sessionType ?? null,
    state: f.configState ? { kind: 'config', value: f.configState } : f.bgpState ? { kind: 'bgp', value: f.bgpState } : null,
  })];
}

type Args = Record<string, unknown> | undefined;

const handlers: Record<string, (a: Args) => unknown> = {
  get_settings: () => settings,
  update_settings: (a) => {
    const c = a!.changes as SettingsChanges;
    const old = settings;
    settings = { ...settings, ...c, ownAsns: c.ownAsns.map((x) => parseAsn(x, 'ownAsns')) } as Settings;
    if (c.coordinatorEmail && !c.coordinatorEmail.includes('@')) fail('invalid', 'not an email address', 'coordinatorEmail');
    record('settings', null, 'update', 'Settings changed', old, settings);
    return settings;
  },
  check_asn: (a) => {
    const asn = parseAsn(String(a!.text), 'asn');
    return { asn, note: asnNote(asn) };
  },
  keyring_status: () => ({ available: false, backend: 'mock', message: 'the mock backend has no keyring' }),
  list_routers: () => routers,
  add_router: (a) => {
    const n = a!.router as NewRouter;
    const r = toRouter(n);
    routers.push(r);
    try {
      if (n.newPeerGroup) groups.push(toGroup({ ...n.newPeerGroup, routerId: r.id }));
    } catch (e) {
      routers.pop();
      throw e;
    }
    record('router', r.id, 'create', `Router ${r.name} added`, undefined, r);
    return r;
  },
  update_router: (a) => {
    const at = routers.findIndex((r) => r.id === a!.id);
    const r = toRouter(a!.changes as NewRouter, routers[at]);
    record('router', r.id, 'update', `Router ${r.name} changed`, routers[at], r);
    routers[at] = r;
    return r;
  },
  delete_router: (a) => {
    if (sessions.some((s) => s.routerId === a!.id)) fail('conflict', 'the router still has sessions');
    routers = routers.filter((r) => r.id !== a!.id);
    return null;
  },
  list_exchanges: () => [...exchanges.map(summary), summary(null)],
  add_exchange: (a) => {
    const e = toExchange(a!.exchange as NewExchange);
    exchanges.push(e);
    record('exchange', e.id, 'create', `Exchange ${e.name} added`, undefined, e);
    return e;
  },
  update_exchange: (a) => {
    const at = exchanges.findIndex((e) => e.id === a!.id);
    exchanges[at] = toExchange(a!.changes as NewExchange, exchanges[at]);
    return exchanges[at];
  },
  delete_exchange: (a) => {
    if (sessions.some((s) => s.exchangeId === a!.id)) fail('conflict', 'the exchange still has sessions');
    exchanges = exchanges.filter((e) => e.id !== a!.id);
    return null;
  },
  list_peer_groups: () => groups.map((g) => ({ ...g, sessionCount: sessions.filter((s) => s.peerGroupId === g.id).length })),
  add_peer_group: (a) => {
    const g = toGroup(a!.group as NewPeerGroup);
    groups.push(g);
    return g;
  },
  update_peer_group: (a) => {
    const at = groups.findIndex((g) => g.id === a!.id);
    groups[at] = toGroup(a!.changes as NewPeerGroup, groups[at]);
    return groups[at];
  },
  delete_peer_group: (a) => {
    groups = groups.filter((g) => g.id !== a!.id);
    return null;
  },
  list_networks: () => networks,
  list_sessions: (a) => listSessions(a!.filter as SessionFilter),
  add_session: (a) => addSession(a!.session as NewSession),
  update_session: (a) => updateSession(Number(a!.id), a!.changes as SessionChanges),
  delete_session: (a) => {
    sessions = sessions.filter((s) => s.id !== a!.id);
    return null;
  },
  inventory_counts: () => counts(),
  load_demo_data: () => loadDemo(),
  export_inventory: () => counts(),
  import_inventory: () => counts(),
  export_sessions_csv: (a) => listSessions(a!.filter as SessionFilter).length,
  list_audit: (a) => {
    const f = a!.filter as { entity: string | null; text: string | null; limit: number | null };
    const needle = f.text ? (textNeedle(f.text) ?? '') : '';
    return audit
      .filter((e) => (!f.entity || e.entity === f.entity) && (!needle || e.summary.toLowerCase().includes(needle)))
      .slice(0, f.limit ?? 500);
  },
  pick_file: (a) => (a!.purpose === 'sshKey' ? '/home/netops/.ssh/id_ed25519' : `/tmp/peerdesk-${String(a!.purpose)}`),
};

export async function mockInvoke(command: string, args?: Args): Promise<unknown> {
  await new Promise((r) => setTimeout(r, 30));
  const handler = handlers[command] ?? fail('internal', `mock: no command ${command}`);
  return structuredClone(handler(args));
}
