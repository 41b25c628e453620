// Admin › Data Import against mocked devices and settings apis: a Coordinator
// is told Admin is needed and gets no actions; an Admin scans a router (progress
// while core connects), sees the candidates core matched, can select only what
// core can import (not already present, AS known), imports exactly the
// selection and sees core's result; an untrusted host key leads to the host key
// dialog, and unreachable is its own message.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { ImportCandidate } from '$lib/bindings/ImportCandidate';
import type { ImportPreview } from '$lib/bindings/ImportPreview';
import type { Router } from '$lib/bindings/Router';

const devices = vi.hoisted(() => ({
  listRouters: vi.fn(),
  scanRouterSessions: vi.fn(),
  importSessions: vi.fn(),
  routerHostKey: vi.fn(),
  probeRouterHostKey: vi.fn(),
  trustRouterHostKey: vi.fn(),
}));
const settings = vi.hoisted(() => ({ getRole: vi.fn() }));
vi.mock('$lib/api/devices', () => devices);
vi.mock('$lib/api/settings', () => settings);

import { currentRole } from '../settings/role.svelte';
import DataImportView from './DataImportView.svelte';

const router = { id: 3, name: 'edge1', mgmtAddress: '127.0.0.1' } as Router;

function candidate(ip: string, over: Partial<ImportCandidate> = {}): ImportCandidate {
  return {
    neighbor: { peerIp: ip, remoteAsn: 64500, description: '', peerGroup: null, adminDown: false, bgpState: 'established' },
    exchangeId: 2,
    exchangeName: 'Example IX',
    peerGroupId: null,
    networkName: 'Alpha Networks',
    fromPeeringdb: false,
    alreadyImported: false,
    problem: null,
    ...over,
  };
}

const PREVIEW: ImportPreview = {
  routerId: 3,
  routerName: 'edge1',
  candidates: [
    candidate('192.0.2.10'),
    candidate('192.0.2.11', { alreadyImported: true }),
    candidate('192.0.2.12', { problem: "the router does not say the peer's AS" }),
    candidate('2001:db8:1::13', { exchangeId: null, exchangeName: null }),
  ],
};

const box = (id: string) => screen.getByTestId(id) as HTMLInputElement;

beforeEach(() => {
  currentRole.status = null;
  for (const f of [...Object.values(devices), ...Object.values(settings)]) f.mockReset();
  devices.listRouters.mockResolvedValue([router]);
  settings.getRole.mockResolvedValue({ role: 'admin', passphraseSet: false });
});

describe('DataImportView', () => {
  it('tells a Coordinator that Admin is needed and offers no actions', async () => {
    settings.getRole.mockResolvedValue({ role: 'coordinator', passphraseSet: true });
    render(DataImportView);
    expect((await screen.findByTestId('import-forbidden')).textContent).toContain('needs the Admin role');
    expect(screen.queryByTestId('import-scan')).toBeNull();
    expect(screen.queryByTestId('import-router')).toBeNull();
    expect(devices.scanRouterSessions).not.toHaveBeenCalled();
  });

  it('scans with progress, lets only importable rows be chosen, and imports exactly the selection', async () => {
    let answer!: (p: ImportPreview) => void;
    devices.scanRouterSessions.mockReturnValueOnce(new Promise((r) => (answer = r))).mockResolvedValue(PREVIEW);
    devices.importSessions.mockResolvedValue({ added: 2, skipped: 0 });
    render(DataImportView);
    const user = userEvent.setup();
    await waitFor(() => expect((screen.getByTestId('import-router') as HTMLSelectElement).value).toBe('3'));

    await user.click(screen.getByTestId('import-scan'));
    expect(screen.getByTestId('import-progress').textContent).toContain('Connecting to edge1');
    answer(PREVIEW);
    await screen.findByTestId('import-preview');
    expect(devices.scanRouterSessions).toHaveBeenCalledWith(3);
    expect(screen.queryByTestId('import-progress')).toBeNull();

    expect(box('import-check-192.0.2.10').disabled).toBe(false);
    expect(box('import-check-192.0.2.11').disabled).toBe(true);
    expect(box('import-check-192.0.2.12').disabled).toBe(true);
    expect(screen.getByTestId('import-present-192.0.2.11').textContent).toBe('Yes');
    expect(within(screen.getByTestId('import-row-192.0.2.12')).getByText(/does not say the peer's AS/)).toBeTruthy();
    expect((screen.getByTestId('import-selected') as HTMLButtonElement).disabled).toBe(true);

    await user.click(box('import-select-all'));
    expect(box('import-check-192.0.2.10').checked).toBe(true);
    expect(box('import-check-2001:db8:1::13').checked).toBe(true);
    expect(box('import-check-192.0.2.11').checked).toBe(false);
    expect(screen.getByTestId('import-selected').textContent).toContain('(2)');

    await user.click(screen.getByTestId('import-selected'));
    await waitFor(() => expect(devices.importSessions).toHaveBeenCalledWith(3, ['192.0.2.10', '2001:db8:1::13']));
    expect((await screen.findByTestId('import-result')).textContent).toContain('Imported 2 sessions');
    // The list is read again so what was imported shows as present.
    await waitFor(() => expect(devices.scanRouterSessions).toHaveBeenCalledTimes(2));
  });

  it('offers the host key dialog when the router key is not trusted yet', async () => {
    devices.scanRouterSessions.mockRejectedValue(
      new ApiError('hostKeyUnknown', "the router's ssh-ed25519 host key SHA256:abc is not trusted yet"),
    );
    devices.routerHostKey.mockResolvedValue(null);
    devices.probeRouterHostKey.mockResolvedValue({ keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc' });
    render(DataImportView);
    const user = userEvent.setup();
    await waitFor(() => expect((screen.getByTestId('import-router') as HTMLSelectElement).value).toBe('3'));
    await user.click(screen.getByTestId('import-scan'));
    const error = await screen.findByTestId('import-error');
    expect(error.getAttribute('data-kind')).toBe('hostKeyUnknown');
    await user.click(screen.getByTestId('import-hostkey-open'));
    expect(await screen.findByTestId('hostkey-dialog')).toBeTruthy();
    await waitFor(() => expect(devices.probeRouterHostKey).toHaveBeenCalledWith(3));
  });

  it('says when the router cannot be reached, with no preview', async () => {
    devices.scanRouterSessions.mockRejectedValue(new ApiError('unreachable', 'cannot connect to 127.0.0.1:22'));
    render(DataImportView);
    const user = userEvent.setup();
    await waitFor(() => expect((screen.getByTestId('import-router') as HTMLSelectElement).value).toBe('3'));
    await user.click(screen.getByTestId('import-scan'));
    const error = await screen.findByTestId('import-error');
    expect(error.getAttribute('data-kind')).toBe('unreachable');
    expect(error.textContent).toContain('Could not reach the router');
    expect(screen.queryByTestId('import-preview')).toBeNull();
    expect(screen.queryByTestId('import-hostkey-open')).toBeNull();
  });
});
