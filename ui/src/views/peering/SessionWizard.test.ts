// The Add Session wizard against a mocked api: router choices follow the
// exchange, the ASN is checked by core on blur, a core error is shown next to
// its field on the step that holds it, with everything typed kept; the
// PeeringDB lookup fills the peer, shows core's max-prefix suggestion and
// offers the peer's addresses at the exchange, and finding nothing is no error.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { Exchange } from '$lib/bindings/Exchange';
import type { Network } from '$lib/bindings/Network';
import type { PdbNetwork } from '$lib/bindings/PdbNetwork';
import type { PdbPresence } from '$lib/bindings/PdbPresence';
import type { PeerGroup } from '$lib/bindings/PeerGroup';
import type { Router } from '$lib/bindings/Router';

const api = vi.hoisted(() => ({
  addSession: vi.fn(),
  listNetworks: vi.fn(),
  checkAsn: vi.fn(),
}));
const pdb = vi.hoisted(() => ({
  searchPdbNetworks: vi.fn(),
  suggestMaxPrefix: vi.fn(),
  peerAddresses: vi.fn(),
}));
vi.mock('$lib/api/peering', () => ({ addSession: api.addSession, listNetworks: api.listNetworks }));
vi.mock('$lib/api/settings', () => ({ checkAsn: api.checkAsn }));
vi.mock('$lib/api/peeringdb', () => pdb);

import SessionWizard from './SessionWizard.svelte';

const stamp = { createdAt: '', updatedAt: '' };
const exchange = (id: number, name: string): Exchange => ({
  id,
  name,
  city: '',
  country: 'DE',
  peeringdbIxId: null,
  peeringdbIxlanId: null,
  prefixV4: '192.0.2.0/24',
  prefixV6: null,
  ...stamp,
});
const router = (id: number, name: string, exchangeIds: number[]): Router => ({
  id,
  name,
  controlCommand: '',
  configDir: '',
  mgmtAddress: '203.0.113.1',
  sshPort: 22,
  platform: 'frr',
  username: 'u',
  authMethod: 'agent',
  credentialRef: null,
  credentialNeeded: false,
  sshKeyPath: null,
  localAsn: 64496,
  notes: '',
  attachments: exchangeIds.map((exchangeId) => ({ exchangeId, exchangeName: '', ipv4: null, ipv6: null })),
  ...stamp,
});
const group = (id: number, name: string, routerId: number, family: 'ipv4' | 'ipv6', exchangeId: number | null): PeerGroup => ({
  id,
  name,
  routerId,
  routerName: '',
  exchangeId,
  exchangeName: null,
  family,
  importPolicy: '',
  exportPolicy: '',
  maxPrefix: null,
  sessionType: 'peer',
  sessionCount: 0,
  ...stamp,
});
const knownNetwork: Network = {
  id: 1,
  asn: 64500,
  name: 'Example Peer',
  asSet: 'AS-EXAMPLE',
  asSets: ['AS-EXAMPLE'],
  maxPrefixV4: null,
  maxPrefixV6: null,
  peeringdbNetId: null,
  localPeer: true,
  sessionCount: 1,
  ...stamp,
};

const exchanges = [exchange(1, 'Test IX Frankfurt'), exchange(2, 'Test IX Amsterdam')];
const routers = [router(10, 'edge1.fra', [1]), router(20, 'edge1.ams', [2])];
const peerGroups = [
  group(100, 'FRA-V4', 10, 'ipv4', 1),
  group(101, 'FRA-V6', 10, 'ipv6', 1),
  group(200, 'AMS-V4', 20, 'ipv4', 2),
];

function open() {
  const onsaved = vi.fn();
  const onclose = vi.fn();
  render(SessionWizard, { props: { exchanges, routers, peerGroups, onsaved, onclose } });
  return { onsaved, onclose, user: userEvent.setup() };
}

const value = (id: string) => (screen.getByTestId(id) as HTMLInputElement).value;
const optionTexts = (id: string) =>
  Array.from((screen.getByTestId(id) as HTMLSelectElement).options).map((o) => o.textContent!.trim());

beforeEach(() => {
  // No PeeringDB mirror unless a test sets one up.
  pdb.searchPdbNetworks.mockReset().mockResolvedValue([]);
  pdb.peerAddresses.mockReset().mockResolvedValue([]);
  pdb.suggestMaxPrefix.mockReset().mockImplementation(async (asn: number) => ({
    v4: 115,
    v6: 115,
    source: `AS${asn} is not in the PeeringDB mirror: default headroom only`,
  }));
  api.addSession.mockReset();
  api.listNetworks.mockReset().mockResolvedValue([knownNetwork]);
  api.checkAsn.mockReset().mockImplementation(async (text: string) => {
    const n = Number(text.replace(/^AS/i, ''));
    if (n === 0) throw new ApiError('invalid', 'AS0 is reserved', 'asn');
    return { asn: n, note: n >= 64496 && n <= 64511 ? 'documentation ASN' : null };
  });
});

async function fillToStep3(user: ReturnType<typeof userEvent.setup>, asn = '64501') {
  await user.click(screen.getByTestId('wizard-next'));
  await user.type(screen.getByTestId('session-asn'), asn);
  await user.type(screen.getByTestId('session-peer-name'), 'Second Peer');
  await user.click(screen.getByTestId('wizard-next'));
  await screen.findByTestId('session-ipv4');
  await user.type(screen.getByTestId('session-ipv4'), '192.0.2.77');
}

describe('SessionWizard', () => {
  it('offers only the routers attached to the chosen exchange, all of them for No Exchange', async () => {
    open();
    expect(optionTexts('session-router')).toEqual(['edge1.fra (AS64496)']);
    await fireEvent.change(screen.getByTestId('session-exchange'), { target: { value: '2' } });
    expect(optionTexts('session-router')).toEqual(['edge1.ams (AS64496)']);
    expect(value('session-router')).toBe('20');
    await fireEvent.change(screen.getByTestId('session-exchange'), { target: { value: '' } });
    expect(optionTexts('session-router')).toEqual(['edge1.fra (AS64496)', 'edge1.ams (AS64496)']);
  });

  it("checks the ASN on blur, shows core's note and prefills a known network's name", async () => {
    const { user } = open();
    await user.click(screen.getByTestId('wizard-next'));
    await user.type(screen.getByTestId('session-asn'), 'AS64500');
    await user.tab();
    await waitFor(() => expect(screen.getByTestId('asn-note').textContent).toBe('documentation ASN'));
    expect(api.checkAsn).toHaveBeenCalledWith('AS64500');
    expect(value('session-peer-name')).toBe('Example Peer');
    expect(value('session-as-set')).toBe('AS-EXAMPLE');
  });

  it('refuses to leave step 2 while core rejects the ASN, with the error at the ASN field', async () => {
    const { user } = open();
    await user.click(screen.getByTestId('wizard-next'));
    await user.type(screen.getByTestId('session-asn'), '0');
    await user.click(screen.getByTestId('wizard-next'));
    expect((await screen.findByTestId('error-asn')).textContent).toBe('AS0 is reserved');
    expect(screen.queryByTestId('session-ipv4')).toBeNull();
  });

  it('offers only peer groups of the chosen router with the right family, and sends the session', async () => {
    const { user, onsaved } = open();
    await fillToStep3(user);
    expect(optionTexts('session-pg-v4')).toEqual(['None', 'FRA-V4']);
    expect(optionTexts('session-pg-v6')).toEqual(['None', 'FRA-V6']);
    api.addSession.mockResolvedValue([{ id: 1 }]);
    await user.click(screen.getByTestId('session-save'));
    expect(api.addSession).toHaveBeenCalledWith({
      sessionType: 'peer',
      exchangeId: 1,
      routerId: 10,
      asn: '64501',
      peerName: 'Second Peer',
      asSet: '',
      peerIpv4: '192.0.2.77',
      peerGroupV4: 100,
      peerIpv6: undefined,
      peerGroupV6: undefined,
      md5Password: undefined,
      notes: '',
    });
    await waitFor(() => expect(onsaved).toHaveBeenCalledWith([{ id: 1 }]));
  });

  it('goes back to step 2 and shows a core error for the ASN there, keeping what was typed', async () => {
    const { user, onsaved } = open();
    await fillToStep3(user, '64502');
    api.addSession.mockRejectedValue(new ApiError('conflict', 'AS64502 is one of your own ASNs', 'asn'));
    await user.click(screen.getByTestId('session-save'));

    expect((await screen.findByTestId('error-asn')).textContent).toBe('AS64502 is one of your own ASNs');
    expect(value('session-asn')).toBe('64502');
    expect(value('session-peer-name')).toBe('Second Peer');
    expect(screen.queryByTestId('session-ipv4')).toBeNull();
    expect(onsaved).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('wizard-next'));
    expect(value('session-ipv4')).toBe('192.0.2.77');
  });

  it('shows an address error next to the IPv4 field on step 3', async () => {
    const { user } = open();
    await fillToStep3(user);
    api.addSession.mockRejectedValue(
      new ApiError('invalid', '198.51.100.7 is outside Test IX Frankfurt (192.0.2.0/24)', 'peerIpv4'),
    );
    await user.click(screen.getByTestId('session-save'));
    expect((await screen.findByTestId('error-peerIpv4')).textContent).toContain('outside Test IX Frankfurt');
    expect(value('session-ipv4')).toBe('192.0.2.77');
    expect(screen.queryByTestId('form-error')).toBeNull();
  });

  it('jumps to step 1 for a router error and shows an error without a field at the top', async () => {
    const { user } = open();
    await fillToStep3(user);
    api.addSession.mockRejectedValueOnce(new ApiError('invalid', 'the router is not attached', 'routerId'));
    await user.click(screen.getByTestId('session-save'));
    expect((await screen.findByTestId('error-routerId')).textContent).toBe('the router is not attached');
    expect(screen.getByTestId('session-router')).toBeTruthy();

    await user.click(screen.getByTestId('wizard-next'));
    await user.click(screen.getByTestId('wizard-next'));
    api.addSession.mockRejectedValueOnce(new ApiError('internal', 'database is locked', null));
    await user.click(screen.getByTestId('session-save'));
    expect((await screen.findByTestId('form-error')).textContent).toBe('database is locked');
    expect(screen.getByTestId('session-ipv4')).toBeTruthy();
  });

  it('advances with Enter, putting the keyboard on the next step\'s first field', async () => {
    const { user } = open();
    await user.click(screen.getByTestId('wizard-next'));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('session-asn')));
    await user.keyboard('64501{Enter}');
    const ipv4 = await screen.findByTestId('session-ipv4');
    await waitFor(() => expect(document.activeElement).toBe(ipv4));
  });

  it('puts the keyboard on the field core refused after jumping back', async () => {
    const { user } = open();
    await fillToStep3(user, '64502');
    api.addSession.mockRejectedValue(new ApiError('invalid', 'bad', 'peerName'));
    await user.click(screen.getByTestId('session-save'));
    await screen.findByTestId('error-peerName');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('session-peer-name')));
  });
});

const pdbNetwork = (asn: number, name: string, irrAsSet: string): PdbNetwork => ({
  netId: asn - 60000,
  asn,
  name,
  aka: '',
  irrAsSet,
  irrAsSets: irrAsSet.split(' ').filter(Boolean),
  infoPrefixes4: 1200,
  infoPrefixes6: 80,
  infoType: 'NSP',
  neverViaRouteServers: false,
  policyGeneral: 'Open',
  policyUrl: '',
  policyLocations: '',
  website: '',
  lookingGlass: '',
  updated: '2025-01-01T00:00:00Z',
});
let nextPort = 1;
const presence = (ipaddr4: string | null, ipaddr6: string | null): PdbPresence => ({
  netixlanId: nextPort++,
  ixId: 501,
  ixName: 'Test IX Frankfurt',
  asn: 64510,
  ipaddr4,
  ipaddr6,
  speed: 10000,
  isRsPeer: true,
  operational: true,
});

describe('SessionWizard with PeeringDB', () => {
  beforeEach(() => {
    pdb.searchPdbNetworks.mockImplementation(async (query: string) =>
      'doc peering'.includes(query.toLowerCase()) || query.toLowerCase().startsWith('doc')
        ? [pdbNetwork(64510, 'Doc Peering GmbH', 'AS-DOCPEER'), pdbNetwork(64511, 'Doc Other', '')]
        : [],
    );
    pdb.suggestMaxPrefix.mockImplementation(async (asn: number) =>
      asn === 64510
        ? { v4: 1495, v6: 207, source: 'PeeringDB: 1200 IPv4 / 80 IPv6 prefixes, with headroom' }
        : { v4: 115, v6: 115, source: 'not in the mirror' },
    );
  });

  it('looks the peer up once typing pauses and fills ASN, name and AS-SET from the chosen hit', async () => {
    const { user } = open();
    await user.click(screen.getByTestId('wizard-next'));
    await user.type(screen.getByTestId('session-pdb-lookup'), 'Doc Pe');
    await user.click(await screen.findByTestId('pdb-hit-64510'));
    // Debounced: one question for what was typed, not one per keystroke.
    expect(pdb.searchPdbNetworks).toHaveBeenCalledTimes(1);
    expect(pdb.searchPdbNetworks).toHaveBeenCalledWith('Doc Pe', 20);

    expect(value('session-asn')).toBe('64510');
    expect(value('session-peer-name')).toBe('Doc Peering GmbH');
    expect(value('session-as-set')).toBe('AS-DOCPEER');
    expect(screen.queryByTestId('pdb-hit-64511')).toBeNull();
    await waitFor(() => expect(api.checkAsn).toHaveBeenCalledWith('64510'));

    const hint = await screen.findByTestId('session-max-prefix-suggestion');
    expect(pdb.suggestMaxPrefix).toHaveBeenCalledWith(64510);
    expect(hint.textContent).toContain('IPv4 1,495');
    expect(hint.textContent).toContain('IPv6 207');
    expect(hint.textContent).toContain('PeeringDB: 1200 IPv4 / 80 IPv6 prefixes, with headroom');
  });

  it('takes the first hit with Enter, without leaving the step', async () => {
    const { user } = open();
    await user.click(screen.getByTestId('wizard-next'));
    await user.type(screen.getByTestId('session-pdb-lookup'), 'doc');
    await screen.findByTestId('pdb-hit-64510');
    await user.keyboard('{Enter}');
    expect(value('session-asn')).toBe('64510');
    expect(screen.getByTestId('session-pdb-lookup')).toBeTruthy();
  });

  it("offers the peer's addresses at the chosen exchange on step 3 and fills the fields with them", async () => {
    pdb.peerAddresses.mockResolvedValue([presence('192.0.2.50', '2001:db8::50'), presence('192.0.2.51', null)]);
    const { user, onsaved } = open();
    await user.click(screen.getByTestId('wizard-next'));
    await user.type(screen.getByTestId('session-pdb-lookup'), 'Doc Pe');
    await user.click(await screen.findByTestId('pdb-hit-64510'));
    await user.click(screen.getByTestId('wizard-next'));

    await user.click(await screen.findByTestId('pdb-address-v4-192.0.2.51'));
    expect(pdb.peerAddresses).toHaveBeenCalledWith(64510, 1);
    expect(value('session-ipv4')).toBe('192.0.2.51');
    await user.click(screen.getByTestId('pdb-address-v6-2001:db8::50'));
    expect(value('session-ipv6')).toBe('2001:db8::50');
    expect(screen.queryByTestId('pdb-address-v6-null')).toBeNull();

    api.addSession.mockResolvedValue([{ id: 1 }, { id: 2 }]);
    await user.click(screen.getByTestId('session-save'));
    expect(api.addSession).toHaveBeenCalledWith(
      expect.objectContaining({
        asn: '64510',
        peerName: 'Doc Peering GmbH',
        asSet: 'AS-DOCPEER',
        peerIpv4: '192.0.2.51',
        peerIpv6: '2001:db8::50',
      }),
    );
    await waitFor(() => expect(onsaved).toHaveBeenCalled());
  });

  it('works without a mirror: no hits is said plainly, no error, and the typed peer goes on to step 3', async () => {
    pdb.searchPdbNetworks.mockResolvedValue([]);
    const { user } = open();
    await user.click(screen.getByTestId('wizard-next'));
    await user.type(screen.getByTestId('session-pdb-lookup'), 'nobody');
    expect((await screen.findByRole('status')).textContent).toContain('No network in the PeeringDB mirror matches');
    expect(screen.queryByTestId('form-error')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();

    await user.type(screen.getByTestId('session-asn'), '64501');
    await user.type(screen.getByTestId('session-peer-name'), 'Typed Peer');
    await user.click(screen.getByTestId('wizard-next'));
    await screen.findByTestId('session-ipv4');
    expect(screen.queryByTestId(/^pdb-address-/)).toBeNull();
    expect(screen.queryByTestId('form-error')).toBeNull();
  });

  it('starts from an available peer: ASN, name, addresses and the AS-SET from PeeringDB', async () => {
    pdb.searchPdbNetworks.mockResolvedValue([pdbNetwork(64510, 'Doc Peering GmbH', 'AS-DOCPEER')]);
    const onsaved = vi.fn();
    render(SessionWizard, {
      props: {
        exchanges,
        routers,
        peerGroups,
        exchangeId: 2,
        peer: { asn: 64510, name: 'Doc Peering GmbH', ipv4: '192.0.2.60', ipv6: null },
        onsaved,
        onclose: vi.fn(),
      },
    });
    const user = userEvent.setup();
    expect(value('session-exchange')).toBe('2');
    await user.click(screen.getByTestId('wizard-next'));
    expect(value('session-asn')).toBe('64510');
    expect(value('session-peer-name')).toBe('Doc Peering GmbH');
    await waitFor(() => expect(value('session-as-set')).toBe('AS-DOCPEER'));
    expect(pdb.searchPdbNetworks).toHaveBeenCalledWith('64510', 1);
    await user.click(screen.getByTestId('wizard-next'));
    expect(value('session-ipv4')).toBe('192.0.2.60');
  });

  it("groups the peer's addresses by port and takes both addresses of one port together", async () => {
    pdb.peerAddresses.mockResolvedValue([
      { ...presence('192.0.2.2', '2001:db8::2'), netixlanId: 71 },
      { ...presence('192.0.2.16', '2001:db8::16'), netixlanId: 70 },
      { ...presence('192.0.2.51', null), netixlanId: 72 },
    ]);
    const { user } = open();
    await user.click(screen.getByTestId('wizard-next'));
    await user.type(screen.getByTestId('session-pdb-lookup'), 'Doc Pe');
    await user.click(await screen.findByTestId('pdb-hit-64510'));
    await user.click(screen.getByTestId('wizard-next'));

    const groups = await screen.findAllByTestId(/^pdb-port-\d+$/);
    expect(groups.map((g) => g.getAttribute('data-testid'))).toEqual(['pdb-port-71', 'pdb-port-70', 'pdb-port-72']);
    expect(within(groups[1]).getByTestId('pdb-address-v4-192.0.2.16')).toBeTruthy();
    expect(within(groups[1]).getByTestId('pdb-address-v6-2001:db8::16')).toBeTruthy();

    await user.click(screen.getByTestId('pdb-port-use-70'));
    expect(value('session-ipv4')).toBe('192.0.2.16');
    expect(value('session-ipv6')).toBe('2001:db8::16');
    expect(screen.getByTestId('pdb-port-use-70').getAttribute('aria-pressed')).toBe('true');
    // An IPv4-only port leaves no IPv6 of another port behind.
    await user.click(screen.getByTestId('pdb-port-use-72'));
    expect(value('session-ipv4')).toBe('192.0.2.51');
    expect(value('session-ipv6')).toBe('');
  });

  it("fills the AS-SET with the sets core read from PeeringDB's field and shows core's error on it", async () => {
    pdb.searchPdbNetworks.mockResolvedValue([
      { ...pdbNetwork(64510, 'Doc Peering GmbH', 'RIPE::AS-DOC AS-DOC-V6, AS-BAD;'), irrAsSets: ['RIPE::AS-DOC', 'AS-DOC-V6'] },
    ]);
    const { user } = open();
    await user.click(screen.getByTestId('wizard-next'));
    await user.type(screen.getByTestId('session-pdb-lookup'), 'Doc Pe');
    await user.click(await screen.findByTestId('pdb-hit-64510'));
    expect(value('session-as-set')).toBe('RIPE::AS-DOC AS-DOC-V6');

    await user.clear(screen.getByTestId('session-as-set'));
    await user.type(screen.getByTestId('session-as-set'), 'AS-DOC FOO::AS-X');
    await user.click(screen.getByTestId('wizard-next'));
    api.addSession.mockRejectedValue(new ApiError('invalid', "'FOO::AS-X' is not an AS-SET: FOO is not a known IRR registry", 'asSet'));
    await user.type(screen.getByTestId('session-ipv4'), '192.0.2.50');
    await user.click(screen.getByTestId('session-save'));
    expect(api.addSession).toHaveBeenCalledWith(expect.objectContaining({ asSet: 'AS-DOC FOO::AS-X' }));
    // Back on step 2, the message next to the AS-SET field.
    const field = await screen.findByTestId('session-as-set');
    await waitFor(() => expect(field.closest('.field')!.textContent).toContain("'FOO::AS-X' is not an AS-SET"));
  });
});
