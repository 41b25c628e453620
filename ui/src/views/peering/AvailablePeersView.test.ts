// Available Peers against a mocked api: the rows are what core returns, Hide
// asks core and takes the row out, the toast's Undo asks core to list it again
// and puts the row back, and the wrench hands the peer to Add Session and
// Network detail.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { AvailablePeer } from '$lib/bindings/AvailablePeer';
import type { Exchange } from '$lib/bindings/Exchange';
import Toasts from '$lib/components/Toasts.svelte';
import { toasts } from '$lib/components/toasts.svelte';

const pdb = vi.hoisted(() => ({ availablePeers: vi.fn(), hidePeer: vi.fn() }));
vi.mock('$lib/api/peeringdb', () => pdb);

import AvailablePeersView from './AvailablePeersView.svelte';

const exchange: Exchange = {
  id: 3,
  name: 'Test IX Frankfurt',
  city: 'Frankfurt',
  country: 'DE',
  peeringdbIxId: 501,
  peeringdbIxlanId: 601,
  prefixV4: '192.0.2.0/24',
  prefixV6: '2001:db8::/64',
  createdAt: '',
  updatedAt: '',
};

const peer = (asn: number, name: string, over: Partial<AvailablePeer> = {}): AvailablePeer => ({
  netixlanId: asn * 10,
  netId: asn,
  asn,
  name,
  policyGeneral: 'Open',
  isRsPeer: false,
  neverViaRouteServers: false,
  infoPrefixes4: 10,
  infoPrefixes6: 2,
  ipaddr4: `192.0.2.${asn - 64400}`,
  ipaddr6: null,
  speed: 10000,
  ...over,
});

const PEERS = [
  peer(64500, 'Alpha Networks', { isRsPeer: true, ipaddr6: '2001:db8::100', infoPrefixes4: 12000 }),
  peer(64501, 'Bravo Telecom', { policyGeneral: 'Selective', infoPrefixes6: null }),
  peer(64502, 'Charlie Cloud'),
];

function open() {
  const onaddsession = vi.fn();
  const onnetworkdetail = vi.fn();
  const onback = vi.fn();
  render(AvailablePeersView, { props: { exchange, onback, onaddsession, onnetworkdetail } });
  render(Toasts);
  return { onaddsession, onnetworkdetail, onback, user: userEvent.setup() };
}

const rowAsns = () =>
  screen.queryAllByTestId(/^available-peer-\d+$/).map((r) => Number(r.getAttribute('data-testid')!.split('-').pop()));

async function choose(user: ReturnType<typeof userEvent.setup>, asn: number | string, action: string) {
  await user.click(screen.getByTestId(`available-peer-actions-${asn}`));
  await user.click(screen.getByTestId(`action-${action}`));
}

beforeEach(() => {
  toasts.items = [];
  pdb.availablePeers.mockReset().mockResolvedValue(PEERS.slice());
  pdb.hidePeer.mockReset().mockResolvedValue(null);
});

describe('AvailablePeersView', () => {
  it("lists core's available peers of the exchange with policy, RS peer, prefixes and addresses", async () => {
    open();
    await waitFor(() => expect(rowAsns()).toEqual([64500, 64501, 64502]));
    expect(pdb.availablePeers).toHaveBeenCalledWith(3);
    const alpha = within(screen.getByTestId('available-peer-64500'));
    expect(alpha.getByText('Alpha Networks')).toBeTruthy();
    expect(alpha.getByText('AS64500')).toBeTruthy();
    expect(alpha.getByText('Yes')).toBeTruthy();
    expect(alpha.getByText('12,000')).toBeTruthy();
    expect(alpha.getByText(/192\.0\.2\.100 · 2001:db8::100/)).toBeTruthy();
    const bravo = within(screen.getByTestId('available-peer-64501'));
    expect(bravo.getByText('Selective')).toBeTruthy();
    expect(bravo.getByText('—')).toBeTruthy();
    expect(screen.getByTestId('available-peers-count').textContent).toContain('3 of 3 available peers');
  });

  it('hides a peer through core, and Undo in the toast lists it again in its place', async () => {
    const { user } = open();
    await waitFor(() => expect(rowAsns()).toHaveLength(3));

    await choose(user, 64501, 'hide-peer');
    expect(pdb.hidePeer).toHaveBeenCalledWith(3, 64501, true);
    await waitFor(() => expect(rowAsns()).toEqual([64500, 64502]));
    const toast = screen.getByTestId('toast');
    expect(toast.textContent).toContain('AS64501 Bravo Telecom hidden on Test IX Frankfurt');

    await user.click(within(toast).getByTestId('toast-action'));
    expect(pdb.hidePeer).toHaveBeenLastCalledWith(3, 64501, false);
    await waitFor(() => expect(rowAsns()).toEqual([64500, 64501, 64502]));
    expect(pdb.hidePeer).toHaveBeenCalledTimes(2);
  });

  it('keeps the row and says why when core refuses to hide it', async () => {
    pdb.hidePeer.mockRejectedValue(new ApiError('internal', 'database is locked'));
    const { user } = open();
    await waitFor(() => expect(rowAsns()).toHaveLength(3));
    await choose(user, 64500, 'hide-peer');
    await waitFor(() => expect(toasts.items.map((t) => [t.kind, t.message])).toEqual([['error', 'database is locked']]));
    expect(rowAsns()).toEqual([64500, 64501, 64502]);
    expect(screen.queryByTestId('toast-action')).toBeNull();
  });

  it('hands the peer to Add Session and its ASN to Network detail', async () => {
    const { user, onaddsession, onnetworkdetail } = open();
    await waitFor(() => expect(rowAsns()).toHaveLength(3));
    await choose(user, 64500, 'add-session');
    expect(onaddsession).toHaveBeenCalledWith(PEERS[0]);
    await choose(user, 64502, 'network-detail');
    expect(onnetworkdetail).toHaveBeenCalledWith(64502);
  });

  it('filters by name or AS number', async () => {
    const { user } = open();
    await waitFor(() => expect(rowAsns()).toHaveLength(3));
    await user.type(screen.getByTestId('available-peers-filter'), 'AS64502');
    expect(rowAsns()).toEqual([64502]);
    await user.clear(screen.getByTestId('available-peers-filter'));
    await user.type(screen.getByTestId('available-peers-filter'), 'bravo');
    expect(rowAsns()).toEqual([64501]);
  });

  it('says plainly when there is nothing to show (no mirror or all peered)', async () => {
    pdb.availablePeers.mockResolvedValue([]);
    open();
    await waitFor(() => expect(screen.getByTestId('available-peers').textContent).toContain('No available peers'));
    expect(toasts.items).toEqual([]);
  });

  it("lists a network with several ports once per port, each with that port's own addresses", async () => {
    // Core's order: by name, then by address as numbers (…2 before …16).
    const ports = [
      peer(64500, 'Alpha Networks', { netixlanId: 11, ipaddr4: '192.0.2.2', ipaddr6: '2001:db8::2' }),
      peer(64500, 'Alpha Networks', { netixlanId: 10, ipaddr4: '192.0.2.16', ipaddr6: '2001:db8::16' }),
      peer(64500, 'Alpha Networks', { netixlanId: 12, ipaddr4: null, ipaddr6: '2001:db8::a' }),
      peer(64501, 'Bravo Telecom', { netixlanId: 20 }),
    ];
    pdb.availablePeers.mockResolvedValue(ports.slice());
    const { user, onaddsession } = open();
    const rows = () => screen.queryAllByTestId(/^available-peer-\d+(-\d+)?$/).map((r) => r.getAttribute('data-testid'));
    await waitFor(() =>
      expect(rows()).toEqual(['available-peer-64500', 'available-peer-64500-10', 'available-peer-64500-12', 'available-peer-64501']),
    );
    expect(within(screen.getByTestId('available-peer-64500')).getByText(/192\.0\.2\.2 · 2001:db8::2$/)).toBeTruthy();
    expect(within(screen.getByTestId('available-peer-64500-10')).getByText(/192\.0\.2\.16 · 2001:db8::16$/)).toBeTruthy();
    const v6only = within(screen.getByTestId('available-peer-64500-12')).getByText('2001:db8::a');
    expect(v6only.textContent!.trim()).toBe('2001:db8::a');
    expect(screen.getByTestId('available-peers-count').textContent).toContain('4 of 4 available peers');
    expect(screen.getByTestId('available-peers-count').textContent).toContain('(2 networks)');

    // Add Session from the second port hands over that port, both its addresses.
    await choose(user, '64500-10', 'add-session');
    expect(onaddsession).toHaveBeenCalledWith(ports[1]);

    // Hide takes every port of the network away; Undo brings them all back in place.
    await choose(user, 64500, 'hide-peer');
    await waitFor(() => expect(rows()).toEqual(['available-peer-64501']));
    await user.click(within(screen.getByTestId('toast')).getByTestId('toast-action'));
    await waitFor(() =>
      expect(rows()).toEqual(['available-peer-64500', 'available-peer-64500-10', 'available-peer-64500-12', 'available-peer-64501']),
    );
  });
});
