// Update Session States reports what core read per router as one toast, turns
// a failure into a toast that names the problem by kind (with a way to the
// host key for an untrusted key), and signals the lists to reload.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import { toasts } from '$lib/components/toasts.svelte';

const api = vi.hoisted(() => ({ refreshSessionStates: vi.fn(), refreshExchangeStates: vi.fn() }));
vi.mock('$lib/api/devices', () => api);

import { configDialogs } from './configDialogs.svelte';
import { updateExchangeStates, updateRouterStates } from './sessionStates';

const last = () => toasts.items[toasts.items.length - 1];

beforeEach(() => {
  toasts.items = [];
  configDialogs.close();
  api.refreshSessionStates.mockReset();
  api.refreshExchangeStates.mockReset();
});

describe('Update Session States', () => {
  it('reports per-router counts for an exchange and signals the change', async () => {
    api.refreshExchangeStates.mockResolvedValue([
      { routerName: 'r1', updated: 12, missing: 1, established: 10 },
      { routerName: 'b1', updated: 3, missing: 0, established: 3 },
    ]);
    const changed = vi.fn();
    const stop = configDialogs.onChanged(changed);
    await updateExchangeStates({ id: 2, name: 'Test-IX' });
    stop();
    expect(api.refreshExchangeStates).toHaveBeenCalledWith(2);
    expect(last().kind).toBe('success');
    expect(last().message).toBe(
      'Session states at Test-IX updated. r1: 12 sessions read, 10 established, 1 not on the router; b1: 3 sessions read, 3 established.',
    );
    expect(changed).toHaveBeenCalledTimes(1);
  });

  it('names an unreachable router as such', async () => {
    api.refreshSessionStates.mockRejectedValue(new ApiError('unreachable', 'connection to 192.0.2.1:22 timed out'));
    await updateRouterStates({ id: 3, name: 'r1' });
    expect(api.refreshSessionStates).toHaveBeenCalledWith(3);
    expect(last().kind).toBe('error');
    expect(last().message).toContain('r1: Could not reach the router: connection to 192.0.2.1:22 timed out');
  });

  it('offers the host key dialog when the key is not trusted yet', async () => {
    api.refreshSessionStates.mockRejectedValue(new ApiError('hostKeyUnknown', 'the host key SHA256:abc is not trusted yet'));
    await updateRouterStates({ id: 3, name: 'r1' });
    expect(last().action?.label).toBe('Host key…');
    await last().action?.run();
    expect(configDialogs.current).toEqual({ kind: 'host-key', routerId: 3, routerName: 'r1' });
  });
});
