// The PeeringDB sync panel against mocked api modules: it shows what core
// reports about the mirror, follows the `peeringdb-sync` progress events while
// a sync runs (bar, phase, rate-limit wait), cancels through core, and says
// how a sync ended: what was kept of what was received, and the warnings of
// the last run, from the run core stored (so after a restart too).
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { PeeringDbStatus } from '$lib/bindings/PeeringDbStatus';
import type { SyncProgress } from '$lib/bindings/SyncProgress';
import type { SyncSummary } from '$lib/bindings/SyncSummary';
import type { SyncWarning } from '$lib/bindings/SyncWarning';
import { toasts } from '$lib/components/toasts.svelte';
import { formatTime } from '$lib/format';

const api = vi.hoisted(() => ({
  syncPeeringdb: vi.fn(),
  cancelPeeringdbSync: vi.fn(),
  peeringdbStatus: vi.fn(),
}));
const events = vi.hoisted(() => ({
  handlers: [] as ((p: SyncProgress) => void)[],
  unlisten: vi.fn(),
}));
vi.mock('$lib/api/peeringdb', () => api);
vi.mock('$lib/api/events', () => ({
  onPeeringDbSync: async (handler: (p: SyncProgress) => void) => {
    events.handlers.push(handler);
    return () => {
      events.unlisten();
      events.handlers = events.handlers.filter((h) => h !== handler);
    };
  },
}));

import SyncPanel from './SyncPanel.svelte';
import { PeeringDbSync } from './sync.svelte';

const EARLIER = '2025-03-04T12:05:00Z';
const LATER = '2025-03-05T08:30:00Z';

const status = (over: Partial<PeeringDbStatus> = {}): PeeringDbStatus => ({
  lastSuccessAt: EARLIER,
  lastRun: { startedAt: EARLIER, finishedAt: EARLIER, outcome: 'ok', message: '9 rows updated', warnings: [] },
  networks: 34012,
  exchanges: 1290,
  memberships: 60123,
  ...over,
});

const progress = (over: Partial<SyncProgress>): SyncProgress => ({
  phase: 'fetching',
  objectType: 'net',
  step: 7,
  steps: 10,
  rows: 0,
  waitSeconds: null,
  message: 'Fetching net (0 rows so far)',
  ...over,
});

const summary: SyncSummary = {
  full: false,
  types: [{ objectType: 'net', received: 13, kept: 12, notLive: 0, orphansDropped: 0, deleted: 1 }],
  parentsFetched: 0,
  orphansDropped: 0,
  unrequestedIgnored: 0,
  requests: 10,
  millis: 900,
  finishedAt: LATER,
  warnings: [],
};

const mostDropped: SyncWarning = {
  kind: 'mostDropped',
  objectType: 'netixlan',
  message: '180 of 200 netixlan rows were dropped because PeeringDB does not have their parent',
};

/** A sync command that stays pending until the test settles it. */
function pendingSync() {
  let resolve!: (s: SyncSummary) => void;
  let reject!: (e: unknown) => void;
  api.syncPeeringdb.mockReturnValue(
    new Promise<SyncSummary>((res, rej) => {
      resolve = res;
      reject = rej;
    }),
  );
  return { resolve: (s: SyncSummary) => resolve(s), reject: (e: unknown) => reject(e) };
}

/** Delivers a progress event the way the shell would. */
async function emit(p: SyncProgress) {
  await waitFor(() => expect(events.handlers.length).toBe(1));
  events.handlers[0](p);
}

function open() {
  render(SyncPanel, { props: { sync: new PeeringDbSync() } });
  return userEvent.setup();
}

const text = (id: string) => screen.getByTestId(id).textContent!.replace(/\s+/g, ' ').trim();

beforeEach(() => {
  events.handlers = [];
  events.unlisten.mockReset();
  api.syncPeeringdb.mockReset();
  api.cancelPeeringdbSync.mockReset().mockResolvedValue(true);
  api.peeringdbStatus.mockReset().mockResolvedValue(status());
  toasts.items = [];
});

afterEach(() => {
  vi.useRealTimers();
});

describe('SyncPanel', () => {
  it('shows the last successful sync and the mirror counts core reports', async () => {
    open();
    await waitFor(() => expect(text('pdb-last-sync')).toBe(formatTime(EARLIER)));
    expect(text('pdb-counts')).toBe('34,012 networks, 1,290 exchanges, 60,123 memberships');
    expect(screen.queryByTestId('pdb-sync-progress')).toBeNull();
    expect(screen.queryByTestId('pdb-last-failure')).toBeNull();
  });

  it('says "never" before the first successful sync, and shows why the last run failed', async () => {
    api.peeringdbStatus.mockResolvedValue(
      status({
        lastSuccessAt: null,
        lastRun: { startedAt: EARLIER, finishedAt: EARLIER, outcome: 'failed', message: 'connection refused; the previous mirror is kept', warnings: [] },
        networks: 0,
        exchanges: 0,
        memberships: 0,
      }),
    );
    open();
    await waitFor(() => expect(text('pdb-last-sync')).toBe('never'));
    expect(text('pdb-last-failure')).toContain('connection refused; the previous mirror is kept');
  });

  it('drives the progress bar from the events while the sync runs, then shows the new status', async () => {
    const sync = pendingSync();
    const user = open();
    await waitFor(() => expect(text('pdb-last-sync')).toBe(formatTime(EARLIER)));

    await user.click(screen.getByTestId('pdb-sync-button'));
    expect((screen.getByTestId('pdb-sync-button') as HTMLButtonElement).disabled).toBe(true);
    // The bar is there (indeterminate) before core's first event.
    expect(screen.getByTestId('pdb-sync-progress').hasAttribute('value')).toBe(false);

    await emit(progress({ objectType: 'ix', step: 3, rows: 1290, message: 'Fetching ix (1290 rows so far)' }));
    await waitFor(() => expect((screen.getByTestId('pdb-sync-progress') as HTMLProgressElement).value).toBe(3));
    const bar = screen.getByTestId('pdb-sync-progress') as HTMLProgressElement;
    expect(bar.max).toBe(10);
    expect(text('pdb-sync-phase')).toContain('Fetching exchanges');
    expect(text('pdb-sync-phase')).toContain('(ix, step 3 of 10, 1,290 rows)');
    expect(text('pdb-sync-message')).toBe('Fetching ix (1290 rows so far)');

    await emit(progress({ objectType: 'netixlan', step: 9 }));
    await waitFor(() => expect(bar.value).toBe(9));
    expect(text('pdb-sync-phase')).toContain('exchange memberships');
    // The last successful sync stays visible during the run.
    expect(text('pdb-last-sync')).toBe(formatTime(EARLIER));

    api.peeringdbStatus.mockResolvedValue(status({ lastSuccessAt: LATER, networks: 34020 }));
    sync.resolve(summary);
    await waitFor(() => expect(text('pdb-last-sync')).toBe(formatTime(LATER)));
    expect(screen.queryByTestId('pdb-sync-progress')).toBeNull();
    expect(screen.queryByTestId('pdb-sync-cancel')).toBeNull();
    expect((screen.getByTestId('pdb-sync-button') as HTMLButtonElement).disabled).toBe(false);
    expect(text('pdb-counts')).toContain('34,020 networks');
    expect(events.unlisten).toHaveBeenCalledTimes(1);
    expect(toasts.items.map((t) => [t.kind, t.message])).toEqual([
      ['success', 'PeeringDB synced (changes only): 12 records kept of 13 received, 1 record deleted.'],
    ]);
  });

  it('shows the rate-limit wait and counts it down', async () => {
    pendingSync();
    const user = open();
    await user.click(screen.getByTestId('pdb-sync-button'));
    vi.useFakeTimers();
    await emit(progress({ phase: 'waiting', waitSeconds: 30, message: 'PeeringDB rate limit: waiting 30 s before the next request' }));
    await vi.waitFor(() => expect(screen.getByTestId('pdb-sync-waiting').textContent).toContain('waiting 30 s'));
    expect(text('pdb-sync-phase')).toContain('Waiting');
    await vi.advanceTimersByTimeAsync(2000);
    expect(screen.getByTestId('pdb-sync-waiting').textContent).toContain('waiting 28 s');

    await emit(progress({ phase: 'fetching', step: 8 }));
    await vi.waitFor(() => expect(screen.queryByTestId('pdb-sync-waiting')).toBeNull());
  });

  it('cancels through core and reports the cancel as information, not as an error', async () => {
    const sync = pendingSync();
    const user = open();
    await user.click(screen.getByTestId('pdb-sync-button'));
    await emit(progress({}));

    await user.click(screen.getByTestId('pdb-sync-cancel'));
    expect(api.cancelPeeringdbSync).toHaveBeenCalledTimes(1);
    expect((screen.getByTestId('pdb-sync-cancel') as HTMLButtonElement).disabled).toBe(true);

    sync.reject(new ApiError('cancelled', 'the PeeringDB sync was cancelled'));
    await waitFor(() => expect(screen.queryByTestId('pdb-sync-progress')).toBeNull());
    expect(toasts.items.map((t) => t.kind)).toEqual(['info']);
    expect(toasts.items[0].message).toContain('cancelled');
  });

  it('says what to check when PeeringDB cannot be reached or refuses the key', async () => {
    let sync = pendingSync();
    const user = open();
    await user.click(screen.getByTestId('pdb-sync-button'));
    sync.reject(new ApiError('unreachable', 'connection refused'));
    await waitFor(() => expect(toasts.items).toHaveLength(1));
    expect(toasts.items[0].kind).toBe('error');
    expect(toasts.items[0].message).toMatch(/could not be reached.*API URL.*connection refused/);

    await waitFor(() => expect((screen.getByTestId('pdb-sync-button') as HTMLButtonElement).disabled).toBe(false));
    sync = pendingSync();
    await user.click(screen.getByTestId('pdb-sync-button'));
    sync.reject(new ApiError('authFailed', '401 Unauthorized'));
    await waitFor(() => expect(toasts.items).toHaveLength(2));
    expect(toasts.items[1].message).toMatch(/refused the API key/);
  });

  it("shows the last run's warnings from the stored run, as after a restart", async () => {
    const nothing: SyncWarning = {
      kind: 'nothingKept',
      objectType: null,
      message: 'PeeringDB sent no rows at all: the mirror is empty. Check the PeeringDB URL in Settings',
    };
    api.peeringdbStatus.mockResolvedValue(
      status({ lastRun: { startedAt: EARLIER, finishedAt: EARLIER, outcome: 'ok', message: 'full sync: kept 0 of 0', warnings: [nothing, mostDropped] } }),
    );
    open();
    await waitFor(() => expect(screen.getByTestId('pdb-last-warnings')).toBeTruthy());
    expect(text('pdb-last-warnings')).toContain(`The last sync (${formatTime(EARLIER)}) went through with 2 warnings`);
    const items = screen.getAllByTestId('pdb-warning');
    expect(items.map((li) => [li.dataset.kind, li.textContent])).toEqual([
      ['nothingKept', nothing.message],
      ['mostDropped', mostDropped.message],
    ]);
    expect(screen.getByTestId('pdb-last-warnings').getAttribute('role')).toBe('alert');
    expect(screen.queryByTestId('pdb-last-failure')).toBeNull();
  });

  it('shows no warning box for a clean run', async () => {
    open();
    await waitFor(() => expect(text('pdb-last-sync')).toBe(formatTime(EARLIER)));
    expect(screen.queryByTestId('pdb-last-warnings')).toBeNull();
  });

  it('a sync with warnings ends with an error toast naming them and orphans, not a success', async () => {
    const sync = pendingSync();
    const user = open();
    await user.click(screen.getByTestId('pdb-sync-button'));
    api.peeringdbStatus.mockResolvedValue(
      status({ lastRun: { startedAt: LATER, finishedAt: LATER, outcome: 'ok', message: 'incremental sync', warnings: [mostDropped] } }),
    );
    sync.resolve({
      ...summary,
      types: [{ objectType: 'netixlan', received: 200, kept: 20, notLive: 0, orphansDropped: 180, deleted: 0 }],
      orphansDropped: 180,
      warnings: [mostDropped],
    });
    await waitFor(() => expect(toasts.items).toHaveLength(1));
    expect(toasts.items[0].kind).toBe('error');
    expect(toasts.items[0].message).toBe(
      `PeeringDB synced (changes only): 20 records kept of 200 received, 0 records deleted, 180 records dropped (parent missing), with 1 warning: ${mostDropped.message}`,
    );
    await waitFor(() => expect(screen.getAllByTestId('pdb-warning')).toHaveLength(1));
  });

  it('starts one sync at a time: a second press while running does nothing', async () => {
    pendingSync();
    const state = new PeeringDbSync();
    render(SyncPanel, { props: { sync: state } });
    void state.start();
    void state.start();
    await waitFor(() => expect(api.syncPeeringdb).toHaveBeenCalledTimes(1));
    expect(state.running).toBe(true);
  });
});
