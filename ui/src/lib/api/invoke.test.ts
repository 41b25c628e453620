// The IPC layer: rejected commands become ApiError with kind, message and field,
// and each typed function sends the argument names of the contract.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const tauriInvoke = vi.hoisted(() => vi.fn());
vi.mock('@tauri-apps/api/core', () => ({ invoke: tauriInvoke }));

import { addRouter, updateRouter } from './devices';
import { pickFile } from './dialogs';
import { ApiError, call, toApiError } from './invoke';
import { addSession, exportSessionsCsv, listSessions, updateSession } from './peering';
import {
  availablePeers,
  contactsFor,
  exchangeFromPdb,
  hidePeer,
  peerAddresses,
  searchPdbNetworks,
  setPeeringdbApiKey,
  syncPeeringdb,
} from './peeringdb';
import { checkAsn } from './settings';

beforeEach(() => {
  tauriInvoke.mockReset();
});

describe('call', () => {
  it('resolves with what the command returned', async () => {
    tauriInvoke.mockResolvedValue({ asn: 64500, note: null });
    await expect(call('check_asn', { text: '64500' })).resolves.toEqual({ asn: 64500, note: null });
  });

  it('turns a rejected CommandError into an ApiError carrying kind, message and field', async () => {
    tauriInvoke.mockRejectedValue({ kind: 'invalid', message: 'ASN 0 is reserved', field: 'asn' });
    const error = await call('check_asn', { text: '0' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: 'invalid', message: 'ASN 0 is reserved', field: 'asn' });
  });

  it('keeps a null field as null, so the error goes to the top of the form', async () => {
    tauriInvoke.mockRejectedValue({ kind: 'conflict', message: 'still in use', field: null });
    const error = await call('delete_router', { id: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).field).toBeNull();
    expect((error as ApiError).kind).toBe('conflict');
  });

  it('reports a plain string rejection (e.g. an unknown command) as an internal error', async () => {
    tauriInvoke.mockRejectedValue('command frobnicate not found');
    const error = await call('frobnicate').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'internal', message: 'command frobnicate not found', field: null });
  });

  it('reports a thrown Error (no Tauri runtime) as an internal error with its message', async () => {
    tauriInvoke.mockRejectedValue(new TypeError('window.__TAURI_INTERNALS__ is undefined'));
    const error = await call('get_settings').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toContain('__TAURI_INTERNALS__');
  });
});

describe('toApiError', () => {
  it('keeps a kind core added later (e.g. unreachable) so views can branch on it', () => {
    const e = toApiError({ kind: 'unreachable', message: 'edge1 did not answer', field: null });
    expect(e.kind).toBe('unreachable');
    expect(e.message).toBe('edge1 did not answer');
  });

  it('treats an object that is not a CommandError as an internal error', () => {
    const e = toApiError({ code: 500, field: 'asn' });
    expect(e.kind).toBe('internal');
    expect(e.field).toBeNull();
  });
});

describe('typed commands send the contract argument names', () => {
  it('check_asn gets { text }', async () => {
    tauriInvoke.mockResolvedValue({ asn: 64500, note: 'documentation ASN' });
    await checkAsn('AS64500');
    expect(tauriInvoke).toHaveBeenCalledWith('check_asn', { text: 'AS64500' });
  });

  it('add_session gets { session } and update_session gets { id, changes }', async () => {
    tauriInvoke.mockResolvedValue([]);
    const session = {
      sessionType: 'peer' as const,
      routerId: 1,
      asn: '64500',
      peerName: 'Example',
      asSet: '',
      notes: '',
    };
    await addSession(session);
    expect(tauriInvoke).toHaveBeenLastCalledWith('add_session', { session });

    const changes = {
      sessionType: 'peer' as const,
      peerIp: '192.0.2.10',
      adminState: 'up' as const,
      clearMd5: false,
      notes: 'LOA signed',
    };
    await updateSession(7, changes);
    expect(tauriInvoke).toHaveBeenLastCalledWith('update_session', { id: 7, changes });
  });

  it('list_sessions gets { filter } and export_sessions_csv gets { path, filter }', async () => {
    tauriInvoke.mockResolvedValue(3);
    const filter = { exchangeId: 2, noExchange: false, text: 'AS64500' };
    await listSessions(filter);
    expect(tauriInvoke).toHaveBeenLastCalledWith('list_sessions', { filter });
    await expect(exportSessionsCsv('/tmp/s.csv', filter)).resolves.toBe(3);
    expect(tauriInvoke).toHaveBeenLastCalledWith('export_sessions_csv', { path: '/tmp/s.csv', filter });
  });

  it('add_router gets { router }, update_router { id, changes }, pick_file { purpose }', async () => {
    tauriInvoke.mockResolvedValue(null);
    const router = {
      name: 'edge1',
      mgmtAddress: '203.0.113.1',
      sshPort: 22,
      platform: 'frr' as const,
      username: 'u',
      authMethod: 'agent' as const,
      localAsn: '64496',
      notes: '',
      attachments: [],
    };
    await addRouter(router);
    expect(tauriInvoke).toHaveBeenLastCalledWith('add_router', { router });
    await updateRouter(4, { ...router, clearCredential: true });
    expect(tauriInvoke).toHaveBeenLastCalledWith('update_router', {
      id: 4,
      changes: { ...router, clearCredential: true },
    });
    await pickFile('sshKey');
    expect(tauriInvoke).toHaveBeenLastCalledWith('pick_file', { purpose: 'sshKey' });
  });

  it('the peeringdb commands get the contract names (exchangeId, ixId, hidden, key, query, limit)', async () => {
    tauriInvoke.mockResolvedValue(null);
    await syncPeeringdb();
    expect(tauriInvoke).toHaveBeenLastCalledWith('sync_peeringdb', undefined);
    await setPeeringdbApiKey('');
    expect(tauriInvoke).toHaveBeenLastCalledWith('set_peeringdb_api_key', { key: '' });
    await searchPdbNetworks('AS64500', 20);
    expect(tauriInvoke).toHaveBeenLastCalledWith('search_pdb_networks', { query: 'AS64500', limit: 20 });
    await peerAddresses(64500, 3);
    expect(tauriInvoke).toHaveBeenLastCalledWith('peer_addresses', { asn: 64500, exchangeId: 3 });
    await exchangeFromPdb(501);
    expect(tauriInvoke).toHaveBeenLastCalledWith('exchange_from_pdb', { ixId: 501 });
    await availablePeers(3);
    expect(tauriInvoke).toHaveBeenLastCalledWith('available_peers', { exchangeId: 3 });
    await hidePeer(3, 64500, false);
    expect(tauriInvoke).toHaveBeenLastCalledWith('hide_peer', { exchangeId: 3, asn: 64500, hidden: false });
    await contactsFor(64500);
    expect(tauriInvoke).toHaveBeenLastCalledWith('contacts_for', { asn: 64500 });
    await contactsFor(64500, 3);
    expect(tauriInvoke).toHaveBeenLastCalledWith('contacts_for', { asn: 64500, exchangeId: 3 });
  });
});
