// Dev-only in-browser stand-in for the Tauri backend, loaded by invoke.ts and
// events.ts only when VITE_PEERDESK_MOCK=1 (never in a normal build). It keeps
// an in-memory inventory and a small PeeringDB mirror (filled by a simulated
// sync that sends progress events) and a small messaging model (peer status,
// history, drafts, an SMTP server that may be "offline" or refuse, the outbox)
// with just enough behaviour to click through the UI; the rules that matter
// live in core, not here. Only documentation/private numbers.
import type { AuditEntry } from '$lib/bindings/AuditEntry';
import type { AvailablePeer } from '$lib/bindings/AvailablePeer';
import type { CommonExchange } from '$lib/bindings/CommonExchange';
import type { MaxPrefixSuggestion } from '$lib/bindings/MaxPrefixSuggestion';
import type { PdbContact } from '$lib/bindings/PdbContact';
import type { PdbExchange } from '$lib/bindings/PdbExchange';
import type { PdbNetwork } from '$lib/bindings/PdbNetwork';
import type { PdbNetworkDetail } from '$lib/bindings/PdbNetworkDetail';
import type { PdbPresence } from '$lib/bindings/PdbPresence';
import type { PeeringDbStatus } from '$lib/bindings/PeeringDbStatus';
import type { SyncProgress } from '$lib/bindings/SyncProgress';
import type { SyncRun } from '$lib/bindings/SyncRun';
import type { SyncSummary } from '$lib/bindings/SyncSummary';
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
import type { SessionPage } from '$lib/bindings/SessionPage';
import type { SessionPageRequest } from '$lib/bindings/SessionPageRequest';
import type { SessionSort } from '$lib/bindings/SessionSort';
import type { Settings } from '$lib/bindings/Settings';
import type { SettingsChanges } from '$lib/bindings/SettingsChanges';
import type { BgpState } from '$lib/bindings/BgpState';
import type { EmailDraft } from '$lib/bindings/EmailDraft';
import type { HistoryEntry } from '$lib/bindings/HistoryEntry';
import type { MessageKind } from '$lib/bindings/MessageKind';
import type { PeerAction } from '$lib/bindings/PeerAction';
import type { PeerFilter } from '$lib/bindings/PeerFilter';
import type { PeerRow } from '$lib/bindings/PeerRow';
import type { PeerStatus } from '$lib/bindings/PeerStatus';
import type { SendOutcome } from '$lib/bindings/SendOutcome';
import type { SmtpSettings } from '$lib/bindings/SmtpSettings';
import type { SmtpSettingsChanges } from '$lib/bindings/SmtpSettingsChanges';
import type { StoredMessage } from '$lib/bindings/StoredMessage';
import type { ConfigState } from '$lib/bindings/ConfigState';
import type { PushOutcome } from '$lib/bindings/PushOutcome';
import { filterSessions, textNeedle } from '../../views/peering/sessionFilter';
import { jobHandlers } from './mockJobs';
import { mockReachable, syncHandlers } from './mockSync';

const now = () => new Date().toISOString();
let nextId = 1;
const id = () => nextId++;

// Asserted, not annotated: Settings grows fields the mock does not model.
let settings = {
  ownAsns: [64496],
  orgName: 'Example Networks',
  coordinatorName: '',
  coordinatorEmail: '',
  peeringdbUrl: 'https://www.peeringdb.com/api',
} as Settings;
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
    controlCommand: n.controlCommand ?? '',
    configDir: n.configDir ?? '',
    username: n.username,
    authMethod: n.authMethod,
    credentialRef: n.password ? `router-${old?.id ?? 'new'}` : (old?.credentialRef ?? null),
    credentialNeeded: n.password ? false : (old?.credentialNeeded ?? false),
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
    id: id(), asn, name, asSet, asSets: asSet.split(/[\s,]+/).filter(Boolean), maxPrefixV4: null, maxPrefixV6: null, peeringdbNetId: null,
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
    md5Needed: false,
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
    const ix = PDB_IXS.find((x) => x.name === name);
    const e = toExchange({ name, city, country, prefixV4: v4, prefixV6: v6, peeringdbIxId: ix?.ixId, peeringdbIxlanId: ix?.ixlanId ?? undefined });
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
    md5Ref: c.clearMd5 ? null : c.md5Password ? `session-${sid}-md5` : old.md5Ref,
    md5Needed: c.clearMd5 || c.md5Password ? false : old.md5Needed, updatedAt: now(),
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

// The sort keys of core's list_sessions_page, roughly (ties keep list order).
const SORT_KEYS: Record<SessionSort, (s: Session) => string | number> = {
  peer: (s) => s.networkName.toLowerCase(),
  asn: (s) => s.asn,
  peerIp: (s) => `${s.ipVersion}\u0000${s.peerIp}`,
  router: (s) => s.routerName,
  peerGroup: (s) => s.peerGroupName ?? '',
  sessionType: (s) => s.sessionType,
  adminState: (s) => s.adminState,
  configState: (s) => s.configState,
  bgpState: (s) => s.bgpState ?? '',
};

function sessionsPage(r: SessionPageRequest): SessionPage {
  const list = listSessions(r.filter);
  if (r.sort) {
    const k = SORT_KEYS[r.sort];
    const dir = r.descending ? -1 : 1;
    list.sort((a, b) => {
      const x = k(a);
      const y = k(b);
      return x < y ? -dir : x > y ? dir : 0;
    });
  }
  const limit = Math.min(Math.max(0, r.limit), 2000);
  return { total: list.length, offset: r.offset, rows: list.slice(r.offset, r.offset + limit) };
}

// ---- PeeringDB mirror ----------------------------------------------------

const PDB_IXS: PdbExchange[] = [
  { ixId: 1001, ixlanId: 2001, name: 'DEMO-IX Frankfurt', nameLong: 'Demo Internet Exchange Frankfurt', city: 'Frankfurt', country: 'DE', prefixV4: '10.100.0.0/16', prefixV6: '2001:db8:100::/64', members: 0, ports: 0, policyEmail: 'peering@demo-ix.example' },
  { ixId: 1002, ixlanId: 2002, name: 'DEMO-IX Amsterdam', nameLong: 'Demo Internet Exchange Amsterdam', city: 'Amsterdam', country: 'NL', prefixV4: '192.0.2.0/24', prefixV6: '2001:db8:200::/64', members: 0, ports: 0, policyEmail: 'peering@demo-ix.example' },
  { ixId: 1003, ixlanId: 2003, name: 'DEMO-IX London', nameLong: 'Demo Internet Exchange London', city: 'London', country: 'GB', prefixV4: '198.51.100.0/24', prefixV6: '2001:db8:300::/64', members: 0, ports: 0, policyEmail: 'peering@demo-ix.example' },
  { ixId: 1004, ixlanId: 2004, name: 'Test-IX Berlin', nameLong: 'Test Exchange Berlin', city: 'Berlin', country: 'DE', prefixV4: '203.0.113.0/24', prefixV6: '2001:db8:400::/64', members: 0, ports: 0, policyEmail: 'noc@test-ix.example' },
];

interface Mirror {
  nets: PdbNetwork[];
  ixs: PdbExchange[];
  ports: PdbPresence[];
  contacts: Map<number, PdbContact[]>;
}

let mirror: Mirror = { nets: [], ixs: [], ports: [], contacts: new Map() };
const pdbRuns: SyncRun[] = [];
let pdbApiKeyRejected = false;
let pdbCancel: { requested: boolean } | null = null;
const hiddenPeers = new Set<string>();
const listeners = new Map<string, Set<(payload: unknown) => void>>();

/** The mock's event channel; events.ts subscribes here instead of Tauri. */
export function mockListen(channel: string, handler: (payload: unknown) => void): () => void {
  const set = listeners.get(channel) ?? new Set();
  listeners.set(channel, set);
  set.add(handler);
  return () => set.delete(handler);
}

function emit(channel: string, payload: unknown) {
  for (const h of listeners.get(channel) ?? []) h(structuredClone(payload));
}

function buildMirror(): Mirror {
  const POLICIES = ['Open', 'Open', 'Selective', 'Restrictive', 'No'];
  const TYPES = ['Content', 'NSP', 'Cable/DSL/ISP', 'Enterprise', 'Educational/Research'];
  const nets: PdbNetwork[] = [];
  const contacts = new Map<number, PdbContact[]>();
  const net = (asn: number, name: string, i: number) => {
    const n: PdbNetwork = {
      netId: 5000 + nets.length, asn, name, aka: i % 3 === 0 ? `${name.split(' ')[0]} AS${asn}` : '',
      irrAsSet: i % 4 === 3 ? '' : i % 4 === 1 ? `RIPE::AS-${name.split(' ')[0].toUpperCase()}${i} AS-${name.split(' ')[0].toUpperCase()}${i}-V6` : `AS-${name.split(' ')[0].toUpperCase()}${i}`,
      irrAsSets: [],
      infoPrefixes4: i % 5 === 4 ? null : (i * 37) % 5000, infoPrefixes6: i % 5 === 4 ? null : (i * 11) % 800,
      infoType: TYPES[i % TYPES.length], neverViaRouteServers: i % 9 === 0,
      policyGeneral: POLICIES[i % POLICIES.length], policyUrl: i % 2 === 0 ? `https://peering.example.net/as${asn}` : '',
      policyLocations: i % 3 === 0 ? 'Required - International' : 'Not Required',
      website: `https://www.example.net/as${asn}`, lookingGlass: i % 4 === 0 ? `https://lg.example.net/as${asn}` : '',
      updated: new Date(Date.UTC(2024, i % 12, (i % 27) + 1)).toISOString(),
    };
    n.irrAsSets = n.irrAsSet.split(/[\s,]+/).filter(Boolean);
    nets.push(n);
    const roles = ['Policy', 'NOC', 'Technical'].filter((_, r) => (i + r) % 4 !== 0);
    contacts.set(n.netId, roles.map((role) => ({ role, name: `${role} desk`, email: `${role.toLowerCase()}@as${asn}.example.net`, phone: i % 2 ? '+49 69 0000000' : '' })));
  };
  net(64496, 'Example Networks', 1);
  for (let i = 0; i < 12; i++) net(64500 + i, `Documentation Peer ${i}`, i + 2);
  for (let i = 0; i < 16; i++) net(65536 + i, `Doc Cloud ${i}`, i + 20);
  for (let i = 0; i < 200; i++) net(4200000000 + i, `${['Example', 'Sample', 'Test', 'Demo', 'Acme', 'Northwind', 'Contoso', 'Fabrikam'][i % 8]} ${['Networks', 'Telecom', 'Cloud', 'Fibre', 'Hosting', 'Internet'][i % 6]} ${i}`, i + 40);
  for (let i = 0; i < 300; i++) net(4200100000 + i, `Private Peer ${i}`, i + 300);

  const ports: PdbPresence[] = [];
  const port = (ixId: number, asn: number, v4: string | null, v6: string | null, i: number) => {
    const ix = PDB_IXS.find((x) => x.ixId === ixId)!;
    ports.push({ ixId, ixName: ix.name, asn, ipaddr4: v4, ipaddr6: v6, speed: [1000, 10000, 100000][i % 3], isRsPeer: i % 3 !== 1, operational: i % 17 !== 0, netixlanId: 9000 + ports.length });
  };
  port(1001, 64496, '10.100.0.1', '2001:db8:100::1', 1);
  port(1002, 64496, '192.0.2.1', '2001:db8:200::1', 1);
  port(1003, 64496, '198.51.100.1', '2001:db8:300::1', 1);
  for (let i = 0; i < 200; i++) port(1001, 4200000000 + i, `10.100.${Math.floor(i / 250)}.${(i % 250) + 2}`, `2001:db8:100::${(i + 2).toString(16)}`, i);
  for (let i = 0; i < 300; i++) port(1001, 4200100000 + i, `10.100.${100 + Math.floor(i / 250)}.${(i % 250) + 2}`, i % 4 === 0 ? null : `2001:db8:100::1:${i.toString(16)}`, i);
  for (let i = 0; i < 12; i++) port(1002, 64500 + i, `192.0.2.${i + 10}`, `2001:db8:200::${(i + 10).toString(16)}`, i);
  for (let i = 0; i < 16; i++) {
    port(1002, 65536 + i, `192.0.2.${i + 100}`, `2001:db8:200::${(i + 100).toString(16)}`, i);
    if (i % 5 === 0) port(1002, 65536 + i, `192.0.2.${i + 200}`, null, i + 1);
    port(1003, 65536 + i, `198.51.100.${i + 100}`, null, i);
  }
  for (let i = 0; i < 6; i++) {
    port(1003, 64500 + i, `198.51.100.${i + 10}`, `2001:db8:300::${(i + 10).toString(16)}`, i);
    port(1004, 64500 + i, `203.0.113.${i + 10}`, `2001:db8:400::${(i + 10).toString(16)}`, i);
  }
  const ixs = PDB_IXS.map((ix) => ({ ...ix, members: new Set(ports.filter((p) => p.ixId === ix.ixId).map((p) => p.asn)).size, ports: ports.filter((p) => p.ixId === ix.ixId).length }));
  return { nets, ixs, ports, contacts };
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

async function syncPeeringdb(): Promise<SyncSummary> {
  if (pdbCancel) fail('conflict', 'a PeeringDB sync is already running');
  const control = { requested: false };
  pdbCancel = control;
  const started = now();
  const types = ['org', 'fac', 'ix', 'ixlan', 'ixpfx', 'ixfac', 'net', 'netfac', 'netixlan', 'poc'];
  const full = mirror.nets.length === 0;
  const end = (outcome: string, message: string) => {
    pdbRuns.unshift({ startedAt: started, finishedAt: now(), outcome, message, warnings: [] });
    pdbCancel = null;
  };
  const step = async (p: SyncProgress, ms: number) => {
    emit('peeringdb-sync', p);
    for (let t = 0; t < ms; t += 100) {
      await sleep(100);
      if (control.requested) {
        end('cancelled', 'cancelled; the previous mirror is kept');
        fail('cancelled', 'the PeeringDB sync was cancelled');
      }
    }
  };
  try {
    if (!/^https?:\/\/./.test(settings.peeringdbUrl)) {
      await sleep(400);
      fail('unreachable', `cannot connect to ${settings.peeringdbUrl || '(no URL)'}`);
    }
    if (pdbApiKeyRejected) {
      await sleep(400);
      fail('authFailed', 'PeeringDB answered 401 Unauthorized for the API key');
    }
    for (const [i, objectType] of types.entries()) {
      const base = { objectType, step: i + 1, steps: types.length, waitSeconds: null };
      await step({ ...base, phase: 'fetching', rows: 0, message: `Fetching ${objectType} (0 rows so far)` }, 250);
      if (full && objectType === 'net') {
        await step({ ...base, phase: 'waiting', rows: 0, waitSeconds: 3, message: 'PeeringDB rate limit: waiting 3 s before the next request' }, 3000);
      }
      await step({ ...base, phase: 'fetching', rows: 1000 * (i + 1), message: `Fetching ${objectType} (${1000 * (i + 1)} rows so far)` }, 250);
    }
    await step({ phase: 'committing', objectType: 'poc', step: types.length, steps: types.length, rows: 0, waitSeconds: null, message: 'Saving the mirror' }, 300);
  } catch (e) {
    if (pdbCancel === control) end('failed', `${(e as { message?: string }).message ?? 'failed'}; the previous mirror is kept`);
    throw e;
  }
  mirror = buildMirror();
  const kept = full ? mirror.nets.length + mirror.ixs.length + mirror.ports.length : 12;
  end('ok', `${full ? 'full' : 'incremental'} sync: kept ${kept} of ${kept} rows received (0 dropped as orphans, 0 deleted, 0 not live) in 4.5 s (${types.length} requests)`);
  return {
    full,
    types: types.map((objectType) => {
      const n = objectType === 'net' ? kept : 0;
      return { objectType, received: n, kept: n, notLive: 0, orphansDropped: 0, deleted: 0 };
    }),
    parentsFetched: 0, orphansDropped: 0, unrequestedIgnored: 0, requests: types.length, millis: 4500,
    finishedAt: now(), warnings: [],
  };
}

function pdbStatus(): PeeringDbStatus {
  return {
    lastSuccessAt: pdbRuns.find((r) => r.outcome === 'ok')?.finishedAt ?? null,
    lastRun: pdbRuns[0] ?? null,
    networks: mirror.nets.length,
    exchanges: mirror.ixs.length,
    memberships: mirror.ports.length,
  };
}

const pdbNet = (asn: number) => mirror.nets.find((n) => n.asn === asn) ?? null;
const portsOf = (asn: number, ixId?: number) =>
  mirror.ports.filter((p) => p.asn === asn && (ixId === undefined || p.ixId === ixId)).sort((a, b) => a.ixName.localeCompare(b.ixName) || byAddress(a, b));
const ixOfExchange = (exchangeId: number) =>
  (exchanges.find((e) => e.id === exchangeId) ?? fail('notFound', `exchange ${exchangeId} not found`)).peeringdbIxId;

function maxPrefixFor(asn: number): MaxPrefixSuggestion {
  const n = pdbNet(asn);
  const s = (v: number | null) => Math.ceil(((v ?? 0) + 100) * 1.15);
  return n
    ? { v4: s(n.infoPrefixes4), v6: s(n.infoPrefixes6), source: `PeeringDB: ${n.infoPrefixes4 ?? 'no'} IPv4 / ${n.infoPrefixes6 ?? 'no'} IPv6 prefixes, +100 and ×1.15 headroom` }
    : { v4: s(null), v6: s(null), source: `AS${asn} is not in the PeeringDB mirror: default headroom only` };
}

function contactsOf(asn: number, ixId: number | null): PdbContact[] {
  const n = pdbNet(asn);
  if (!n) return [];
  const own = mirror.contacts.get(n.netId) ?? [];
  const ix = ixId === null ? undefined : mirror.ixs.find((x) => x.ixId === ixId);
  return ix && own.length === 0 ? [{ role: 'Exchange policy', name: ix.name, email: ix.policyEmail, phone: '' }] : own;
}

function pdbNetworkDetail(asn: number): PdbNetworkDetail {
  const network = pdbNet(asn) ?? fail('notFound', `PeeringDB network AS${asn} not found`);
  return {
    network,
    exchanges: portsOf(asn),
    contacts: contactsOf(asn, null),
    maxPrefix: maxPrefixFor(asn),
    sessions: sessions.filter((s) => s.asn === asn),
  };
}

function commonExchanges(asn: number): CommonExchange[] {
  const own = new Set(settings.ownAsns);
  return mirror.ixs.flatMap((ix) => {
    const ours = mirror.ports.filter((p) => p.ixId === ix.ixId && own.has(p.asn));
    const theirs = portsOf(asn, ix.ixId);
    if (ours.length === 0 || theirs.length === 0) return [];
    const local = exchanges.find((e) => e.peeringdbIxId === ix.ixId);
    return [{ ixId: ix.ixId, name: ix.name, city: ix.city, country: ix.country, localExchangeId: local?.id ?? null, ours, theirs }];
  });
}

/** Orders ports by address as numbers, the way core does (IPv4, then IPv6; missing last). */
function addressKey(a: string | null): string {
  if (a === null) return '~';
  if (a.includes('.')) return a.split('.').map((o) => o.padStart(3, '0')).join('.');
  const [head, tail = ''] = a.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

export function byAddress(a: { ipaddr4: string | null; ipaddr6: string | null }, b: { ipaddr4: string | null; ipaddr6: string | null }): number {
  const x = `${addressKey(a.ipaddr4)}|${addressKey(a.ipaddr6)}`;
  const y = `${addressKey(b.ipaddr4)}|${addressKey(b.ipaddr6)}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** One row per port, like core: a port with a session on one of its addresses is left out. */
function availablePeers(exchangeId: number): AvailablePeer[] {
  const ix = ixOfExchange(exchangeId);
  if (ix === null) return [];
  const own = new Set(settings.ownAsns);
  const peered = new Set(sessions.filter((s) => s.exchangeId === exchangeId).map((s) => s.peerIp));
  const rows: AvailablePeer[] = [];
  for (const p of mirror.ports) {
    if (p.ixId !== ix || own.has(p.asn) || hiddenPeers.has(`${exchangeId}/${p.asn}`)) continue;
    if ((p.ipaddr4 !== null && peered.has(p.ipaddr4)) || (p.ipaddr6 !== null && peered.has(p.ipaddr6))) continue;
    const n = pdbNet(p.asn)!;
    rows.push({
      netixlanId: p.netixlanId, netId: n.netId, asn: p.asn, name: n.name, policyGeneral: n.policyGeneral, isRsPeer: p.isRsPeer,
      neverViaRouteServers: n.neverViaRouteServers, infoPrefixes4: n.infoPrefixes4, infoPrefixes6: n.infoPrefixes6,
      ipaddr4: p.ipaddr4, ipaddr6: p.ipaddr6, speed: p.speed,
    });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name) || a.asn - b.asn || byAddress(a, b));
}

const pdbHandlers: Record<string, (a: Args) => unknown> = {
  sync_peeringdb: () => syncPeeringdb(),
  cancel_peeringdb_sync: () => {
    if (!pdbCancel) return false;
    pdbCancel.requested = true;
    return true;
  },
  peeringdb_status: () => pdbStatus(),
  set_peeringdb_api_key: (a) => {
    const key = String(a!.key).trim();
    if (key !== '' && !/^[A-Za-z0-9._-]{1,200}$/.test(key)) fail('invalid', 'this does not look like a PeeringDB API key', 'apiKey');
    // Only whether the mock should play "PeeringDB refused the key" is kept, never the key.
    pdbApiKeyRejected = key.startsWith('bad');
    return null;
  },
  search_pdb_networks: (a) => {
    const q = String(a!.query).trim();
    if (q === '') return [];
    const m = /^(?:AS)?(\d{1,10})$/i.exec(q);
    if (m) return mirror.nets.filter((n) => n.asn === Number(m[1]));
    const needle = q.toLowerCase();
    return mirror.nets
      .filter((n) => n.name.toLowerCase().includes(needle) || n.aka.toLowerCase().includes(needle))
      .slice(0, Number(a!.limit));
  },
  pdb_network: (a) => pdbNetworkDetail(Number(a!.asn)),
  peer_addresses: (a) => {
    const ix = ixOfExchange(Number(a!.exchangeId));
    return ix === null ? [] : portsOf(Number(a!.asn), ix);
  },
  search_pdb_exchanges: (a) => {
    const needle = String(a!.query).trim().toLowerCase();
    return mirror.ixs
      .filter((x) => [x.name, x.nameLong, x.city].some((t) => t.toLowerCase().includes(needle)))
      .slice(0, Number(a!.limit));
  },
  exchange_from_pdb: (a) => {
    const ix = mirror.ixs.find((x) => x.ixId === Number(a!.ixId)) ?? fail('notFound', `PeeringDB exchange ${String(a!.ixId)} not found`);
    return {
      name: ix.name, city: ix.city, country: ix.country, peeringdbIxId: ix.ixId,
      peeringdbIxlanId: ix.ixlanId ?? undefined, prefixV4: ix.prefixV4 ?? undefined, prefixV6: ix.prefixV6 ?? undefined,
    } satisfies NewExchange;
  },
  common_exchanges: (a) => commonExchanges(Number(a!.asn)),
  available_peers: (a) => availablePeers(Number(a!.exchangeId)),
  hide_peer: (a) => {
    const k = `${Number(a!.exchangeId)}/${Number(a!.asn)}`;
    if (a!.hidden) hiddenPeers.add(k);
    else hiddenPeers.delete(k);
    return null;
  },
  suggest_max_prefix: (a) => maxPrefixFor(Number(a!.asn)),
  contacts_for: (a) =>
    contactsOf(Number(a!.asn), a!.exchangeId === undefined ? null : ixOfExchange(Number(a!.exchangeId))),
};

type Args = Record<string, unknown> | undefined;

// ---- Messaging ------------------------------------------------------------

interface PeerState {
  status: PeerStatus;
  requestsSent: number;
  firstRequestAt: string | null;
  lastRequestAt: string | null;
  lastContactAt: string | null;
}

const peerStates = new Map<number, PeerState>();
const peerHistories = new Map<number, HistoryEntry[]>();
let messages: StoredMessage[] = [];
// Whether a password is "stored" is all the mock keeps; never the password.
let smtp: SmtpSettings = {
  host: '', port: 587, security: 'starttls', username: '', hasPassword: false, caFile: '',
  fromName: '', fromAddress: '', replyTo: '', cc: '', bcc: '', cooldownDays: 7,
};

const ACTION_ORDER: PeerAction[] = [
  'markExisting', 'markNotQualified', 'sendRequest', 'resendRequest', 'markRequestReceived',
  'markApproved', 'markRejected', 'resetStatus', 'configureSessions',
];
const ACTION_LABEL: Record<PeerAction, string> = {
  markExisting: 'Mark Existing', markNotQualified: 'Mark Not Qualified', sendRequest: 'Send Request',
  resendRequest: 'Resend Request', markRequestReceived: 'Mark Request Received', markApproved: 'Mark Approved',
  markRejected: 'Mark Rejected', resetStatus: 'Reset Status', configureSessions: 'Configure Sessions',
};

/** The mock's copy of core's status table, so the wrench can be clicked through. */
function nextStatus(s: PeerStatus, a: PeerAction): PeerStatus | null {
  if (a === 'resetStatus') return s === 'new' ? null : 'new';
  if (a === 'configureSessions') return s === 'existing' || s === 'approved' ? s : null;
  const table: Partial<Record<PeerAction, [PeerStatus[], PeerStatus]>> = {
    markExisting: [['new'], 'existing'],
    markNotQualified: [['new'], 'not_qualified'],
    sendRequest: [['new'], 'request_sent'],
    markRequestReceived: [['new', 'request_sent'], 'request_received'],
    resendRequest: [['request_sent', 'rejected'], 'request_sent'],
    markApproved: [['request_sent', 'request_received'], 'approved'],
    markRejected: [['request_sent', 'request_received'], 'rejected'],
  };
  const rule = table[a];
  return rule && rule[0].includes(s) ? rule[1] : null;
}

function peerState(asn: number): PeerState {
  return peerStates.get(asn) ?? { status: 'new', requestsSent: 0, firstRequestAt: null, lastRequestAt: null, lastContactAt: null };
}

function addHistory(asn: number, kind: 'status' | 'email', summary: string, messageId: number | null = null) {
  peerHistories.set(asn, [{ at: now(), kind, summary, messageId }, ...(peerHistories.get(asn) ?? [])]);
}

function setStatus(asn: number, a: PeerAction): PeerStatus {
  const st = peerState(asn);
  const to = nextStatus(st.status, a) ?? fail('invalid', `${ACTION_LABEL[a]} is not possible while the peer is ${st.status.replace('_', ' ')}`, 'action');
  peerStates.set(asn, a === 'resetStatus' ? { ...peerState(-1), status: to } : { ...st, status: to, lastContactAt: now() });
  addHistory(asn, 'status', `${ACTION_LABEL[a]}: ${st.status} → ${to}`);
  return to;
}

function listPeers(f: PeerFilter): PeerRow[] {
  const own = new Set(settings.ownAsns);
  const byAsn = new Map<number, { name: string; ex: Map<number, string>; sessions: number }>();
  const entry = (asn: number, name: string) => {
    let e = byAsn.get(asn);
    if (!e) byAsn.set(asn, (e = { name, ex: new Map(), sessions: 0 }));
    return e;
  };
  for (const s of sessions) {
    const e = entry(s.asn, s.networkName);
    e.sessions += 1;
    if (s.exchangeId !== null) e.ex.set(s.exchangeId, s.exchangeName ?? '');
  }
  for (const p of mirror.ports) {
    const local = exchanges.find((x) => x.peeringdbIxId === p.ixId);
    if (!local || own.has(p.asn)) continue;
    entry(p.asn, pdbNet(p.asn)?.name ?? `AS${p.asn}`).ex.set(local.id, local.name);
  }
  for (const asn of peerStates.keys()) entry(asn, pdbNet(asn)?.name ?? `AS${asn}`);
  const needle = f.text ? f.text.trim().toLowerCase().replace(/^as(?=\d)/, '') : '';
  const rows: PeerRow[] = [];
  for (const [asn, e] of byAsn) {
    const st = peerState(asn);
    const row: PeerRow = {
      asn, name: e.name, ...st, exchanges: [...e.ex.values()], exchangeIds: [...e.ex.keys()],
      policyGeneral: pdbNet(asn)?.policyGeneral ?? '', sessions: e.sessions,
      actions: ACTION_ORDER.filter((a) => nextStatus(st.status, a) !== null),
      lastNote: peerHistories.get(asn)?.[0]?.summary ?? null,
    };
    if (f.exchangeId !== undefined && !row.exchangeIds.includes(f.exchangeId)) continue;
    if (f.status && row.status !== f.status) continue;
    if (f.policy && row.policyGeneral.toLowerCase() !== f.policy.toLowerCase()) continue;
    if (needle && !row.name.toLowerCase().includes(needle) && !String(asn).includes(needle)) continue;
    if (f.contactedBefore && row.lastContactAt && row.lastContactAt >= f.contactedBefore) continue;
    rows.push(row);
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

function recipient(asn: number, role?: string): string {
  const found = contactsOf(asn, null).find((c) => !role || c.role.toLowerCase() === role) ?? contactsOf(asn, null)[0];
  return found?.email ?? `peering@as${asn}.example.net`;
}

function requestDraft(asn: number, kind: MessageKind): EmailDraft {
  const name = pdbNet(asn)?.name ?? networks.find((n) => n.asn === asn)?.name ?? `AS${asn}`;
  const common = commonExchanges(asn).map((c) => `  ${c.name}: ${c.theirs.map((p) => [p.ipaddr4, p.ipaddr6].filter(Boolean).join(', ')).join('; ')}`);
  return {
    asn, kind, to: recipient(asn, 'policy'), cc: smtp.cc, bcc: smtp.bcc,
    subject: `Peering request: AS${settings.ownAsns[0] ?? 64496} ${settings.orgName} and AS${asn} ${name}`,
    body: `Hello ${name} peering team,\n\nwe would like to peer with you at:\n${common.join('\n') || '  (no common exchange in the mirror)'}\n\nBest regards,\n${settings.coordinatorName || settings.orgName}\n`,
  };
}

/** Roughly core's address rule (values::EmailAddress): a dotted domain ending in letters, no IP. */
const MOCK_ADDRESS = /^(?:[^<>@]*<)?[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]+>?$/;

function sendEmail(d: EmailDraft): SendOutcome {
  if (!smtp.host || !smtp.fromAddress) fail('invalid', 'set up the mail server and From address in Settings first', 'smtp');
  for (const field of ['to', 'cc', 'bcc'] as const) {
    for (const part of d[field].split(',').map((x) => x.trim()).filter(Boolean)) {
      if (!MOCK_ADDRESS.test(part)) fail('invalid', `'${part}' is not a valid email address`, field);
    }
  }
  if (!d.to.trim()) fail('invalid', 'at least one address is needed', 'to');
  if (!d.subject.trim()) fail('invalid', 'required', 'subject');
  if (!d.body.trim()) fail('invalid', 'required', 'body');
  const action: PeerAction | null = d.kind === 'request' ? 'sendRequest' : d.kind === 'resend' ? 'resendRequest' : null;
  if (action && nextStatus(peerState(d.asn).status, action) === null) fail('invalid', `${ACTION_LABEL[action]} is not possible now`, 'action');
  const old = d.messageId === undefined ? undefined : messages.find((m) => m.id === d.messageId && m.state !== 'sent');
  const m: StoredMessage = {
    id: old?.id ?? id(), asn: d.asn, kind: d.kind, to: d.to, cc: d.cc, bcc: d.bcc, subject: d.subject, body: d.body,
    messageId: `peerdesk.${d.asn}.${Date.now()}@mock.example`, state: 'queued', attempts: old?.attempts ?? 0,
    lastError: '', createdAt: old?.createdAt ?? now(), sentAt: null,
  };
  messages = [...messages.filter((x) => x.id !== m.id), m];
  return deliver(m, action);
}

/** "offline" in the host plays an unreachable server, user "bad" a refused login, "reject" in To a refused message. */
function deliver(m: StoredMessage, action: PeerAction | null): SendOutcome {
  m.attempts += 1;
  if (smtp.host.includes('offline')) {
    m.lastError = `cannot connect to ${smtp.host}:${smtp.port}`;
    addHistory(m.asn, 'email', `Queued "${m.subject}": ${m.lastError}`, m.id);
    return { message: { ...m }, status: peerState(m.asn).status };
  }
  const refused = smtp.username === 'bad'
    ? { kind: 'authFailed', message: 'the mail server refused the user name or password' }
    : m.to.includes('reject') ? { kind: 'rejected', message: 'the mail server rejected the message: 550 mailbox unavailable' } : null;
  if (refused) {
    m.state = 'failed';
    m.lastError = refused.message;
    addHistory(m.asn, 'email', `Not sent "${m.subject}": ${refused.message}`, m.id);
    fail(refused.kind, refused.message);
  }
  m.state = 'sent';
  m.lastError = '';
  m.sentAt = now();
  if (action) {
    setStatus(m.asn, action);
    const st = peerState(m.asn);
    peerStates.set(m.asn, { ...st, requestsSent: st.requestsSent + 1, firstRequestAt: st.firstRequestAt ?? now(), lastRequestAt: now() });
  }
  peerStates.set(m.asn, { ...peerState(m.asn), lastContactAt: now() });
  addHistory(m.asn, 'email', `Sent "${m.subject}" to ${m.to}`, m.id);
  return { message: { ...m }, status: peerState(m.asn).status };
}

function drainOutbox(): number {
  let sent = 0;
  for (const m of messages.filter((x) => x.state === 'queued')) {
    const action: PeerAction | null = m.kind === 'request' ? 'sendRequest' : m.kind === 'resend' ? 'resendRequest' : null;
    try {
      if (deliver(m, action).message.state === 'sent') sent += 1;
      else break;
    } catch {
      // refused: kept as failed
    }
  }
  if (sent > 0) emit('outbox-drained', sent);
  return sent;
}

function updateSmtp(c: SmtpSettingsChanges): SmtpSettings {
  const host = c.host.trim().toLowerCase();
  if (host && !/^[a-z0-9.:-]+$/.test(host)) fail('invalid', `'${host}' is not a host name or address`, 'host');
  if (c.security === 'plain' && host && !['localhost', '127.0.0.1', '::1'].includes(host)) {
    fail('invalid', 'an unencrypted connection is only allowed to a server on this machine; use STARTTLS or TLS', 'security');
  }
  if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535) fail('invalid', 'a port between 1 and 65535', 'port');
  if (!Number.isInteger(c.cooldownDays) || c.cooldownDays < 0 || c.cooldownDays > 365) fail('invalid', 'between 0 and 365 days', 'cooldownDays');
  for (const field of ['fromAddress', 'replyTo', 'cc', 'bcc'] as const) {
    for (const part of c[field].split(',').map((x) => x.trim()).filter(Boolean)) {
      if (!MOCK_ADDRESS.test(part)) fail('invalid', `'${part}' is not a valid email address`, field);
    }
  }
  const old = smtp;
  smtp = {
    host, port: c.port, security: c.security, username: c.username.trim(),
    hasPassword: c.clearPassword ? false : Boolean(c.password) || smtp.hasPassword,
    caFile: c.caFile.trim(), fromName: c.fromName.trim(), fromAddress: c.fromAddress.trim(),
    replyTo: c.replyTo.trim(), cc: c.cc.trim(), bcc: c.bcc.trim(), cooldownDays: c.cooldownDays,
  };
  record('settings', null, 'update', 'SMTP settings changed', old, smtp);
  return smtp;
}

// Core retries the outbox every minute in the background; so does the mock.
setInterval(() => {
  if (smtp.host && !smtp.host.includes('offline') && messages.some((m) => m.state === 'queued')) drainOutbox();
}, 60_000);

const messagingHandlers: Record<string, (a: Args) => unknown> = {
  list_peers: (a) => listPeers((a!.filter ?? {}) as PeerFilter),
  apply_peer_action: (a) => {
    const action = a!.action as PeerAction;
    if (action === 'sendRequest' || action === 'resendRequest' || action === 'configureSessions') {
      fail('invalid', `${ACTION_LABEL[action]} is not a status change on its own`, 'action');
    }
    return setStatus(Number(a!.asn), action);
  },
  peer_history: (a) => peerHistories.get(Number(a!.asn)) ?? [],
  list_messages: (a) => messages.filter((m) => m.asn === Number(a!.asn)).reverse(),
  list_outbox: () => messages.filter((m) => m.state === 'queued'),
  draft_request: (a) => requestDraft(Number(a!.asn), 'request'),
  draft_resend: (a) => {
    const asn = Number(a!.asn);
    const st = peerState(asn);
    if (!st.lastRequestAt) fail('invalid', `no request to AS${asn} has been sent yet`, 'action');
    const days = (Date.now() - Date.parse(st.lastRequestAt)) / 86_400_000;
    const d = requestDraft(asn, 'resend');
    return days < smtp.cooldownDays
      ? { ...d, warning: `The last request went out ${Math.max(1, Math.round(days * 24 * 60))} minute(s) ago, inside the ${smtp.cooldownDays}-day cool-down. Send again only if you are sure.` }
      : d;
  },
  draft_session_email: (a) => {
    const s = sessions.find((x) => x.id === Number(a!.sessionId)) ?? fail('notFound', 'no such session');
    const kind = a!.kind as MessageKind;
    const role = kind === 'noc' ? 'noc' : kind === 'policy' ? 'policy' : 'technical';
    return {
      asn: s.asn, kind, to: recipient(s.asn, role), cc: smtp.cc, bcc: smtp.bcc,
      subject: `AS${settings.ownAsns[0] ?? 64496} / AS${s.asn}: session ${s.peerIp} on ${s.exchangeName ?? 'a private link'}`,
      body: `Hello ${s.networkName} ${role} team,\n\nabout our BGP session ${s.peerIp} (${s.routerName}):\n\n\nBest regards,\n${settings.coordinatorName || settings.orgName}\n`,
    } satisfies EmailDraft;
  },
  send_email: (a) => sendEmail(a!.draft as EmailDraft),
  drain_outbox: () => drainOutbox(),
  get_smtp_settings: () => smtp,
  update_smtp_settings: (a) => updateSmtp(a!.changes as SmtpSettingsChanges),
};

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
  list_sessions_page: (a) => sessionsPage(a!.request as SessionPageRequest),
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
  ...pdbHandlers,
  ...messagingHandlers,
  ...jobHandlers(emit, () => sessions),
  ...syncHandlers({
    emit,
    routers: () => routers,
    sessions: () => sessions,
    coordinator: () => settings.coordinatorName,
    render: (s, op, o) => mockConfig(s, op, o).text.replace('KEYRING-MD5', '********'),
    push: async (a) => (await handlers.push_session_config(a)) as PushOutcome,
    deleteSession: (s) => {
      sessions = sessions.filter((x) => x.id !== s.id);
      record('session', s.id, 'delete', `Session ${s.peerIp} removed from the router and deleted`);
    },
    record,
  }),
};

export async function mockInvoke(command: string, args?: Args): Promise<unknown> {
  await new Promise((r) => setTimeout(r, 30));
  const handler = handlers[command] ?? fail('internal', `mock: no command ${command}`);
  return structuredClone(await handler(args));
}

// ---- templating (Admin → Templates) --------------------------------------
// A toy stand-in for core's minijinja: only `{{ dotted.name }}` from a fixed
// context, enough to click through the editor, its preview and its history.

const TEMPLATE_DEFAULTS: Record<string, string> = {
  'email/request': 'Subject: Peering request: AS{{ me.asn }} / AS{{ peer.asn }} {{ peer.name }}\nHello {{ peer.name }} peering team,\n\n{{ me.org }} (AS{{ me.asn }}) would like to peer with you.\n\nBest regards,\n{{ me.org }}\n',
  'email/contact': 'Subject: AS{{ me.asn }}: {{ topic }}\nHello {{ peer.name }} {{ role }},\n\nabout {{ topic }}:\n\nBest regards,\n{{ me.org }}\n',
};
const savedTemplates = new Map<string, { body: string; at: string }>();
const templateRevs: { id: number; name: string; body: string; savedAt: string }[] = [];

function mockCheck(body: string, field: string | null) {
  if ((body.match(/\{\{/g) ?? []).length !== (body.match(/\}\}/g) ?? []).length) fail('invalid', 'template: syntax error: unbalanced {{ }}', field);
}

function mockRender(body: string, asn: number): string {
  mockCheck(body, null);
  const ctx: Record<string, string> = {
    'me.asn': String(settings.ownAsns[0] ?? 0), 'me.org': settings.orgName,
    'peer.asn': String(asn), 'peer.name': pdbNet(asn)?.name ?? `AS${asn}`, role: 'NOC', topic: 'session 192.0.2.10',
  };
  return body.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, k: string) => ctx[k] ?? fail('invalid', `template: undefined value '${k}'`));
}

function mockTemplate(name: string) {
  const def = TEMPLATE_DEFAULTS[name] ?? fail('invalid', `there is no template '${name}'`, 'name');
  const own = savedTemplates.get(name);
  return { name, body: own?.body ?? def, defaultBody: def, isDefault: !own };
}

function mockSaveTemplate(name: string, body: string) {
  mockTemplate(name);
  if (!body.trimStart().startsWith('Subject:')) fail('invalid', "an email template starts with a 'Subject:' line", 'body');
  mockCheck(body, 'body');
  const at = now();
  savedTemplates.set(name, { body, at });
  templateRevs.unshift({ id: id(), name, body, savedAt: at });
  return mockTemplate(name);
}

Object.assign(handlers, {
  list_templates: () => Object.keys(TEMPLATE_DEFAULTS).map((name) => ({ name, isDefault: !savedTemplates.has(name), updatedAt: savedTemplates.get(name)?.at ?? null })),
  get_template: (a: Args) => mockTemplate(String(a!.name)),
  save_template: (a: Args) => mockSaveTemplate(String(a!.name), String(a!.body)),
  template_revisions: (a: Args) => templateRevs.filter((r) => r.name === a!.name),
  revert_template: (a: Args) => mockSaveTemplate(String(a!.name), (templateRevs.find((r) => r.id === a!.revisionId) ?? fail('notFound', 'no such revision')).body),
  reset_template: (a: Args) => {
    savedTemplates.delete(String(a!.name));
    return mockTemplate(String(a!.name));
  },
  // The dev backend does not render Jinja: it shows the text with the session it would use.
  preview_config_template: (a: Args) => `# session ${String(a!.sessionId)} (rendered by core in the app)\n${String(a!.body)}`,
  render_peer_group_config: (a: Args) => `# peer group ${String(a!.peerGroupId)} (rendered by core in the app)\n`,
  preview_email_template: (a: Args) => {
    mockTemplate(String(a!.name));
    return mockRender(String(a!.body), Number(a!.asn));
  },
});

// ---- router configuration (host keys, render, preview, push, states) -----
// A toy router per Router: trust-on-first-use host keys, a few lines of
// FRR/BIRD-looking text (core renders the real thing from its templates), a
// push that takes a moment and is refused when a one-time description
// contains "reject", and state reads that find every configured session.

const trustedKeys = new Map<number, { keyType: string; fingerprint: string }>();
const presentedKey = (routerId: number) => ({
  keyType: 'ssh-ed25519',
  fingerprint: `SHA256:${btoa(`peerdesk-mock-router-${routerId}-host-key`).replace(/=+$/, '')}`,
});

function mockSession(sessionId: unknown): Session {
  return sessions.find((s) => s.id === sessionId) ?? fail('notFound', `session ${String(sessionId)} does not exist`);
}

function mockRouterOf(s: Session): Router {
  return routers.find((r) => r.id === s.routerId) ?? fail('notFound', `router ${s.routerId} does not exist`);
}

function mockConnect(r: Router) {
  if (!mockReachable(r)) fail('unreachable', `${r.mgmtAddress}:${r.sshPort}: connection timed out`);
  const key = presentedKey(r.id);
  const trusted = trustedKeys.get(r.id);
  if (!trusted) fail('hostKeyUnknown', `the router's ${key.keyType} host key ${key.fingerprint} is not trusted yet: compare it with the router and trust it to connect`);
  if (trusted.fingerprint !== key.fingerprint) fail('hostKeyMismatch', `the router's ${key.keyType} host key changed: it is now ${key.fingerprint}, the trusted one is ${trusted.fingerprint}; connection refused until you accept the new key`);
}

type MockOverrides = { description?: string; maxPrefix?: number; importPolicy?: string; exportPolicy?: string };

function mockConfig(s: Session, op: string, o: MockOverrides) {
  const r = mockRouterOf(s);
  if (o.maxPrefix !== undefined && !(Number.isInteger(o.maxPrefix) && o.maxPrefix > 0)) fail('invalid', 'a positive number', 'maxPrefix');
  const maxPrefix = o.maxPrefix ?? (s.ipVersion === 4 ? 100 : 20);
  const descr = o.description ?? `AS${s.asn} ${s.networkName}`;
  const imp = o.importPolicy ?? `PEER-AS${s.asn}-IN`;
  const exp = o.exportPolicy ?? 'OWN-PREFIXES-OUT';
  let text: string;
  if (r.platform === 'bird2') {
    const name = `peer_as${s.asn}_${s.peerIp.replace(/[.:]/g, '_')}`;
    text =
      op === 'remove'
        ? `# remove ${r.configDir || '/etc/bird/peers'}/${name}.conf\n`
        : `protocol bgp ${name} {\n  description "${descr}";\n  ${op === 'shutdown' ? 'disabled yes' : 'disabled no'};\n  local as ${r.localAsn};\n  neighbor ${s.peerIp} as ${s.asn};\n${s.md5Ref ? '  password "KEYRING-MD5";\n' : ''}  ipv${s.ipVersion} { import limit ${maxPrefix} action restart; import filter ${imp}; export filter ${exp}; };\n}\n`;
  } else {
    const n = `neighbor ${s.peerIp}`;
    const body =
      op === 'remove'
        ? [`no ${n}`]
        : op === 'shutdown'
          ? [`${n} shutdown`]
          : op === 'enable'
            ? [`no ${n} shutdown`]
            : [
                `${n} remote-as ${s.asn}`,
                `${n} description ${descr}`,
                ...(s.md5Ref ? [`${n} password KEYRING-MD5`] : []),
                `address-family ipv${s.ipVersion} unicast`,
                ` ${n} activate`,
                ` ${n} maximum-prefix ${maxPrefix}`,
                ` ${n} route-map ${imp} in`,
                ` ${n} route-map ${exp} out`,
                'exit-address-family',
              ];
    text = ['configure terminal', `router bgp ${r.localAsn}`, ...body, 'end', ''].join('\n');
  }
  return {
    platform: r.platform,
    operation: op,
    template: `config/${r.platform}/${op}`,
    text,
    maxPrefixSource: o.maxPrefix !== undefined ? 'one-time override' : 'default',
  };
}

function mockRefresh(r: Router, list: Session[]) {
  mockConnect(r);
  const at = now();
  let established = 0;
  let missing = 0;
  for (const s of list) {
    const configured = s.configState === 'configured';
    const bgpState: BgpState | null = configured ? (s.adminState === 'up' ? 'established' : 'idle') : null;
    if (bgpState === 'established') established++;
    if (!configured) missing++;
    Object.assign(s, { bgpState, bgpRefreshedAt: at });
  }
  return { routerName: r.name, updated: list.length - missing, missing, established };
}

Object.assign(handlers, {
  router_host_key: (a: Args) => trustedKeys.get(Number(a!.routerId)) ?? null,
  probe_router_host_key: (a: Args) => presentedKey(Number(a!.routerId)),
  trust_router_host_key: (a: Args) => {
    const routerId = Number(a!.routerId);
    const key = presentedKey(routerId);
    if (key.fingerprint !== a!.fingerprint) fail('hostKeyMismatch', `the router's ${key.keyType} host key changed: it is now ${key.fingerprint}, the trusted one is ${String(a!.fingerprint)}`);
    trustedKeys.set(routerId, key);
    return key;
  },
  render_session_config: (a: Args) => mockConfig(mockSession(a!.sessionId), String(a!.operation), a!.overrides as MockOverrides),
  preview_push: (a: Args) => {
    const s = mockSession(a!.sessionId);
    const r = mockRouterOf(s);
    mockConnect(r);
    const config = mockConfig(s, String(a!.operation), a!.overrides as MockOverrides);
    const current = s.configState === 'configured' ? mockConfig(s, 'add', {}).text.replace('KEYRING-MD5', '********') : '';
    const proposed = config.text.replace('KEYRING-MD5', '********');
    const had = new Set(current.split('\n'));
    const diff = proposed
      .split('\n')
      .filter((l) => l !== '')
      .map((text) => ({ kind: had.has(text) ? ('same' as const) : ('added' as const), text }));
    return { routerName: r.name, platform: r.platform, current, proposed, diff };
  },
  // Not a command of the app any more: the push behind push_or_queue and the outbox sync (mockSync.ts).
  push_session_config: async (a: Args) => {
    const s = mockSession(a!.sessionId);
    const r = mockRouterOf(s);
    const op = String(a!.operation);
    const o = a!.overrides as MockOverrides;
    mockConnect(r);
    const sent = mockConfig(s, op, o).text.replace('KEYRING-MD5', '********');
    await new Promise((done) => setTimeout(done, 1500));
    const log = [`    12 ms  connected to ${r.mgmtAddress}:${r.sshPort} as ${r.username}`, '    80 ms  read the running configuration', '   140 ms  applied'];
    if (o.description?.toLowerCase().includes('reject')) {
      Object.assign(s, { configState: 'failed', updatedAt: now() });
      fail('rejected', `${r.name} refused the change: % Unknown command: description ${o.description}\nthe previous configuration was restored`);
    }
    const bgpState: BgpState | null = op === 'remove' ? null : op === 'shutdown' ? 'idle' : 'established';
    Object.assign(s, {
      configState: op === 'remove' ? 'not_configured' : 'configured',
      bgpState,
      bgpRefreshedAt: now(),
      updatedAt: now(),
    });
    log.push('   900 ms  verified', ...(bgpState === 'established' ? ['  1480 ms  session Established'] : []));
    record('session', s.id, 'update', `${op} ${s.peerIp} on ${r.name}`);
    return {
      session: s,
      sent,
      rolledBack: false,
      bgpState,
      message: bgpState === 'established' ? 'configured; the session is Established' : `${op} done`,
      log,
    };
  },
  refresh_session_states: (a: Args) => {
    const r = routers.find((x) => x.id === a!.routerId) ?? fail('notFound', `router ${String(a!.routerId)} does not exist`);
    return mockRefresh(r, sessions.filter((s) => s.routerId === r.id));
  },
  refresh_exchange_states: (a: Args) => {
    const here = sessions.filter((s) => s.exchangeId === a!.exchangeId);
    return routers
      .filter((r) => here.some((s) => s.routerId === r.id))
      .map((r) => mockRefresh(r, here.filter((s) => s.routerId === r.id)));
  },
});

// ---- role, Admin passphrase, Data Import, delete from router -------------
// Core keeps the passphrase in the keyring and enforces the role; the mock
// keeps both in memory so the Settings Role section and the Data Import view
// can be clicked through. A scan finds the router's configured sessions
// (already in Peerdesk), one new peer on the first attached exchange, and one
// neighbour without a known AS.

let roleStatus: { role: 'admin' | 'coordinator'; passphraseSet: boolean } = { role: 'admin', passphraseSet: false };
let adminPassphrase: string | null = null;

function requireAdmin(what: string) {
  if (roleStatus.role !== 'admin') fail('forbidden', `${what} needs the Admin role; switch to Admin in Settings`);
}

for (const name of ['save_template', 'revert_template', 'reset_template']) {
  const inner = handlers[name];
  handlers[name] = (a) => {
    requireAdmin('Editing templates');
    return inner(a);
  };
}

function mockScan(routerId: number) {
  requireAdmin('Data Import');
  const r = routers.find((x) => x.id === routerId) ?? fail('notFound', `router ${routerId} does not exist`);
  mockConnect(r);
  const mine = sessions.filter((s) => s.routerId === r.id && s.configState === 'configured');
  const ex = exchanges.find((e) => r.attachments.some((a) => a.exchangeId === e.id)) ?? null;
  const base = ex?.prefixV4 ? ex.prefixV4.split('/')[0].split('.').slice(0, 3).join('.') : '203.0.113';
  const neighbor = (peerIp: string, remoteAsn: number | null, description: string) => ({
    peerIp, remoteAsn, description, peerGroup: null, adminDown: false, bgpState: 'established' as BgpState,
  });
  const candidates = [
    ...mine.map((s) => ({
      neighbor: neighbor(s.peerIp, s.asn, s.networkName), exchangeId: s.exchangeId, exchangeName: s.exchangeName,
      peerGroupId: s.peerGroupId, networkName: s.networkName, fromPeeringdb: false, alreadyImported: true, problem: null,
    })),
    {
      neighbor: neighbor(`${base}.201`, 64510, 'Example Transit'), exchangeId: ex?.id ?? null, exchangeName: ex?.name ?? null,
      peerGroupId: null, networkName: 'Example Transit', fromPeeringdb: true, alreadyImported: false, problem: null,
    },
    {
      neighbor: neighbor(`${base}.202`, null, ''), exchangeId: ex?.id ?? null, exchangeName: ex?.name ?? null,
      peerGroupId: null, networkName: '', fromPeeringdb: false, alreadyImported: false, problem: "the router does not say the peer's AS",
    },
  ];
  return { routerId: r.id, routerName: r.name, candidates };
}

Object.assign(handlers, {
  get_role: () => roleStatus,
  switch_role: (a: Args) => {
    const to = a!.role as 'admin' | 'coordinator';
    if (to === roleStatus.role) return roleStatus;
    if (to === 'admin' && roleStatus.passphraseSet) {
      const given = typeof a!.passphrase === 'string' ? a!.passphrase : '';
      if (!given) fail('invalid', 'enter the Admin passphrase to switch to Admin', 'passphrase');
      if (given !== adminPassphrase) fail('invalid', 'that is not the Admin passphrase', 'passphrase');
    }
    const old = roleStatus;
    roleStatus = { ...roleStatus, role: to };
    record('settings', null, 'update', `Role switched to ${to === 'admin' ? 'Admin' : 'Coordinator'}`, old, roleStatus);
    return roleStatus;
  },
  set_admin_passphrase: (a: Args) => {
    requireAdmin('Setting the Admin passphrase');
    const next = String(a!.passphrase ?? '');
    if (next.length < 6 || next.length > 200) fail('invalid', 'a passphrase of 6 to 200 characters', 'newPassphrase');
    if (roleStatus.passphraseSet && a!.current !== adminPassphrase) fail('invalid', 'that is not the current Admin passphrase', 'currentPassphrase');
    const changed = roleStatus.passphraseSet;
    adminPassphrase = next;
    roleStatus = { ...roleStatus, passphraseSet: true };
    record('settings', null, 'update', changed ? 'Admin passphrase changed' : 'Admin passphrase set');
    return roleStatus;
  },
  clear_admin_passphrase: (a: Args) => {
    requireAdmin('Clearing the Admin passphrase');
    if (roleStatus.passphraseSet && a!.current !== adminPassphrase) fail('invalid', 'that is not the current Admin passphrase', 'currentPassphrase');
    adminPassphrase = null;
    roleStatus = { ...roleStatus, passphraseSet: false };
    record('settings', null, 'update', 'Admin passphrase cleared');
    return roleStatus;
  },
  scan_router_sessions: async (a: Args) => {
    await new Promise((done) => setTimeout(done, 800));
    return mockScan(Number(a!.routerId));
  },
  import_sessions: (a: Args) => {
    const preview = mockScan(Number(a!.routerId));
    const wanted = a!.peerIps as string[];
    let added = 0;
    let skipped = 0;
    for (const c of preview.candidates.filter((x) => wanted.includes(x.neighbor.peerIp))) {
      if (c.alreadyImported || c.neighbor.remoteAsn === null) {
        skipped++;
        continue;
      }
      const created = addSession({
        sessionType: c.exchangeId === null ? 'private' : 'peer',
        exchangeId: c.exchangeId,
        routerId: preview.routerId,
        asn: String(c.neighbor.remoteAsn),
        peerName: c.networkName,
        asSet: '',
        peerIpv4: c.neighbor.peerIp.includes(':') ? undefined : c.neighbor.peerIp,
        peerIpv6: c.neighbor.peerIp.includes(':') ? c.neighbor.peerIp : undefined,
        notes: `Imported from ${preview.routerName}`,
      } as NewSession) as Session[];
      for (const s of created) Object.assign(s, { configState: 'configured', bgpState: c.neighbor.bgpState });
      added++;
    }
    return { added, skipped };
  },
});
