// The by-exchange shape of the Communications list: a header per exchange in
// name order with its peers below, a peer at two exchanges under both, peers
// at none under "No Exchange" last, and nothing dropped or invented.
import { describe, expect, it } from 'vitest';
import type { PeerRow } from '$lib/bindings/PeerRow';
import { byExchange, flatLines, lineKey, type CommsLine } from './grouping';

const peer = (asn: number, name: string, at: [number, string][]): PeerRow => ({
  asn,
  name,
  status: 'new',
  requestsSent: 0,
  firstRequestAt: null,
  lastRequestAt: null,
  lastContactAt: null,
  exchanges: at.map(([, n]) => n),
  exchangeIds: at.map(([id]) => id),
  policyGeneral: 'Open',
  sessions: 0,
  actions: [],
  lastNote: null,
});

const FRA: [number, string] = [1, 'DEMO-IX Frankfurt'];
const AMS: [number, string] = [2, 'DEMO-IX Amsterdam'];

const ROWS = [
  peer(64500, 'Alpha', [FRA, AMS]),
  peer(64501, 'Bravo', [FRA]),
  peer(64502, 'Charlie', []),
  peer(64503, 'Delta', [AMS]),
];

/** Each line as a short word: `#Name(count)` for a header, `ASN` for a peer. */
const shape = (lines: CommsLine[]) =>
  lines.map((l) => (l.type === 'exchange' ? `#${l.name}(${l.peers})` : String(l.peer.asn)));

describe('byExchange', () => {
  it('puts a header before each exchange, in name order, with its peers in the order core gave them', () => {
    expect(shape(byExchange(ROWS))).toEqual([
      '#DEMO-IX Amsterdam(2)',
      '64500',
      '64503',
      '#DEMO-IX Frankfurt(2)',
      '64500',
      '64501',
      '#No Exchange(1)',
      '64502',
    ]);
  });

  it('lists a peer present at two exchanges under both, each line knowing its group', () => {
    const alpha = byExchange(ROWS).filter((l) => l.type === 'peer' && l.peer.asn === 64500);
    expect(alpha.map((l) => l.type === 'peer' && l.exchangeId)).toEqual([2, 1]);
    // Same peer, two lines: the keys differ so the table can tell them apart.
    expect(new Set(alpha.map(lineKey)).size).toBe(2);
  });

  it('gives every line of the whole list a distinct key', () => {
    const keys = byExchange(ROWS).map(lineKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('shows only the chosen exchange when the list is filtered by one', () => {
    expect(shape(byExchange(ROWS, 1))).toEqual(['#DEMO-IX Frankfurt(2)', '64500', '64501']);
  });

  it('has no line at all for an empty list', () => {
    expect(byExchange([])).toEqual([]);
  });

  it('keeps the flat list one line per peer, in the same order', () => {
    expect(shape(flatLines(ROWS))).toEqual(['64500', '64501', '64502', '64503']);
  });
});
