// The Sessions list filter: what each filter keeps, and that the SessionFilter
// sent for the CSV export describes the same selection.
import { describe, expect, it } from 'vitest';
import type { Session } from '$lib/bindings/Session';
import {
  NO_FILTER,
  filterSessions,
  parseStateFilter,
  stateFilterValue,
  textNeedle,
  toSessionFilter,
  type SessionListFilter,
} from './sessionFilter';

let nextId = 1;
function session(p: Partial<Session>): Session {
  return {
    id: nextId++,
    sessionType: 'peer',
    exchangeId: 1,
    exchangeName: 'Test IX',
    routerId: 1,
    routerName: 'edge1',
    peerGroupId: null,
    peerGroupName: null,
    networkId: 1,
    asn: 64500,
    networkName: 'Example Networks',
    peerIp: '192.0.2.10',
    ipVersion: 4,
    md5Ref: null,
    md5Needed: false,
    adminState: 'up',
    configState: 'configured',
    bgpState: 'established',
    bgpRefreshedAt: null,
    notes: '',
    createdAt: '',
    updatedAt: '',
    ...p,
  };
}

const example4 = session({ asn: 64500, networkName: 'Example Networks', peerIp: '192.0.2.10' });
const example6 = session({ asn: 64500, networkName: 'Example Networks', peerIp: '2001:DB8::A', ipVersion: 6 });
const sample = session({
  asn: 64501,
  networkName: 'Sample Telecom',
  peerIp: '192.0.2.11',
  sessionType: 'route_server',
  configState: 'pending',
  bgpState: null,
});
const doc = session({
  asn: 65551,
  networkName: 'Doc Transit',
  peerIp: '198.51.100.5',
  sessionType: 'transit',
  configState: 'failed',
  bgpState: 'idle',
});
const all = [example4, example6, sample, doc];

const f = (p: Partial<SessionListFilter>): SessionListFilter => ({ ...NO_FILTER, ...p });
const ids = (list: readonly Session[]) => list.map((s) => s.id);

describe('filterSessions', () => {
  it('returns the list itself when nothing narrows it (no copy of 20,000 rows)', () => {
    expect(filterSessions(all, NO_FILTER)).toBe(all);
    expect(filterSessions(all, f({ text: '   ' }))).toBe(all);
  });

  it('matches the network name case-insensitively', () => {
    expect(ids(filterSessions(all, f({ text: 'sample tel' })))).toEqual([sample.id]);
    expect(ids(filterSessions(all, f({ text: 'EXAMPLE' })))).toEqual([example4.id, example6.id]);
  });

  it('matches ASN digits with or without the AS prefix', () => {
    expect(ids(filterSessions(all, f({ text: '64501' })))).toEqual([sample.id]);
    expect(ids(filterSessions(all, f({ text: 'AS64501' })))).toEqual([sample.id]);
    expect(ids(filterSessions(all, f({ text: 'as65551' })))).toEqual([doc.id]);
    expect(ids(filterSessions(all, f({ text: '6450' })))).toEqual([example4.id, example6.id, sample.id]);
  });

  it('matches a substring of the peer IP, IPv6 in any letter case', () => {
    expect(ids(filterSessions(all, f({ text: '192.0.2.1' })))).toEqual([example4.id, sample.id]);
    expect(ids(filterSessions(all, f({ text: '2001:db8::a' })))).toEqual([example6.id]);
    expect(ids(filterSessions(all, f({ text: '198.51.100.' })))).toEqual([doc.id]);
  });

  it('does not match text spanning two fields (name end + ASN start)', () => {
    expect(filterSessions(all, f({ text: 'networks6450' }))).toEqual([]);
    expect(filterSessions(all, f({ text: 's 64500' }))).toEqual([]);
  });

  it('searches the new rows after the list is replaced (e.g. after an edit)', () => {
    expect(ids(filterSessions(all, f({ text: 'renamed' })))).toEqual([]);
    const edited = all.map((s) => (s.id === doc.id ? { ...s, networkName: 'Renamed Transit' } : s));
    expect(ids(filterSessions(edited, f({ text: 'renamed' })))).toEqual([doc.id]);
  });

  it('finds nothing for text that is in no name, ASN or address', () => {
    expect(filterSessions(all, f({ text: 'edge1' }))).toEqual([]);
  });

  it('narrows by IP version, type, config state and BGP state, combined with the text', () => {
    expect(ids(filterSessions(all, f({ ipVersion: 6 })))).toEqual([example6.id]);
    expect(ids(filterSessions(all, f({ sessionType: 'transit' })))).toEqual([doc.id]);
    expect(ids(filterSessions(all, f({ state: { kind: 'config', value: 'pending' } })))).toEqual([sample.id]);
    expect(ids(filterSessions(all, f({ state: { kind: 'bgp', value: 'established' } })))).toEqual([
      example4.id,
      example6.id,
    ]);
    expect(ids(filterSessions(all, f({ text: 'example', ipVersion: 4 })))).toEqual([example4.id]);
    expect(filterSessions(all, f({ text: 'sample', ipVersion: 6 }))).toEqual([]);
  });
});

describe('textNeedle', () => {
  it('strips an AS prefix only in front of digits, as core does', () => {
    expect(textNeedle(' AS64500 ')).toBe('64500');
    expect(textNeedle('ASIA')).toBe('asia');
    expect(textNeedle('')).toBeNull();
  });
});

describe('state select values', () => {
  it('round-trip through parseStateFilter and stateFilterValue', () => {
    for (const v of ['config:pending', 'bgp:established', '']) {
      expect(stateFilterValue(parseStateFilter(v))).toBe(v);
    }
    expect(parseStateFilter('nonsense')).toBeNull();
  });
});

describe('toSessionFilter', () => {
  it('scopes to the exchange and carries every active filter', () => {
    expect(
      toSessionFilter(
        { exchangeId: 3 },
        f({ text: ' AS64500 ', ipVersion: 4, sessionType: 'peer', state: { kind: 'bgp', value: 'idle' } }),
      ),
    ).toEqual({
      exchangeId: 3,
      noExchange: false,
      text: 'AS64500',
      ipVersion: 4,
      sessionType: 'peer',
      bgpState: 'idle',
    });
  });

  it('asks for the sessions on no exchange, with a config-state filter', () => {
    expect(toSessionFilter({ noExchange: true }, f({ state: { kind: 'config', value: 'failed' } }))).toEqual({
      noExchange: true,
      configState: 'failed',
    });
  });

  it('leaves out filters that do not narrow', () => {
    expect(toSessionFilter({ exchangeId: 1 }, NO_FILTER)).toEqual({ exchangeId: 1, noExchange: false });
  });
});
