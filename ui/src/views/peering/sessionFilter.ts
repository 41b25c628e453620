// The Sessions list filters: the form state, the SessionFilter core applies
// (the paged list and the CSV export), and the same matching in memory for the
// dev-only mock backend. Text matching mirrors core's list_sessions:
// case-insensitive substring of the network name, the ASN or the peer IP;
// "AS64500" matches the ASN 64500.
import type { BgpState } from '$lib/bindings/BgpState';
import type { ConfigState } from '$lib/bindings/ConfigState';
import type { Session } from '$lib/bindings/Session';
import type { SessionFilter } from '$lib/bindings/SessionFilter';
import type { SessionType } from '$lib/bindings/SessionType';

export type StateFilter =
  | { kind: 'config'; value: ConfigState }
  | { kind: 'bgp'; value: BgpState };

export interface SessionListFilter {
  text: string;
  ipVersion: 4 | 6 | null;
  sessionType: SessionType | null;
  state: StateFilter | null;
}

export const NO_FILTER: SessionListFilter = {
  text: '',
  ipVersion: null,
  sessionType: null,
  state: null,
};

/** A state <select> value ("config:pending", "bgp:established", "") as a filter. */
export function parseStateFilter(value: string): StateFilter | null {
  const [kind, state] = value.split(':');
  if (!state) return null;
  if (kind === 'config') return { kind, value: state as ConfigState };
  if (kind === 'bgp') return { kind, value: state as BgpState };
  return null;
}

export function stateFilterValue(state: StateFilter | null): string {
  return state ? `${state.kind}:${state.value}` : '';
}

/** The lower-case needle the text filter looks for, or null when it does not narrow. */
export function textNeedle(text: string): string | null {
  const t = text.trim();
  if (t === '') return null;
  const prefixed = /^(?:AS|as)(\d+)$/.exec(t);
  return (prefixed ? prefixed[1] : t).toLowerCase();
}

// One lower-case search text per session (name, ASN, IP joined by a character
// no one can type), built once per list so a keystroke costs one `includes`
// per row.
const searchTexts = new WeakMap<readonly Session[], string[]>();

function searchTextsOf(sessions: readonly Session[]): string[] {
  let texts = searchTexts.get(sessions);
  if (!texts) {
    texts = sessions.map((s) => `${s.networkName.toLowerCase()}\u0000${s.asn}\u0000${s.peerIp.toLowerCase()}`);
    searchTexts.set(sessions, texts);
  }
  return texts;
}

/** The sessions the filter keeps, in their original order. */
export function filterSessions(sessions: readonly Session[], f: SessionListFilter): readonly Session[] {
  const needle = textNeedle(f.text);
  const { ipVersion, sessionType, state } = f;
  if (needle === null && ipVersion === null && sessionType === null && state === null) {
    return sessions;
  }
  const texts = needle === null ? null : searchTextsOf(sessions);
  const kept: Session[] = [];
  for (let i = 0; i < sessions.length; i++) {
    const s = sessions[i];
    if (
      (ipVersion === null || s.ipVersion === ipVersion) &&
      (sessionType === null || s.sessionType === sessionType) &&
      (state === null ||
        (state.kind === 'config' ? s.configState === state.value : s.bgpState === state.value)) &&
      (texts === null || texts[i].includes(needle!))
    ) {
      kept.push(s);
    }
  }
  return kept;
}

/** Which sessions a list shows: one exchange's, or those on no exchange. */
export type SessionScope = { exchangeId: number } | { noExchange: true };

/** The SessionFilter that selects in core what the list shows with `f`. */
export function toSessionFilter(scope: SessionScope, f: SessionListFilter): SessionFilter {
  const filter: SessionFilter = { noExchange: 'noExchange' in scope };
  if ('exchangeId' in scope) filter.exchangeId = scope.exchangeId;
  const text = f.text.trim();
  if (text !== '') filter.text = text;
  if (f.ipVersion !== null) filter.ipVersion = f.ipVersion;
  if (f.sessionType !== null) filter.sessionType = f.sessionType;
  if (f.state?.kind === 'config') filter.configState = f.state.value;
  if (f.state?.kind === 'bgp') filter.bgpState = f.state.value;
  return filter;
}
