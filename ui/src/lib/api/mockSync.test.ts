// The dev-only mock backend's offline outbox behaves like core's, simplified:
// driven through mockInvoke as the UI would drive it, with a fresh mock per
// test and fake timers for the mock's push delay.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeleteOutcome } from '$lib/bindings/DeleteOutcome';
import type { NewRouter } from '$lib/bindings/NewRouter';
import type { NewSession } from '$lib/bindings/NewSession';
import type { OutboxItem } from '$lib/bindings/OutboxItem';
import type { PushOrQueued } from '$lib/bindings/PushOrQueued';
import type { Router } from '$lib/bindings/Router';
import type { RouterReachability } from '$lib/bindings/RouterReachability';
import type { Session } from '$lib/bindings/Session';
import type { SyncReport } from '$lib/bindings/SyncReport';

type Mock = typeof import('./mock');
let mock: Mock;

/** Runs a mock command to the end, moving the fake clock on while it waits. */
async function run<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  let settled = false;
  const pending = mock.mockInvoke(command, args).finally(() => {
    settled = true;
  });
  pending.catch(() => {});
  while (!settled) await vi.advanceTimersByTimeAsync(100);
  return (await pending) as T;
}

async function addRouter(name: string): Promise<Router> {
  const router: NewRouter = {
    name, mgmtAddress: '192.0.2.250', sshPort: 22, platform: 'frr', username: 'netops',
    authMethod: 'agent', localAsn: '64496', notes: '', attachments: [],
  };
  const r = await run<Router>('add_router', { router });
  const key = await run<{ fingerprint: string }>('probe_router_host_key', { routerId: r.id });
  await run('trust_router_host_key', { routerId: r.id, fingerprint: key.fingerprint });
  return r;
}

/** Renaming is how a router of the mock becomes reachable: "offline" in the name is what makes it unreachable. */
async function rename(r: Router, name: string): Promise<Router> {
  const changes: NewRouter = {
    name, mgmtAddress: r.mgmtAddress, sshPort: r.sshPort, platform: r.platform, username: r.username,
    authMethod: r.authMethod, localAsn: String(r.localAsn), notes: r.notes, attachments: [],
  };
  return run<Router>('update_router', { id: r.id, changes });
}

async function addSession(routerId: number, peerIpv4: string, asn = '64500'): Promise<Session> {
  const session: NewSession = {
    sessionType: 'private', routerId, asn, peerName: `Documentation Peer ${asn}`, asSet: '', peerIpv4, notes: '',
  };
  return (await run<Session[]>('add_session', { session }))[0];
}

const outbox = (routerId?: number) =>
  run<OutboxItem[]>('list_router_outbox', routerId === undefined ? {} : { routerId });

beforeEach(async () => {
  vi.useFakeTimers();
  vi.resetModules();
  mock = await import('./mock');
  await run('update_settings', {
    changes: { ownAsns: ['64496'], orgName: 'Example Networks', coordinatorName: 'Alex Example', coordinatorEmail: '' },
  });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('mock outbox', () => {
  it('a push to a reachable router returns pushed with an applied item approved by the coordinator', async () => {
    const r = await addRouter('edge1.test');
    const s = await addSession(r.id, '192.0.2.10');

    const result = await run<PushOrQueued>('push_or_queue', { sessionId: s.id, operation: 'add', overrides: {} });

    expect(result.outcome).toBe('pushed');
    if (result.outcome !== 'pushed') return;
    expect(result.push.session.configState).toBe('configured');
    expect(result.item).toMatchObject({ status: 'applied', approvedBy: 'Alex Example', sessionId: s.id, operation: 'add' });
    expect(result.item.appliedAt).not.toBeNull();
    expect(result.item.approvedAt).not.toBeNull();
    expect(result.item.rendered).toContain('neighbor 192.0.2.10 remote-as 64500');
    expect(await outbox()).toEqual([]);
    const history = await run<OutboxItem[]>('list_outbox_history', {});
    expect(history.map((i) => i.id)).toEqual([result.item.id]);
  });

  it('a change for an offline router is queued approved and counted in router_reachability', async () => {
    const r = await addRouter('edge2.offline');
    const s = await addSession(r.id, '192.0.2.20');
    const events: RouterReachability[] = [];
    mock.mockListen('router-reachability', (p) => events.push(p as RouterReachability));

    const result = await run<PushOrQueued>('push_or_queue', { sessionId: s.id, operation: 'add', overrides: {} });

    expect(result.outcome).toBe('queued');
    if (result.outcome !== 'queued') return;
    expect(result.item).toMatchObject({ status: 'approved', approvedBy: 'Alex Example', appliedAt: null, reviewedCurrent: null });
    expect(result.message).toMatch(
      /^edge2\.offline cannot be reached \(.+\)\. add of 192\.0\.2\.20 is queued and will be applied when edge2\.offline is reachable\.$/,
    );
    const reach = await run<RouterReachability[]>('router_reachability');
    expect(reach.find((x) => x.routerId === r.id)).toMatchObject({ reachable: false, approvedItems: 1 });
    expect(reach.find((x) => x.routerId === r.id)!.failures).toBeGreaterThan(0);
    expect(reach.find((x) => x.routerId === r.id)!.lastError).not.toBe('');
    expect(events.at(-1)).toMatchObject({ routerId: r.id, reachable: false, approvedItems: 1 });
    expect((await outbox(r.id)).map((i) => i.id)).toEqual([result.item.id]);
  });

  it('sync_router of an unreachable router fails unreachable and applies nothing', async () => {
    const r = await addRouter('edge3.offline');
    const s = await addSession(r.id, '192.0.2.30');
    await run('push_or_queue', { sessionId: s.id, operation: 'add', overrides: {} });

    await expect(run('sync_router', { routerId: r.id })).rejects.toMatchObject({ kind: 'unreachable' });
    expect((await outbox(r.id)).map((i) => i.status)).toEqual(['approved']);
  });

  it('once the router is reachable again, sync_router applies the queued items in order and empties the outbox', async () => {
    const r = await addRouter('edge4.offline');
    const first = await addSession(r.id, '192.0.2.41');
    const second = await addSession(r.id, '192.0.2.42', '64501');
    const a = await run<PushOrQueued>('push_or_queue', { sessionId: first.id, operation: 'add', overrides: {} });
    const b = await run<PushOrQueued>('push_or_queue', { sessionId: second.id, operation: 'add', overrides: {} });
    const reports: SyncReport[] = [];
    mock.mockListen('sync-finished', (p) => reports.push(p as SyncReport));

    await rename(r, 'edge4.test');
    const report = await run<SyncReport>('sync_router', { routerId: r.id });

    expect(report.items.map((i) => [i.itemId, i.outcome])).toEqual([
      [a.item.id, 'applied'],
      [b.item.id, 'applied'],
    ]);
    expect(report.message).toBe('edge4.test: 2 applied');
    expect(report.drift).toEqual({ onRouterOnly: [], missingOnRouter: [], differing: [] });
    expect(report.log.length).toBeGreaterThan(2);
    expect(reports).toEqual([report]);
    expect(await outbox()).toEqual([]);
    const sessions = await run<Session[]>('list_sessions', { filter: {} });
    expect(sessions.filter((s) => s.routerId === r.id).map((s) => s.configState)).toEqual(['configured', 'configured']);
    const reach = await run<RouterReachability[]>('router_reachability');
    expect(reach.find((x) => x.routerId === r.id)).toMatchObject({ reachable: true, approvedItems: 0 });
  });

  it('a rejected push leaves a failed item and sending it again supersedes that item', async () => {
    const r = await addRouter('edge5.test');
    const s = await addSession(r.id, '192.0.2.50');
    const refused = { description: 'please reject this' };

    await expect(run('push_or_queue', { sessionId: s.id, operation: 'add', overrides: refused })).rejects.toMatchObject({
      kind: 'rejected',
    });
    const [failed] = await outbox(r.id);
    expect(failed).toMatchObject({ status: 'failed', operation: 'add' });
    expect(failed.lastError).toContain('refused the change');

    const again = await run<PushOrQueued>('push_or_queue', { sessionId: s.id, operation: 'add', overrides: {} });

    expect(again.outcome).toBe('pushed');
    expect(again.item.status).toBe('applied');
    expect(await outbox(r.id)).toEqual([]);
    const history = await run<OutboxItem[]>('list_outbox_history', { routerId: r.id });
    expect(history.find((i) => i.id === failed.id)).toMatchObject({
      status: 'discarded',
      lastError: 'superseded by the same change sent again',
    });
  });

  it('the same change sent again while one waits approved is a conflict', async () => {
    const r = await addRouter('edge6.offline');
    const s = await addSession(r.id, '192.0.2.60');
    await run('push_or_queue', { sessionId: s.id, operation: 'add', overrides: {} });

    await expect(run('push_or_queue', { sessionId: s.id, operation: 'add', overrides: {} })).rejects.toMatchObject({
      kind: 'conflict',
      field: 'operation',
    });
    expect(await outbox(r.id)).toHaveLength(1);
  });

  it('a delete for an offline router is queued, keeps the session, and deletes it once synced', async () => {
    const r = await addRouter('edge7.offline');
    const s = await addSession(r.id, '192.0.2.70');

    const done = await run<DeleteOutcome>('delete_session_from_router', { sessionId: s.id });

    expect(done.outcome).toBe('removalQueued');
    if (done.outcome !== 'removalQueued') return;
    expect(done.item).toMatchObject({ status: 'approved', operation: 'remove', thenDelete: true });
    expect(done.message).toContain('The session stays until then');
    expect((await run<Session[]>('list_sessions', { filter: {} })).map((x) => x.id)).toContain(s.id);

    await rename(r, 'edge7.test');
    const report = await run<SyncReport>('sync_router', { routerId: r.id });

    expect(report.items.map((i) => i.outcome)).toEqual(['applied']);
    expect(report.items[0].message).toContain('the session is deleted, as asked');
    expect((await run<Session[]>('list_sessions', { filter: {} })).map((x) => x.id)).not.toContain(s.id);
    expect(await outbox()).toEqual([]);
  });

  it('a delete for a reachable router removes the session there and deletes it', async () => {
    const r = await addRouter('edge8.test');
    const s = await addSession(r.id, '192.0.2.80');

    const done = await run<DeleteOutcome>('delete_session_from_router', { sessionId: s.id });

    expect(done.outcome).toBe('deleted');
    expect((await run<Session[]>('list_sessions', { filter: {} })).map((x) => x.id)).not.toContain(s.id);
  });

  it('reorder moves an item among its router open items and sync follows that order', async () => {
    const r = await addRouter('edge9.offline');
    const ids: number[] = [];
    for (const [ip, asn] of [['192.0.2.91', '64501'], ['192.0.2.92', '64502'], ['192.0.2.93', '64503']]) {
      const s = await addSession(r.id, ip, asn);
      ids.push((await run<PushOrQueued>('push_or_queue', { sessionId: s.id, operation: 'add', overrides: {} })).item.id);
    }

    const order = await run<OutboxItem[]>('reorder_outbox_item', { id: ids[2], index: 0 });

    expect(order.map((i) => i.id)).toEqual([ids[2], ids[0], ids[1]]);
    expect(order.map((i) => i.position)).toEqual([1, 2, 3]);
    expect((await outbox(r.id)).map((i) => i.id)).toEqual([ids[2], ids[0], ids[1]]);
    const last = await run<OutboxItem[]>('reorder_outbox_item', { id: ids[0], index: 9 });
    expect(last.map((i) => i.id)).toEqual([ids[2], ids[1], ids[0]]);
    await rename(r, 'edge9.test');
    const report = await run<SyncReport>('sync_router', { routerId: r.id });
    expect(report.items.map((i) => i.itemId)).toEqual([ids[2], ids[1], ids[0]]);
  });

  it('a discarded item leaves the outbox, is in the history and is not applied by sync', async () => {
    const r = await addRouter('edge10.offline');
    const keep = await addSession(r.id, '192.0.2.101', '64504');
    const drop = await addSession(r.id, '192.0.2.102', '64505');
    const kept = await run<PushOrQueued>('push_or_queue', { sessionId: keep.id, operation: 'add', overrides: {} });
    const dropped = await run<PushOrQueued>('push_or_queue', { sessionId: drop.id, operation: 'add', overrides: {} });

    const discarded = await run<OutboxItem>('discard_outbox_item', { id: dropped.item.id });

    expect(discarded.status).toBe('discarded');
    expect((await outbox(r.id)).map((i) => i.id)).toEqual([kept.item.id]);
    expect((await run<OutboxItem[]>('list_outbox_history', {})).map((i) => i.id)).toEqual([dropped.item.id]);
    await expect(run('discard_outbox_item', { id: dropped.item.id })).rejects.toMatchObject({ kind: 'conflict' });
    await rename(r, 'edge10.test');
    const report = await run<SyncReport>('sync_router', { routerId: r.id });
    expect(report.items.map((i) => i.itemId)).toEqual([kept.item.id]);
  });

  it('queue_change waits in review; review, edit and approve move it as in core', async () => {
    const r = await addRouter('edge11.test');
    const s = await addSession(r.id, '192.0.2.110');

    const queued = await run<OutboxItem>('queue_change', { sessionId: s.id, operation: 'add', overrides: {} });
    expect(queued).toMatchObject({ status: 'review', approvedBy: null, reviewedCurrent: null });

    const [reviewed] = await run<OutboxItem[]>('review_outbox', { routerId: r.id });
    expect(reviewed.reviewedCurrent).toBe('');
    expect(reviewed.diff.length).toBeGreaterThan(0);
    expect(reviewed.diff.every((l) => l.kind === 'added')).toBe(true);

    const approved = await run<OutboxItem>('approve_outbox_item', { id: queued.id });
    expect(approved).toMatchObject({ status: 'approved', approvedBy: 'Alex Example' });

    const edited = await run<OutboxItem>('edit_outbox_item', { id: queued.id, overrides: { maxPrefix: 250 } });
    expect(edited).toMatchObject({ status: 'review', approvedBy: null, reviewedCurrent: null, diff: [] });
    expect(edited.rendered).toContain('maximum-prefix 250');
  });

  it('review_outbox of an offline router with items in review fails unreachable', async () => {
    const r = await addRouter('edge12.offline');
    const s = await addSession(r.id, '192.0.2.120');
    await run('queue_change', { sessionId: s.id, operation: 'add', overrides: {} });

    await expect(run('review_outbox', { routerId: r.id })).rejects.toMatchObject({ kind: 'unreachable' });
  });

  it('mark_session_removed makes a configured session not configured, and a second time is a conflict', async () => {
    const r = await addRouter('edge13.test');
    const s = await addSession(r.id, '192.0.2.130');
    await run('push_or_queue', { sessionId: s.id, operation: 'add', overrides: {} });

    const marked = await run<Session>('mark_session_removed', { sessionId: s.id });

    expect(marked.configState).toBe('not_configured');
    await expect(run('mark_session_removed', { sessionId: s.id })).rejects.toMatchObject({
      kind: 'conflict',
      field: 'configState',
    });
  });
});
