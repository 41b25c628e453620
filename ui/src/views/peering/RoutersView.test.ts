// Reachability in the Routers list and the header's offline indicator (sync api
// and events mocked): each router shows reachable / unreachable / not checked
// yet with its last seen time, a `router-reachability` event changes the row
// without a reload, Check reachability probes now, and the indicator shows only
// while routers were probed and none answers.
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Router } from '$lib/bindings/Router';
import type { RouterReachability } from '$lib/bindings/RouterReachability';

const sync = vi.hoisted(() => ({ routerReachability: vi.fn(), probeRouter: vi.fn() }));
vi.mock('$lib/api/sync', () => sync);
const events = vi.hoisted(() => ({ reach: [] as ((r: unknown) => void)[] }));
vi.mock('$lib/api/events', () => ({
  onRouterReachability: async (handler: (r: unknown) => void) => {
    events.reach.push(handler);
    return () => {
      events.reach = events.reach.filter((h) => h !== handler);
    };
  },
}));
vi.mock('$lib/api/devices', () => ({ refreshSessionStates: vi.fn(), refreshExchangeStates: vi.fn() }));

import OfflineIndicator from '$lib/components/OfflineIndicator.svelte';
import { reachability } from '$lib/reachability.svelte';
import RoutersView from './RoutersView.svelte';

function router(id: number, name: string): Router {
  return {
    id,
    name,
    mgmtAddress: '127.0.0.1',
    sshPort: 2200 + id,
    platform: 'frr',
    username: 'lab',
    authMethod: 'password',
    credentialRef: null,
    credentialNeeded: false,
    sshKeyPath: null,
    localAsn: 64496,
    notes: '',
    controlCommand: '',
    configDir: '',
    attachments: [],
    createdAt: '',
    updatedAt: '',
  };
}

function reach(routerId: number, reachable: boolean | null, extra: Partial<RouterReachability> = {}): RouterReachability {
  return {
    routerId,
    routerName: `r${routerId}`,
    reachable,
    failures: reachable === false ? 2 : 0,
    lastProbeAt: reachable === null ? null : '2025-03-04T14:05:00Z',
    lastSeenAt: reachable === null ? null : '2025-03-04T13:00:00Z',
    nextProbeAt: null,
    lastError: reachable === false ? '127.0.0.1:2201: Connection refused' : '',
    approvedItems: 0,
    ...extra,
  };
}

const routers = [router(1, 'r1'), router(2, 'r2'), router(3, 'r3')];

function show() {
  render(RoutersView, { props: { routers, onedit: vi.fn(), ondelete: vi.fn() } });
  render(OfflineIndicator);
  return userEvent.setup();
}

const state = (id: number) => screen.getByTestId(`router-reach-${id}`).dataset.state;
const emit = (r: RouterReachability) => {
  for (const h of events.reach) h(r);
};

beforeEach(() => {
  reachability.reset();
  sync.routerReachability.mockReset();
  sync.probeRouter.mockReset();
});

describe('Routers list reachability', () => {
  it('shows reachable, unreachable with last seen, and not checked yet', async () => {
    sync.routerReachability.mockResolvedValue([reach(1, true), reach(2, false), reach(3, null)]);
    show();
    await waitFor(() => expect(state(1)).toBe('reachable'));
    expect(state(2)).toBe('unreachable');
    expect(state(3)).toBe('unknown');
    expect(screen.getByTestId('router-reach-1').textContent).toContain('Reachable');
    expect(screen.getByTestId('router-last-seen-2').textContent).toMatch(/^\s*last seen 2025-03-04 \d\d:00\s*$/);
    expect(screen.getByTestId('router-last-seen-3').textContent?.trim()).toBe('never seen');
    expect(screen.queryByTestId('offline-indicator')).toBeNull();
  });

  it('follows router-reachability events without asking core again', async () => {
    sync.routerReachability.mockResolvedValue([reach(1, true), reach(2, true), reach(3, true)]);
    show();
    await waitFor(() => expect(state(1)).toBe('reachable'));
    await waitFor(() => expect(events.reach.length).toBe(1));
    emit(reach(1, false));
    await waitFor(() => expect(state(1)).toBe('unreachable'));
    expect(sync.routerReachability).toHaveBeenCalledTimes(1);
  });

  it('Check reachability probes the router now and shows the answer', async () => {
    sync.routerReachability.mockResolvedValue([reach(1, false), reach(2, true), reach(3, true)]);
    sync.probeRouter.mockResolvedValue(reach(1, true, { lastSeenAt: '2025-03-04T14:10:00Z' }));
    const user = show();
    await waitFor(() => expect(state(1)).toBe('unreachable'));
    await user.click(screen.getByTestId('router-actions-1'));
    await user.click(screen.getByTestId('action-check-reachability'));
    expect(sync.probeRouter).toHaveBeenCalledWith(1);
    await waitFor(() => expect(state(1)).toBe('reachable'));
  });
});

describe('offline indicator', () => {
  it('shows while no router answers, with the queued changes, and goes when one answers', async () => {
    sync.routerReachability.mockResolvedValue([
      reach(1, false, { approvedItems: 2 }),
      reach(2, false),
      reach(3, null),
    ]);
    show();
    const indicator = await screen.findByTestId('offline-indicator');
    expect(indicator.textContent).toContain('Offline: no router reachable');
    expect(indicator.textContent).toContain('2 changes queued');
    emit(reach(2, true));
    await waitFor(() => expect(screen.queryByTestId('offline-indicator')).toBeNull());
  });

  it('is not shown before any router was probed', async () => {
    sync.routerReachability.mockResolvedValue([reach(1, null), reach(2, null), reach(3, null)]);
    show();
    await waitFor(() => expect(state(1)).toBe('unknown'));
    expect(screen.queryByTestId('offline-indicator')).toBeNull();
  });
});

describe('Routers list passwords', () => {
  it('says "Password needed" only for a router that came from a file without its password', async () => {
    sync.routerReachability.mockResolvedValue([]);
    const waiting = { ...router(2, 'r2'), credentialNeeded: true };
    render(RoutersView, { props: { routers: [router(1, 'r1'), waiting], onedit: vi.fn(), ondelete: vi.fn() } });
    expect(screen.getByTestId('router-password-needed-2').textContent).toContain('Password needed');
    expect(screen.queryByTestId('router-password-needed-1')).toBeNull();
  });
});
