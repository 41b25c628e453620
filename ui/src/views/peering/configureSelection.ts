// The choices of the Configure Sessions modal: which rows are checked and the
// router, peer group and peer type chosen per row, kept by a row key; what
// "Select all networks" / "Select all exchanges" do; and the selection sent
// to core. Core decided the rows, their defaults and which routers a row may
// use; this only keeps track of the user's clicks.
import type { ConfigureExchange } from '$lib/bindings/ConfigureExchange';
import type { ConfigureRow } from '$lib/bindings/ConfigureRow';
import type { ConfigureSelection } from '$lib/bindings/ConfigureSelection';
import type { ConfigureSessionsView } from '$lib/bindings/ConfigureSessionsView';
import type { PeerGroupChoice } from '$lib/bindings/PeerGroupChoice';
import type { SessionType } from '$lib/bindings/SessionType';

export interface RowChoice {
  checked: boolean;
  routerId: number | null;
  peerGroupId: number | null;
  sessionType: SessionType;
}

export type Choices = Record<string, RowChoice>;

/** The exchange part of test ids and keys: its id, or `none` for No Exchange. */
export const exchangeKey = (ex: ConfigureExchange) => (ex.exchangeId === null ? 'none' : String(ex.exchangeId));

/** A row's key (and test id suffix): exchange and peer address are unique together. */
export const rowKey = (ex: ConfigureExchange, row: ConfigureRow) => `${exchangeKey(ex)}-${row.peerIp}`;

/** Core's defaults, nothing checked (with `checkAll`, every row that has a router: the one-session view). */
export function initialChoices(view: ConfigureSessionsView, checkAll = false): Choices {
  const out: Choices = {};
  for (const ex of view.exchanges) {
    for (const row of ex.rows) {
      out[rowKey(ex, row)] = {
        checked: checkAll && row.routerId !== null,
        routerId: row.routerId,
        peerGroupId: row.peerGroupId,
        sessionType: row.sessionType,
      };
    }
  }
  return out;
}

/** A row can be configured only with a router. */
export const selectable = (c: RowChoice | undefined) => c !== undefined && c.routerId !== null;

/** The peer groups a row may take with the router chosen for it. */
export function groupsFor(ex: ConfigureExchange, row: ConfigureRow, routerId: number | null): PeerGroupChoice[] {
  const family = row.ipVersion === 4 ? 'ipv4' : 'ipv6';
  return ex.peerGroups.filter((g) => g.routerId === routerId && g.family === family);
}

/** A new router for a row: its first group of the row's family, and that group's peer type. */
export function chooseRouter(ex: ConfigureExchange, row: ConfigureRow, c: RowChoice, routerId: number): RowChoice {
  const group = groupsFor(ex, row, routerId)[0] ?? null;
  return { ...c, routerId, peerGroupId: group?.id ?? null, sessionType: group?.sessionType ?? c.sessionType };
}

/** 'all', 'some' or 'none' of these rows' selectable choices are checked. */
export function checkedState(keys: string[], choices: Choices): 'all' | 'some' | 'none' {
  const usable = keys.filter((k) => selectable(choices[k]));
  const n = usable.filter((k) => choices[k].checked).length;
  if (n === 0) return 'none';
  return n === usable.length ? 'all' : 'some';
}

export const exchangeKeys = (ex: ConfigureExchange) => ex.rows.map((r) => rowKey(ex, r));

export const allKeys = (view: ConfigureSessionsView) => view.exchanges.flatMap(exchangeKeys);

/** Checks (or unchecks) every selectable row of `keys`; rows without a router stay unchecked. */
export function setChecked(choices: Choices, keys: string[], checked: boolean): Choices {
  const out = { ...choices };
  for (const k of keys) {
    if (selectable(out[k])) out[k] = { ...out[k], checked };
  }
  return out;
}

/** The checked rows as core takes them. */
export function toSelection(view: ConfigureSessionsView, choices: Choices): ConfigureSelection {
  const rows: ConfigureSelection['rows'] = [];
  for (const ex of view.exchanges) {
    for (const row of ex.rows) {
      const c = choices[rowKey(ex, row)];
      if (!c?.checked || c.routerId === null) continue;
      const r: ConfigureSelection['rows'][number] = {
        peerIp: row.peerIp,
        routerId: c.routerId,
        sessionType: c.sessionType,
      };
      if (row.sessionId !== null) r.sessionId = row.sessionId;
      if (ex.exchangeId !== null) r.exchangeId = ex.exchangeId;
      if (c.peerGroupId !== null) r.peerGroupId = c.peerGroupId;
      rows.push(r);
    }
  }
  return { asn: view.asn, rows };
}

/** `datetime-local` text one hour from `now`, in local time (the Schedule default). */
export function inOneHour(now: Date): string {
  const t = new Date(now.getTime() + 60 * 60 * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}`;
}
