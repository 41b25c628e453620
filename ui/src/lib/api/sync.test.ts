// The sync commands are sent with the argument names of the contract
// (docs/ipc-and-testids.md), and a refused approval arrives as an ApiError.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const tauriInvoke = vi.hoisted(() => vi.fn());
vi.mock('@tauri-apps/api/core', () => ({ invoke: tauriInvoke }));

import { ApiError } from './invoke';
import {
  approveOutboxItem,
  discardOutboxItem,
  editOutboxItem,
  listRouterOutbox,
  probeRouter,
  pushOrQueue,
  queueChange,
  reorderOutboxItem,
  reviewOutbox,
  routerReachability,
  syncRouter,
} from './sync';

beforeEach(() => {
  tauriInvoke.mockReset().mockResolvedValue(null);
});

describe('sync commands', () => {
  it('queue_change gets { sessionId, operation, overrides }, overrides empty by default', async () => {
    await queueChange(7, 'add');
    expect(tauriInvoke).toHaveBeenLastCalledWith('queue_change', { sessionId: 7, operation: 'add', overrides: {} });
    await queueChange(8, 'shutdown', { maxPrefix: 100 });
    expect(tauriInvoke).toHaveBeenLastCalledWith('queue_change', {
      sessionId: 8,
      operation: 'shutdown',
      overrides: { maxPrefix: 100 },
    });
  });

  it('push_or_queue gets { sessionId, operation, overrides, waitSeconds }', async () => {
    await pushOrQueue(7, 'add', {}, 60);
    expect(tauriInvoke).toHaveBeenLastCalledWith('push_or_queue', {
      sessionId: 7,
      operation: 'add',
      overrides: {},
      waitSeconds: 60,
    });
  });

  it('list_router_outbox sends routerId only when given', async () => {
    await listRouterOutbox();
    expect(tauriInvoke).toHaveBeenLastCalledWith('list_router_outbox', {});
    await listRouterOutbox(3);
    expect(tauriInvoke).toHaveBeenLastCalledWith('list_router_outbox', { routerId: 3 });
  });

  it('item commands get { id } (and index / overrides)', async () => {
    await approveOutboxItem(4);
    expect(tauriInvoke).toHaveBeenLastCalledWith('approve_outbox_item', { id: 4 });
    await discardOutboxItem(5);
    expect(tauriInvoke).toHaveBeenLastCalledWith('discard_outbox_item', { id: 5 });
    await reorderOutboxItem(6, 0);
    expect(tauriInvoke).toHaveBeenLastCalledWith('reorder_outbox_item', { id: 6, index: 0 });
    await editOutboxItem(7, { description: 'Example' });
    expect(tauriInvoke).toHaveBeenLastCalledWith('edit_outbox_item', { id: 7, overrides: { description: 'Example' } });
  });

  it('router commands get { routerId }; router_reachability takes no arguments', async () => {
    await reviewOutbox(2);
    expect(tauriInvoke).toHaveBeenLastCalledWith('review_outbox', { routerId: 2 });
    await probeRouter(2);
    expect(tauriInvoke).toHaveBeenLastCalledWith('probe_router', { routerId: 2 });
    await syncRouter(2);
    expect(tauriInvoke).toHaveBeenLastCalledWith('sync_router', { routerId: 2 });
    await routerReachability();
    expect(tauriInvoke).toHaveBeenLastCalledWith('router_reachability', undefined);
  });

  it('approving an item that is not in review rejects with conflict on status', async () => {
    tauriInvoke.mockRejectedValue({
      kind: 'conflict',
      message: 'only an item in review or failed can be approved; this one is applied',
      field: 'status',
    });
    const error = await approveOutboxItem(4).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: 'conflict', field: 'status' });
  });
});
