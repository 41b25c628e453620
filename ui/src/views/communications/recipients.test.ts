// The recipient picker's text handling: what is in To already, and To with
// one more address, never a second copy.
import { describe, expect, it } from 'vitest';
import type { RecipientCandidate } from '$lib/bindings/RecipientCandidate';
import { addable, addRecipient, addressesIn, unusable } from './recipients';

const candidate = (address: string, over: Partial<RecipientCandidate> = {}): RecipientCandidate => ({
  address,
  role: 'Policy',
  name: 'Policy desk',
  inTo: false,
  ...over,
});

describe('recipients', () => {
  it('reads the bare addresses of To, names and case aside', () => {
    expect(addressesIn('a@x.net, NOC <Noc@X.net> ,, ')).toEqual(['a@x.net', 'noc@x.net']);
    expect(addressesIn('   ')).toEqual([]);
  });

  it('adds an address after a comma, to empty To as the only one, and never twice', () => {
    expect(addRecipient('', 'b@x.net')).toBe('b@x.net');
    expect(addRecipient('a@x.net', 'b@x.net')).toBe('a@x.net, b@x.net');
    expect(addRecipient('a@x.net, ', 'b@x.net')).toBe('a@x.net, b@x.net');
    expect(addRecipient('a@x.net, B@X.NET', 'b@x.net')).toBe('a@x.net, B@X.NET');
  });

  it('offers the usable candidates not in To, and lists the unusable ones apart', () => {
    const list = [
      candidate('a@x.net', { inTo: true }),
      candidate('b@x.net'),
      candidate('noc@b', { role: 'NOC', problem: 'the domain has no dot' }),
    ];
    expect(addable(list, 'a@x.net').map((c) => c.address)).toEqual(['b@x.net']);
    expect(addable(list, '').map((c) => c.address)).toEqual(['a@x.net', 'b@x.net']);
    expect(unusable(list).map((c) => c.address)).toEqual(['noc@b']);
  });
});
