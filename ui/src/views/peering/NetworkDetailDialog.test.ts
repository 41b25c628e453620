// Network detail shows what core returns about a network (record, contacts in
// core's order, exchanges, common exchanges, our sessions) and says plainly
// when the network is not in the PeeringDB mirror; Configure Sessions is
// offered only when core lists it for the peer (Existing or Approved).
import { render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { PdbNetworkDetail } from '$lib/bindings/PdbNetworkDetail';

const pdb = vi.hoisted(() => ({ pdbNetwork: vi.fn(), commonExchanges: vi.fn() }));
vi.mock('$lib/api/peeringdb', () => pdb);
const messaging = vi.hoisted(() => ({ listPeers: vi.fn() }));
vi.mock('$lib/api/messaging', () => messaging);

import { configDialogs } from './configDialogs.svelte';
import NetworkDetailDialog from './NetworkDetailDialog.svelte';

const port = (ixId: number, ixName: string, asn: number, ipaddr4: string, ipaddr6: string | null) => ({
  netixlanId: ixId * 1000 + Number(ipaddr4.split('.').pop()),
  ixId,
  ixName,
  asn,
  ipaddr4,
  ipaddr6,
  speed: 10000,
  isRsPeer: true,
  operational: true,
});

const detail: PdbNetworkDetail = {
  network: {
    netId: 7,
    asn: 64510,
    name: 'Doc Peering GmbH',
    aka: 'DocPeer',
    irrAsSet: 'AS-DOCPEER',
    irrAsSets: ['AS-DOCPEER'],
    infoPrefixes4: 1200,
    infoPrefixes6: 80,
    infoType: 'NSP',
    neverViaRouteServers: true,
    policyGeneral: 'Selective',
    policyUrl: 'https://docpeer.example/policy',
    policyLocations: 'Required - International',
    website: 'https://docpeer.example',
    lookingGlass: '',
    updated: '2025-01-01T00:00:00Z',
  },
  exchanges: [port(501, 'Test-IX', 64510, '192.0.2.50', '2001:db8::50')],
  // Deliberately not alphabetical: the dialog keeps core's order.
  contacts: [
    { role: 'Policy', name: 'Peering team', email: 'peering@docpeer.example', phone: '' },
    { role: 'NOC', name: 'NOC', email: 'noc@docpeer.example', phone: '+49 69 0000' },
    { role: 'Technical', name: 'Eng', email: 'eng@docpeer.example', phone: '' },
  ],
  maxPrefix: { v4: 1495, v6: 207, source: 'PeeringDB: 1200 IPv4 / 80 IPv6' },
  sessions: [],
};

beforeEach(() => {
  messaging.listPeers.mockReset().mockResolvedValue([]);
  configDialogs.close();
  pdb.pdbNetwork.mockReset().mockResolvedValue(detail);
  pdb.commonExchanges.mockReset().mockResolvedValue([
    {
      ixId: 501,
      name: 'Test-IX',
      city: 'Frankfurt',
      country: 'DE',
      localExchangeId: 3,
      ours: [port(501, 'Test-IX', 64496, '192.0.2.1', null)],
      theirs: [port(501, 'Test-IX', 64510, '192.0.2.50', '2001:db8::50')],
    },
  ]);
});

describe('NetworkDetailDialog', () => {
  it("shows the PeeringDB record, contacts in core's order, exchanges and what we share", async () => {
    render(NetworkDetailDialog, { props: { asn: 64510, onclose: vi.fn() } });
    const record = await screen.findByTestId('network-record');
    expect(pdb.pdbNetwork).toHaveBeenCalledWith(64510);
    expect(pdb.commonExchanges).toHaveBeenCalledWith(64510);
    for (const text of ['DocPeer', 'AS-DOCPEER', 'Selective', 'https://docpeer.example/policy', 'Required - International', 'NSP']) {
      expect(within(record).getByText(text)).toBeTruthy();
    }
    expect(screen.getByTestId('network-max-prefix').textContent).toContain('IPv4 1,495');
    expect(
      within(screen.getByTestId('network-contacts'))
        .getAllByTestId('network-contact')
        .map((li) => li.querySelector('.role')!.textContent),
    ).toEqual(['Policy', 'NOC', 'Technical']);
    expect(within(screen.getByTestId('network-exchanges')).getByText('Test-IX')).toBeTruthy();
    const shared = within(screen.getByTestId('common-exchange-501'));
    expect(shared.getByText('192.0.2.1')).toBeTruthy();
    expect(shared.getByText('192.0.2.50, 2001:db8::50')).toBeTruthy();
    expect(screen.getByTestId('network-sessions').textContent).toContain('You have no session with AS64510');
  });

  it('says plainly that a network is not in the mirror', async () => {
    pdb.pdbNetwork.mockRejectedValue(new ApiError('notFound', 'PeeringDB network AS64999 not found'));
    pdb.commonExchanges.mockResolvedValue([]);
    render(NetworkDetailDialog, { props: { asn: 64999, onclose: vi.fn() } });
    await waitFor(() =>
      expect(screen.getByTestId('network-not-in-mirror').textContent).toContain('AS64999 is not in the PeeringDB mirror'),
    );
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByTestId('network-record')).toBeNull();
  });

  it('offers Configure Sessions only when core lists it for the peer, and opens it for that ASN', async () => {
    const row = (actions: string[]) => ({ asn: 64510, name: 'DocPeer', actions });
    messaging.listPeers.mockResolvedValue([row(['markExisting', 'sendRequest'])]);
    const first = render(NetworkDetailDialog, { props: { asn: 64510, onclose: vi.fn() } });
    await screen.findByTestId('network-record');
    await waitFor(() => expect(messaging.listPeers).toHaveBeenCalledWith({ text: 'AS64510' }));
    expect(screen.queryByTestId('network-configure-sessions')).toBeNull();
    first.unmount();

    messaging.listPeers.mockResolvedValue([row(['resetStatus', 'configureSessions'])]);
    render(NetworkDetailDialog, { props: { asn: 64510, onclose: vi.fn() } });
    const button = await screen.findByTestId('network-configure-sessions');
    button.click();
    expect(configDialogs.current).toEqual({ kind: 'configure-sessions', asn: 64510, onlySession: undefined });
  });

  it('shows the AS-SET as the list of valid sets and keeps each port\'s addresses together', async () => {
    pdb.pdbNetwork.mockResolvedValue({
      ...detail,
      network: { ...detail.network, irrAsSet: 'RIPE::AS-DOC AS-DOC-V6, AS-BAD;', irrAsSets: ['RIPE::AS-DOC', 'AS-DOC-V6'] },
      exchanges: [
        port(501, 'Test-IX', 64510, '192.0.2.50', '2001:db8::50'),
        port(501, 'Test-IX', 64510, '192.0.2.51', null),
        port(502, 'Other-IX', 64510, '198.51.100.9', null),
      ],
    });
    pdb.commonExchanges.mockResolvedValue([
      {
        ixId: 501,
        name: 'Test-IX',
        city: 'Frankfurt',
        country: 'DE',
        localExchangeId: 3,
        ours: [port(501, 'Test-IX', 64496, '192.0.2.1', null)],
        theirs: [port(501, 'Test-IX', 64510, '192.0.2.50', '2001:db8::50'), port(501, 'Test-IX', 64510, '192.0.2.51', null)],
      },
    ]);
    render(NetworkDetailDialog, { props: { asn: 64510, onclose: vi.fn() } });
    const record = await screen.findByTestId('network-record');
    expect(within(record).getByText('RIPE::AS-DOC AS-DOC-V6')).toBeTruthy();
    expect(within(record).queryByText(/AS-BAD/)).toBeNull();
    expect(screen.getByTestId('network-exchanges-count').textContent!.replace(/\s+/g, ' ').trim()).toBe('Exchanges (2 · 3 ports)');
    const shared = within(screen.getByTestId('common-exchange-501'));
    expect(shared.getByText('192.0.2.50, 2001:db8::50; 192.0.2.51')).toBeTruthy();
  });
});
