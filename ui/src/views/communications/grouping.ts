// The two shapes of the Communications list: flat (one line per peer) and by
// exchange (a header line per exchange, then its peers; a peer present at two
// exchanges is listed under both, peers at none under "No Exchange"). Only
// rearranges the rows core returned; it filters nothing.
import type { PeerRow } from '$lib/bindings/PeerRow';

export type CommsView = 'by-peer' | 'by-exchange';

export interface ExchangeHeader {
  type: 'exchange';
  /** null: the peers with no exchange of ours. */
  exchangeId: number | null;
  name: string;
  peers: number;
}

export interface PeerLine {
  type: 'peer';
  /** The exchange group the line sits in (by exchange), or undefined (flat). */
  exchangeId?: number | null;
  peer: PeerRow;
}

export type CommsLine = ExchangeHeader | PeerLine;

export const NO_EXCHANGE = 'No Exchange';

export function lineKey(line: CommsLine): string {
  if (line.type === 'exchange') return `x:${line.exchangeId ?? 'none'}`;
  return line.exchangeId === undefined ? `p:${line.peer.asn}` : `p:${line.exchangeId ?? 'none'}:${line.peer.asn}`;
}

export function flatLines(rows: readonly PeerRow[]): PeerLine[] {
  return rows.map((peer) => ({ type: 'peer', peer }));
}

/**
 * Exchanges by name ("No Exchange" last), peers in the order core gave them.
 * With `onlyExchange`, only that exchange's group is shown.
 */
export function byExchange(rows: readonly PeerRow[], onlyExchange?: number): CommsLine[] {
  const groups = new Map<number | null, { name: string; peers: PeerRow[]; asns: Set<number> }>();
  const add = (id: number | null, name: string, peer: PeerRow) => {
    let g = groups.get(id);
    if (!g) {
      g = { name, peers: [], asns: new Set() };
      groups.set(id, g);
    }
    if (g.asns.has(peer.asn)) return;
    g.asns.add(peer.asn);
    g.peers.push(peer);
  };
  for (const peer of rows) {
    if (peer.exchangeIds.length === 0) {
      add(null, NO_EXCHANGE, peer);
      continue;
    }
    peer.exchangeIds.forEach((id, i) => add(id, peer.exchanges[i] ?? `Exchange ${id}`, peer));
  }
  const ordered = [...groups.entries()]
    .filter(([id]) => onlyExchange === undefined || id === onlyExchange)
    .sort(([a, ga], [b, gb]) => {
      if (a === null) return 1;
      if (b === null) return -1;
      return ga.name.localeCompare(gb.name);
    });
  const lines: CommsLine[] = [];
  for (const [exchangeId, g] of ordered) {
    lines.push({ type: 'exchange', exchangeId, name: g.name, peers: g.peers.length });
    for (const peer of g.peers) lines.push({ type: 'peer', exchangeId, peer });
  }
  return lines;
}
