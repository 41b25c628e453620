// The recipient picker's text handling: which PeeringDB candidates are in the
// To text already, and To with one more address. Core checks every address
// when the message is sent; this only compares and appends text, so the user
// adds a candidate with one click and never gets two recipients unasked.
import type { RecipientCandidate } from '$lib/bindings/RecipientCandidate';

/** The bare addresses in comma-separated To text, lower-cased (`Name <a@x>` gives `a@x`). */
export function addressesIn(to: string): string[] {
  return to
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => (/<([^<>]*)>\s*$/.exec(entry)?.[1] ?? entry).trim().toLowerCase());
}

/** To with `address` added at the end; unchanged when it is there already. */
export function addRecipient(to: string, address: string): string {
  if (addressesIn(to).includes(address.toLowerCase())) return to;
  const kept = to.trim().replace(/,\s*$/, '');
  return kept === '' ? address : `${kept}, ${address}`;
}

/** The candidates the picker offers: usable ones not in To yet. */
export function addable(candidates: readonly RecipientCandidate[], to: string): RecipientCandidate[] {
  const present = addressesIn(to);
  return candidates.filter((c) => !c.problem && !present.includes(c.address.toLowerCase()));
}

/** The candidates PeeringDB has that cannot be used, with core's reason. */
export function unusable(candidates: readonly RecipientCandidate[]): RecipientCandidate[] {
  return candidates.filter((c) => c.problem);
}
