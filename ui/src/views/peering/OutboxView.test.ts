// Peering → Outbox against a mocked sync api: items grouped by router with
// their status and approver, the reviewed diff (or the text to send when the
// router was never read), Approve / Discard / Move up / down sent to core with
// the item's id and index, Sync now showing the report's drift (report only),
// drift actions (Adopt through import_sessions with core's forbidden shown
// inline, Push again as queue + approve, Mark removed), a reload when the
// background sync finished; Edit prefilled from the
// item's overrides, Save sending exactly the fields' overrides, core's field
// errors inline with the typed values kept, Cancel / Escape sending nothing.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { OutboxItem } from '$lib/bindings/OutboxItem';
import type { SyncReport } from '$lib/bindings/SyncReport';

const sync = vi.hoisted(() => ({
  listRouterOutbox: vi.fn(),
  listOutboxHistory: vi.fn(),
  approveOutboxItem: vi.fn(),
  discardOutboxItem: vi.fn(),
  reorderOutboxItem: vi.fn(),
  reviewOutbox: vi.fn(),
  syncRouter: vi.fn(),
  editOutboxItem: vi.fn(),
  routerReachability: vi.fn(),
  probeRouter: vi.fn(),
  queueChange: vi.fn(),
  markSessionRemoved: vi.fn(),
}));
vi.mock('$lib/api/sync', () => sync);
const devices = vi.hoisted(() => ({ importSessions: vi.fn() }));
vi.mock('$lib/api/devices', () => devices);
const events = vi.hoisted(() => ({ finished: [] as ((r: unknown) => void)[] }));
vi.mock('$lib/api/events', () => ({
  onSyncFinished: async (h: (r: unknown) => void) => {
    events.finished.push(h);
    return () => (events.finished = events.finished.filter((x) => x !== h));
  },
  onSyncFailed: async () => () => {},
  onRouterReachability: async () => () => {},
}));

import { reachability } from '$lib/reachability.svelte';
import OutboxView from './OutboxView.svelte';

function item(id: number, extra: Partial<OutboxItem> = {}): OutboxItem {
  return {
    id,
    routerId: 3,
    routerName: 'r1',
    sessionId: 10 + id,
    peerIp: `192.0.2.${id}`,
    asn: 64500 + id,
    networkName: `Network ${id}`,
    operation: 'add',
    overrides: {},
    rendered: `router bgp 64496\n neighbor 192.0.2.${id} remote-as ${64500 + id}\n`,
    reviewedCurrent: null,
    diff: [],
    status: 'approved',
    position: id,
    approvedBy: 'Alex Example',
    approvedAt: '2025-03-04T14:05:00Z',
    createdAt: '',
    updatedAt: '',
    appliedAt: null,
    lastError: '',
    thenDelete: false,
    ...extra,
  };
}

const report: SyncReport = {
  routerId: 3,
  routerName: 'r1',
  neighbours: 4,
  drift: {
    onRouterOnly: [
      { peerIp: '198.51.100.7', remoteAsn: 64510, description: '', peerGroup: null, adminDown: false, bgpState: 'established' },
    ],
    missingOnRouter: [{ sessionId: 12, peerIp: '192.0.2.2', asn: 64502, networkName: 'Network 2' }],
    differing: [{ sessionId: 11, peerIp: '192.0.2.1', field: 'remoteAsn', peerdesk: '64501', router: '64511' }],
  },
  reconciled: [],
  items: [],
  message: 'r1: 0 applied; the router differs from Peerdesk (see drift)',
  log: [],
};

beforeEach(() => {
  reachability.reset();
  for (const f of Object.values(sync)) f.mockReset();
  devices.importSessions.mockReset();
  sync.routerReachability.mockResolvedValue([]);
  sync.listOutboxHistory.mockResolvedValue([]);
  sync.listRouterOutbox.mockResolvedValue([
    item(1),
    item(2, {
      status: 'review',
      approvedBy: null,
      approvedAt: null,
      diff: [
        { kind: 'same', text: 'router bgp 64496' },
        { kind: 'added', text: ' neighbor 192.0.2.2 remote-as 64502' },
      ],
      lastError: "the router's configuration of this neighbour changed since it was reviewed: review the new diff",
    }),
    item(5, { routerId: 4, routerName: 'r2', operation: 'shutdown' }),
  ]);
});

describe('Outbox', () => {
  it('lists the open items per router with status, approver, diff or text to send', async () => {
    render(OutboxView);
    const r1 = await screen.findByTestId('outbox-router-3');
    expect(within(r1).getAllByTestId(/^outbox-item-\d+$/).map((e) => e.dataset.testid)).toEqual([
      'outbox-item-1',
      'outbox-item-2',
    ]);
    expect(screen.getByTestId('outbox-router-4').textContent).toContain('Admin down');
    expect(screen.getByTestId('outbox-status-1').textContent).toContain('Approved');
    expect(screen.getByTestId('outbox-item-1').textContent).toContain('approved by Alex Example');
    expect(screen.getByTestId('outbox-rendered-1').textContent).toContain('neighbor 192.0.2.1 remote-as 64501');
    const diff = screen.getByTestId('outbox-diff-2');
    expect([...diff.querySelectorAll('[data-kind]')].map((l) => l.getAttribute('data-kind'))).toEqual(['same', 'added']);
    expect(screen.getByTestId('outbox-error-2').textContent).toContain('changed since it was reviewed');
    expect(screen.queryByTestId('outbox-approve-1')).toBeNull();
  });

  it('sends approve, discard and moves with the item id and its new index, then reloads', async () => {
    sync.approveOutboxItem.mockResolvedValue(item(2));
    sync.discardOutboxItem.mockResolvedValue(item(1, { status: 'discarded' }));
    sync.reorderOutboxItem.mockResolvedValue([]);
    const user = userEvent.setup();
    render(OutboxView);
    await screen.findByTestId('outbox-item-2');
    expect((screen.getByTestId('outbox-up-1') as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByTestId('outbox-approve-2'));
    expect(sync.approveOutboxItem).toHaveBeenCalledWith(2);
    await waitFor(() => expect((screen.getByTestId('outbox-up-2') as HTMLButtonElement).disabled).toBe(false));
    await user.click(screen.getByTestId('outbox-up-2'));
    expect(sync.reorderOutboxItem).toHaveBeenCalledWith(2, 0);
    await waitFor(() => expect((screen.getByTestId('outbox-down-1') as HTMLButtonElement).disabled).toBe(false));
    await user.click(screen.getByTestId('outbox-down-1'));
    expect(sync.reorderOutboxItem).toHaveBeenLastCalledWith(1, 1);
    await waitFor(() => expect((screen.getByTestId('outbox-discard-1') as HTMLButtonElement).disabled).toBe(false));
    await user.click(screen.getByTestId('outbox-discard-1'));
    expect(sync.discardOutboxItem).toHaveBeenCalledWith(1);
    await waitFor(() => expect(sync.listRouterOutbox.mock.calls.length).toBeGreaterThanOrEqual(5));
  });

  it("Review has core read the router's lines for its items in review, offered only where some are", async () => {
    sync.reviewOutbox.mockResolvedValue([]);
    const user = userEvent.setup();
    render(OutboxView);
    await screen.findByTestId('outbox-item-5');
    expect(screen.queryByTestId('outbox-review-4')).toBeNull();
    const calls = sync.listRouterOutbox.mock.calls.length;
    await user.click(screen.getByTestId('outbox-review-3'));
    expect(sync.reviewOutbox).toHaveBeenCalledWith(3);
    await waitFor(() => expect(sync.listRouterOutbox.mock.calls.length).toBe(calls + 1));
  });

  it("Sync now shows the report's drift: on the router only, missing on the router, differing", async () => {
    sync.syncRouter.mockResolvedValue(report);
    const user = userEvent.setup();
    render(OutboxView);
    await user.click(await screen.findByTestId('outbox-sync-3'));
    expect(sync.syncRouter).toHaveBeenCalledWith(3);
    const shown = await screen.findByTestId('outbox-report-3');
    expect(shown.textContent).toContain('nothing was changed because of it');
    expect(screen.getByTestId('drift-router-only-3').textContent).toContain('198.51.100.7 AS64510');
    expect(screen.getByTestId('drift-missing-3').textContent).toContain('192.0.2.2 AS64502');
    expect(screen.getByTestId('drift-differing-3').textContent).toMatch(/192\.0\.2\.1\s*remoteAsn: Peerdesk\s*64501, router\s*64511/);
  });

  it("reloads when the background sync finished and shows that router's drift", async () => {
    render(OutboxView);
    await screen.findByTestId('outbox-item-1');
    await waitFor(() => expect(events.finished.length).toBe(1));
    sync.listRouterOutbox.mockResolvedValue([]);
    for (const h of events.finished) h({ ...report, routerId: 4, routerName: 'r2', drift: { onRouterOnly: [], missingOnRouter: [], differing: [] } });
    await waitFor(() => expect(screen.queryByTestId('outbox-item-1')).toBeNull());
    expect(screen.getByTestId('outbox-report-4').textContent).toContain('none');
  });
});

describe('Outbox: Recent changes', () => {
  it('lists applied and discarded items newest first with when, approver and the reviewed diff; none while empty', async () => {
    sync.listOutboxHistory.mockResolvedValue([
      item(7, {
        status: 'applied',
        appliedAt: '2025-03-04T15:00:00Z',
        reviewedCurrent: '',
        diff: [{ kind: 'added', text: ' neighbor 192.0.2.7 remote-as 64507' }],
      }),
      item(6, { status: 'discarded', approvedBy: null, lastError: 'superseded by the same change sent again' }),
    ]);
    render(OutboxView);
    const history = await screen.findByTestId('outbox-history');
    expect(sync.listOutboxHistory).toHaveBeenCalledWith(undefined, 50);
    const rows = within(history).getAllByTestId(/^outbox-history-item-\d+$/);
    expect(rows.map((r) => [r.dataset.testid, r.dataset.status])).toEqual([
      ['outbox-history-item-7', 'applied'],
      ['outbox-history-item-6', 'discarded'],
    ]);
    expect(rows[0].textContent).toContain('Alex Example');
    expect(rows[0].textContent).toContain('Applied');
    expect(screen.getByTestId('outbox-history-diff-7').textContent).toContain('+  neighbor 192.0.2.7 remote-as 64507');
    expect(history.textContent).toContain('superseded by the same change sent again');
  });

  it('shows no Recent changes section when nothing was applied or discarded', async () => {
    render(OutboxView);
    await screen.findByTestId('outbox-router-3');
    expect(screen.queryByTestId('outbox-history')).toBeNull();
  });
});

describe('Outbox: Edit', () => {
  const overrides = { description: 'IX-A peer', maxPrefix: 150, extraLines: ' neighbor 192.0.2.1 timers 10 30' };
  const edited = (extra: Partial<OutboxItem> = {}) =>
    item(1, {
      status: 'review',
      approvedBy: null,
      approvedAt: null,
      overrides: { maxPrefix: 200, importPolicy: 'IMPORT-AS64501', extraLines: ' neighbor 192.0.2.1 timers 10 30' },
      rendered: 'router bgp 64496\n neighbor 192.0.2.1 maximum-prefix 200\n',
      ...extra,
    });

  beforeEach(() => {
    sync.listRouterOutbox.mockResolvedValue([item(1, { overrides }), item(6, { status: 'applying' })]);
  });

  const field = (name: string) => screen.getByTestId(`outbox-edit-${name}`) as HTMLInputElement;

  it("is offered for items core can re-render, not while one is applying, and opens prefilled from the item's overrides", async () => {
    const user = userEvent.setup();
    render(OutboxView);
    await screen.findByTestId('outbox-item-6');
    expect(screen.queryByTestId('outbox-edit-6')).toBeNull();
    await user.click(screen.getByTestId('outbox-edit-1'));
    const dialog = screen.getByTestId('outbox-edit-dialog');
    expect(dialog.textContent).toContain('192.0.2.1 on r1');
    expect(field('description').value).toBe('IX-A peer');
    expect(field('max-prefix').value).toBe('150');
    expect(field('import-policy').value).toBe('');
    expect(field('export-policy').value).toBe('');
    expect(field('extra-lines').value).toBe(' neighbor 192.0.2.1 timers 10 30');
    expect(screen.getByTestId('outbox-edit-rendered').textContent).toContain('neighbor 192.0.2.1 remote-as 64501');
  });

  it('Save sends exactly the overrides in the fields, shows the re-rendered text, and the list shows the item back in review', async () => {
    sync.editOutboxItem.mockResolvedValue(edited());
    const user = userEvent.setup();
    render(OutboxView);
    await user.click(await screen.findByTestId('outbox-edit-1'));
    await user.clear(field('description'));
    await user.clear(field('max-prefix'));
    await user.type(field('max-prefix'), '200');
    await user.type(field('import-policy'), '  IMPORT-AS64501 ');
    sync.listRouterOutbox.mockResolvedValue([edited()]);
    await user.click(screen.getByTestId('outbox-edit-save'));
    expect(sync.editOutboxItem.mock.calls).toStrictEqual([
      [1, { maxPrefix: 200, importPolicy: 'IMPORT-AS64501', extraLines: ' neighbor 192.0.2.1 timers 10 30' }],
    ]);
    expect((await screen.findByTestId('outbox-edit-done')).textContent).toContain('back in review');
    expect(screen.getByTestId('outbox-edit-rendered').textContent).toContain('maximum-prefix 200');
    await waitFor(() => expect(screen.getByTestId('outbox-item-1').dataset.status).toBe('review'));
    expect(screen.getByTestId('outbox-status-1').textContent).toContain('In review');
    expect(screen.getByTestId('outbox-item-1').textContent).not.toContain('approved by');
    expect(screen.getByTestId('outbox-approve-1')).toBeTruthy();
    await user.click(screen.getByTestId('outbox-edit-close'));
    expect(screen.queryByTestId('outbox-edit-dialog')).toBeNull();
  });

  it("shows core's field error on its field and keeps every typed value for another try", async () => {
    sync.editOutboxItem.mockRejectedValueOnce(
      new ApiError('invalid', 'extra lines may not contain "end" or "exit"', 'extraLines'),
    );
    const user = userEvent.setup();
    render(OutboxView);
    await user.click(await screen.findByTestId('outbox-edit-1'));
    await user.type(field('export-policy'), 'EXPORT-OWN');
    await user.clear(field('extra-lines'));
    await user.type(field('extra-lines'), 'end');
    const calls = sync.listRouterOutbox.mock.calls.length;
    await user.click(screen.getByTestId('outbox-edit-save'));
    expect((await screen.findByTestId('error-extraLines')).textContent).toContain('may not contain "end"');
    expect(screen.queryByTestId('outbox-edit-form-error')).toBeNull();
    expect(screen.getByTestId('outbox-edit-dialog')).toBeTruthy();
    expect(field('description').value).toBe('IX-A peer');
    expect(field('max-prefix').value).toBe('150');
    expect(field('export-policy').value).toBe('EXPORT-OWN');
    expect(field('extra-lines').value).toBe('end');
    expect(sync.listRouterOutbox.mock.calls.length).toBe(calls);

    sync.editOutboxItem.mockResolvedValueOnce(edited());
    await user.clear(field('extra-lines'));
    await user.click(screen.getByTestId('outbox-edit-save'));
    expect(sync.editOutboxItem).toHaveBeenLastCalledWith(1, { description: 'IX-A peer', maxPrefix: 150, exportPolicy: 'EXPORT-OWN' });
    expect(sync.editOutboxItem.mock.lastCall?.[1]).toStrictEqual({ description: 'IX-A peer', maxPrefix: 150, exportPolicy: 'EXPORT-OWN' });
    await screen.findByTestId('outbox-edit-done');
    expect(screen.queryByTestId('error-extraLines')).toBeNull();
  });

  it('an error that names no field on the form shows at its top', async () => {
    sync.editOutboxItem.mockRejectedValueOnce(new ApiError('conflict', 'the item became applying meanwhile', 'status'));
    const user = userEvent.setup();
    render(OutboxView);
    await user.click(await screen.findByTestId('outbox-edit-1'));
    await user.click(screen.getByTestId('outbox-edit-save'));
    expect((await screen.findByTestId('outbox-edit-form-error')).textContent).toContain('became applying meanwhile');
  });

  it('Cancel and Escape close without sending anything', async () => {
    const user = userEvent.setup();
    render(OutboxView);
    await user.click(await screen.findByTestId('outbox-edit-1'));
    await user.type(field('description'), ' changed');
    await user.click(screen.getByTestId('outbox-edit-cancel'));
    expect(screen.queryByTestId('outbox-edit-dialog')).toBeNull();
    await user.click(screen.getByTestId('outbox-edit-1'));
    expect(field('description').value).toBe('IX-A peer');
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('outbox-edit-dialog')).toBeNull();
    expect(sync.editOutboxItem).not.toHaveBeenCalled();
  });

  describe('drift actions', () => {
    async function showReport() {
      sync.syncRouter.mockResolvedValue(report);
      const user = userEvent.setup();
      render(OutboxView);
      await user.click(await screen.findByTestId('outbox-sync-3'));
      await screen.findByTestId('outbox-report-3');
      return user;
    }

    it('Adopt imports that one neighbour through Data Import and takes it out of the report', async () => {
      devices.importSessions.mockResolvedValue({ added: 1, skipped: 0 });
      const user = await showReport();
      await user.click(screen.getByTestId('drift-adopt-3-198.51.100.7'));
      expect(devices.importSessions).toHaveBeenCalledWith(3, ['198.51.100.7']);
      const result = await screen.findByTestId('drift-result-adopt-3-198.51.100.7');
      expect(result.dataset.ok).toBe('true');
      expect(result.textContent).toContain('Adopted 198.51.100.7 from r1');
      expect(screen.queryByTestId('drift-adopt-3-198.51.100.7')).toBeNull();
      expect(screen.getByTestId('drift-router-only-3').textContent).toContain('none');
    });

    it("Adopt shows core's forbidden for a Coordinator inline and keeps the entry", async () => {
      devices.importSessions.mockRejectedValue(
        new ApiError('forbidden', 'Data Import needs the Admin role: switch to Admin in Settings'),
      );
      const user = await showReport();
      await user.click(screen.getByTestId('drift-adopt-3-198.51.100.7'));
      const result = await screen.findByTestId('drift-result-adopt-3-198.51.100.7');
      expect(result.dataset.ok).toBe('false');
      expect(result.getAttribute('role')).toBe('alert');
      expect(result.textContent).toContain('Adopting needs the Admin role: Data Import needs the Admin role');
      expect(screen.getByTestId('drift-adopt-3-198.51.100.7')).toBeTruthy();
    });

    it('Push again queues the add, approves that item, reloads the outbox and leaves the report', async () => {
      sync.queueChange.mockResolvedValue(item(9, { sessionId: 12, status: 'review' }));
      sync.approveOutboxItem.mockResolvedValue(item(9, { sessionId: 12 }));
      const user = await showReport();
      const calls = sync.listRouterOutbox.mock.calls.length;
      await user.click(screen.getByTestId('drift-push-again-12'));
      const result = await screen.findByTestId('drift-result-session-12');
      expect(sync.queueChange).toHaveBeenCalledWith(12, 'add');
      expect(sync.approveOutboxItem).toHaveBeenCalledWith(9);
      expect(sync.queueChange.mock.invocationCallOrder[0]).toBeLessThan(sync.approveOutboxItem.mock.invocationCallOrder[0]);
      expect(result.dataset.ok).toBe('true');
      expect(result.textContent).toContain('queued approved for r1');
      expect(sync.listRouterOutbox.mock.calls.length).toBeGreaterThan(calls);
      expect(screen.queryByTestId('drift-push-again-12')).toBeNull();
      expect(screen.queryByTestId('drift-mark-removed-12')).toBeNull();
    });

    it("Mark removed calls core for that session; an error is shown inline and the entry stays", async () => {
      sync.markSessionRemoved.mockRejectedValueOnce(new ApiError('conflict', '192.0.2.2 is already not configured', 'configState'));
      const user = await showReport();
      await user.click(screen.getByTestId('drift-mark-removed-12'));
      expect(sync.markSessionRemoved).toHaveBeenCalledWith(12);
      const failed = await screen.findByTestId('drift-result-session-12');
      expect(failed.dataset.ok).toBe('false');
      expect(failed.textContent).toContain('already not configured');
      expect(screen.getByTestId('drift-mark-removed-12')).toBeTruthy();

      sync.markSessionRemoved.mockResolvedValueOnce({});
      await user.click(screen.getByTestId('drift-mark-removed-12'));
      await waitFor(() => expect(screen.getByTestId('drift-result-session-12').dataset.ok).toBe('true'));
      expect(screen.getByTestId('drift-result-session-12').textContent).toContain('192.0.2.2 is marked removed');
      expect(screen.queryByTestId('drift-mark-removed-12')).toBeNull();
      expect(screen.getByTestId('drift-missing-3').textContent).toContain('none');
      expect(sync.queueChange).not.toHaveBeenCalled();
    });
  });
});
