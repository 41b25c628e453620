// The dev-only mock backend's offline outbox (see mock.ts): outbox items kept
// in memory, push or queue, review / approve / edit / reorder / discard, a
// sync that applies the approved items in order through the mock's push, and
// reachability. A router whose name contains "offline" does not answer;
// renaming it makes it reachable. Just enough to click through the Outbox,
// the push and delete dialogs and the offline indicator; drift, interrupted
// items and the background probes live in core.
import type { ConfigOperation } from '$lib/bindings/ConfigOperation';
import type { DeleteOutcome } from '$lib/bindings/DeleteOutcome';
import type { DiffLine } from '$lib/bindings/DiffLine';
import type { ItemResult } from '$lib/bindings/ItemResult';
import type { OutboxItem } from '$lib/bindings/OutboxItem';
import type { ConfigOverrides } from '$lib/bindings/ConfigOverrides';
import type { OutboxStatus } from '$lib/bindings/OutboxStatus';
import type { PushOrQueued } from '$lib/bindings/PushOrQueued';
import type { PushOutcome } from '$lib/bindings/PushOutcome';
import type { Router } from '$lib/bindings/Router';
import type { RouterReachability } from '$lib/bindings/RouterReachability';
import type { Session } from '$lib/bindings/Session';
import type { SyncReport } from '$lib/bindings/SyncReport';
import { ApiError } from './invoke';

type Args = Record<string, unknown> | undefined;

/** What the outbox needs from the rest of the mock. */
export interface SyncDeps {
  emit: (channel: string, payload: unknown) => void;
  routers: () => Router[];
  sessions: () => Session[];
  /** Settings' coordinator name, recorded as the approver. */
  coordinator: () => string;
  /** The text the push dialog shows for the change, MD5 masked; throws `invalid` for bad overrides. */
  render: (s: Session, op: ConfigOperation, overrides: ConfigOverrides) => string;
  /** The mock's push (push_session_config); rejects with `{kind, message}` when refused. */
  push: (a: { sessionId: number; operation: ConfigOperation; overrides: ConfigOverrides; waitSeconds?: number }) => Promise<PushOutcome>;
  /** Deletes the session (its removal from the router was applied). */
  deleteSession: (s: Session) => void;
  record: (entity: string, entityId: number | null, action: 'create' | 'update', summary: string) => void;
}

/** The mock's stand-in for a TCP probe: a router named with "offline" does not answer. */
export const mockReachable = (r: Router) => !r.name.toLowerCase().includes('offline');

const OPEN: OutboxStatus[] = ['review', 'approved', 'applying', 'failed', 'interrupted'];
const DONE: OutboxStatus[] = ['applied', 'discarded'];
const PROBE_ERROR = 'connection timed out';

/** Every line of the proposed text, marked added unless the router's current lines have it. */
function diffOf(current: string, proposed: string): DiffLine[] {
  const had = new Set(current.split('\n'));
  return proposed
    .split('\n')
    .filter((l) => l !== '')
    .map((text) => ({ kind: had.has(text) ? ('same' as const) : ('added' as const), text }));
}

export function syncHandlers(deps: SyncDeps): Record<string, (a: Args) => unknown> {
  const items: OutboxItem[] = [];
  let nextId = 1;
  const probes = new Map<number, { reachable: boolean; failures: number; lastProbeAt: string; lastSeenAt: string | null }>();
  const now = () => new Date().toISOString();

  const routerById = (id: unknown) =>
    deps.routers().find((r) => r.id === Number(id)) ?? fail('notFound', `router ${String(id)} does not exist`);
  const sessionById = (id: unknown) =>
    deps.sessions().find((s) => s.id === Number(id)) ?? fail('notFound', `session ${String(id)} does not exist`);
  const routerOf = (s: Session) => routerById(s.routerId);
  function fail(kind: ApiError['kind'], message: string, field: string | null = null): never {
    throw new ApiError(kind, message, field);
  }

  // Items of a deleted session or router went with it, as in core.
  const live = () => {
    const sessionIds = new Set(deps.sessions().map((s) => s.id));
    const names = new Map(deps.routers().map((r) => [r.id, r.name]));
    return items.filter((i) => {
      const name = names.get(i.routerId);
      if (name === undefined || !sessionIds.has(i.sessionId)) return false;
      i.routerName = name;
      return true;
    });
  };
  const itemById = (id: unknown) =>
    live().find((i) => i.id === Number(id)) ?? fail('notFound', `outbox item ${String(id)} does not exist`);
  const openOf = (routerId: number) =>
    live()
      .filter((i) => i.routerId === routerId && OPEN.includes(i.status))
      .sort((x, y) => x.position - y.position);

  function reach(r: Router): RouterReachability {
    const p = probes.get(r.id);
    const approvedItems = live().filter((i) => i.routerId === r.id && i.status === 'approved').length;
    if (!p) {
      return {
        routerId: r.id, routerName: r.name, reachable: null, failures: 0, lastProbeAt: null,
        lastSeenAt: null, nextProbeAt: null, lastError: '', approvedItems,
      };
    }
    // Core's backoff: a minute while the router answers; 5 s after a failure, doubling to 5 min.
    const delay = p.reachable ? 60 : Math.min(300, 5 * 2 ** (p.failures - 1));
    return {
      routerId: r.id, routerName: r.name, reachable: p.reachable, failures: p.failures,
      lastProbeAt: p.lastProbeAt, lastSeenAt: p.lastSeenAt,
      nextProbeAt: new Date(Date.parse(p.lastProbeAt) + delay * 1000).toISOString(),
      lastError: p.reachable ? '' : `${r.mgmtAddress}:${r.sshPort}: ${PROBE_ERROR}`, approvedItems,
    };
  }

  /** Probes the router now; tells the UI when its reachability changed. */
  function probe(r: Router): RouterReachability {
    const before = probes.get(r.id);
    const reachable = mockReachable(r);
    const at = now();
    probes.set(r.id, {
      reachable,
      failures: reachable ? 0 : (before?.failures ?? 0) + 1,
      lastProbeAt: at,
      lastSeenAt: reachable ? at : (before?.lastSeenAt ?? null),
    });
    const after = reach(r);
    if (before?.reachable !== reachable) deps.emit('router-reachability', after);
    return after;
  }

  /** The approved count changed: the offline indicator follows the router-reachability events. */
  const announce = (routerId: number) => {
    const r = deps.routers().find((x) => x.id === routerId);
    if (r && probes.has(r.id)) deps.emit('router-reachability', reach(r));
  };

  const unreachableWhy = (r: Router) => `${r.mgmtAddress}:${r.sshPort} does not answer (${PROBE_ERROR})`;
  const queuedMessage = (r: Router, s: Session, op: ConfigOperation) =>
    `${r.name} cannot be reached (${unreachableWhy(r)}). ${op} of ${s.peerIp} is queued and will be applied when ${r.name} is reachable.`;

  function insert(r: Router, s: Session, op: ConfigOperation, overrides: ConfigOverrides, thenDelete: boolean): OutboxItem {
    const rendered = deps.render(s, op, overrides);
    const at = now();
    const item: OutboxItem = {
      id: nextId++, routerId: r.id, routerName: r.name, sessionId: s.id, peerIp: s.peerIp, asn: s.asn,
      networkName: s.networkName, operation: op, overrides: { ...overrides }, rendered, reviewedCurrent: null,
      diff: [], status: 'review', position: Math.max(0, ...openOf(r.id).map((i) => i.position)) + 1,
      approvedBy: null, approvedAt: null, createdAt: at, updatedAt: at, appliedAt: null, lastError: '', thenDelete,
    };
    items.push(item);
    return item;
  }

  const duplicate = (s: Session, op: ConfigOperation) =>
    live().find((i) => i.sessionId === s.id && i.operation === op && OPEN.includes(i.status));

  function approve(item: OutboxItem) {
    Object.assign(item, { status: 'approved', approvedBy: deps.coordinator(), approvedAt: now(), updatedAt: now(), lastError: '' });
  }

  function settle(item: OutboxItem, status: OutboxStatus, lastError = '') {
    const at = now();
    Object.assign(item, { status, lastError, updatedAt: at, ...(status === 'applied' ? { appliedAt: at } : {}) });
  }

  /** queue_change, and a change for a router that cannot be reached (approved: the user asked for it now). */
  function enqueue(s: Session, op: ConfigOperation, overrides: ConfigOverrides, approved: boolean, thenDelete: boolean) {
    const r = routerOf(s);
    if (duplicate(s, op)) fail('conflict', `${op} of ${s.peerIp} is already in the outbox: edit or discard that item`, 'operation');
    const item = insert(r, s, op, overrides, thenDelete);
    if (approved) approve(item);
    deps.record('outbox_item', item.id, 'create', `Queued ${op} ${s.peerIp} for ${r.name}${approved ? ' (approved: the router could not be reached)' : ''}`);
    announce(r.id);
    return item;
  }

  /** A change sent now: approved by the coordinator and applying before the push; a failed one of the same change is superseded. */
  function openDirect(r: Router, s: Session, op: ConfigOperation, overrides: ConfigOverrides, reviewedCurrent: string | undefined, thenDelete: boolean) {
    const old = duplicate(s, op);
    if (old && old.status !== 'failed') {
      fail('conflict', `${op} of ${s.peerIp} is already waiting in ${r.name}'s outbox: apply, edit or discard that item first`, 'operation');
    }
    const rendered = deps.render(s, op, overrides);
    if (old) settle(old, 'discarded', 'superseded by the same change sent again');
    const item = insert(r, s, op, overrides, thenDelete);
    if (reviewedCurrent !== undefined) Object.assign(item, { reviewedCurrent, diff: diffOf(reviewedCurrent, rendered) });
    approve(item);
    settle(item, 'applying');
    deps.record('outbox_item', item.id, 'create', `${op} ${s.peerIp} on ${r.name}: approved by ${item.approvedBy}, sent now`);
    return item;
  }

  /** What the push's error means for the item; true when it waits for the sync (router unreachable). */
  function settleFailure(item: OutboxItem, e: unknown): boolean {
    const kind = (e as { kind?: string }).kind;
    const message = (e as { message?: string }).message ?? String(e);
    if (kind === 'unreachable') {
      settle(item, 'approved', message);
      announce(item.routerId);
      return true;
    }
    const notSent = kind === 'authFailed' || kind === 'hostKeyUnknown' || kind === 'hostKeyMismatch';
    settle(item, notSent ? 'discarded' : 'failed', notSent ? `not sent: ${message}` : message);
    return false;
  }

  async function pushOrQueue(a: Args): Promise<PushOrQueued> {
    const s = sessionById(a!.sessionId);
    const r = routerOf(s);
    const op = a!.operation as ConfigOperation;
    const overrides = (a!.overrides ?? {}) as ConfigOverrides;
    if (!probe(r).reachable) {
      return { outcome: 'queued', item: enqueue(s, op, overrides, true, false), message: queuedMessage(r, s, op) };
    }
    const reviewed = typeof a!.reviewedCurrent === 'string' ? a!.reviewedCurrent : undefined;
    const item = openDirect(r, s, op, overrides, reviewed, false);
    try {
      const push = await deps.push({ sessionId: s.id, operation: op, overrides, waitSeconds: a!.waitSeconds as number | undefined });
      settle(item, 'applied');
      return { outcome: 'pushed', push, item };
    } catch (e) {
      if (settleFailure(item, e)) return { outcome: 'queued', item, message: queuedMessage(r, s, op) };
      throw e;
    }
  }

  async function deleteFromRouter(a: Args): Promise<DeleteOutcome> {
    const s = sessionById(a!.sessionId);
    const r = routerOf(s);
    const queued = (item: OutboxItem): DeleteOutcome => ({
      outcome: 'removalQueued',
      item,
      message: `${queuedMessage(r, s, 'remove')} The session stays until then, and is deleted once the router has dropped it.`,
    });
    if (!probe(r).reachable) return queued(enqueue(s, 'remove', {}, true, true));
    const item = openDirect(r, s, 'remove', {}, undefined, true);
    try {
      const push = await deps.push({ sessionId: s.id, operation: 'remove', overrides: {}, waitSeconds: a!.waitSeconds as number | undefined });
      settle(item, 'applied');
      deps.deleteSession(s);
      return { outcome: 'deleted', push };
    } catch (e) {
      if (settleFailure(item, e)) return queued(item);
      throw e;
    }
  }

  async function syncRouter(a: Args): Promise<SyncReport> {
    const r = routerById(a!.routerId);
    if (!probe(r).reachable) fail('unreachable', unreachableWhy(r));
    const neighbours = deps.sessions().filter((s) => s.routerId === r.id && s.configState === 'configured').length;
    const log = [`read ${neighbours} neighbours from ${r.name}`, 'drift: 0 on the router only, 0 missing on the router, 0 differing'];
    const results: ItemResult[] = [];
    // A session whose earlier item did not go through keeps its later items, as in core.
    const held = new Set<number>();
    for (const item of openOf(r.id).filter((i) => i.status === 'approved')) {
      const result = (outcome: ItemResult['outcome'], message: string) => {
        results.push({ itemId: item.id, sessionId: item.sessionId, peerIp: item.peerIp, operation: item.operation, outcome, message });
        if (outcome !== 'held') log.push(`${item.operation} ${item.peerIp}: ${message}`);
      };
      if (held.has(item.sessionId)) {
        result('held', 'an earlier item of this session did not go through');
        continue;
      }
      const s = sessionById(item.sessionId);
      const rendered = deps.render(s, item.operation, item.overrides);
      if (rendered !== item.rendered) {
        const why = 'the configuration renders differently now (template or session changed): review it again';
        Object.assign(item, { rendered, approvedBy: null, approvedAt: null });
        settle(item, 'review', why);
        held.add(s.id);
        result('returnedToReview', why);
        continue;
      }
      if (item.reviewedCurrent === null) Object.assign(item, { reviewedCurrent: '', diff: diffOf('', rendered) });
      settle(item, 'applying');
      try {
        const push = await deps.push({ sessionId: s.id, operation: item.operation, overrides: item.overrides });
        settle(item, 'applied');
        let message = push.message;
        if (item.thenDelete && item.operation === 'remove') {
          deps.deleteSession(s);
          message += '; the session is deleted, as asked';
        }
        result('applied', message);
      } catch (e) {
        settleFailure(item, e);
        held.add(s.id);
        result(item.status === 'approved' ? 'held' : 'failed', item.lastError);
      }
    }
    const count = (o: ItemResult['outcome']) => results.filter((x) => x.outcome === o).length;
    let message = `${r.name}: ${count('applied')} applied`;
    if (count('returnedToReview') > 0) message += `, ${count('returnedToReview')} back to review`;
    if (count('failed') > 0) message += `, ${count('failed')} refused`;
    const report: SyncReport = {
      routerId: r.id, routerName: r.name, neighbours,
      drift: { onRouterOnly: [], missingOnRouter: [], differing: [] },
      reconciled: [], items: results, message, log,
    };
    announce(r.id);
    deps.emit('sync-finished', report);
    return report;
  }

  return {
    router_reachability: () => deps.routers().map((r) => probe(r)),
    probe_router: (a) => probe(routerById(a!.routerId)),
    push_or_queue: (a) => pushOrQueue(a),
    delete_session_from_router: (a) => deleteFromRouter(a),
    queue_change: (a) =>
      enqueue(sessionById(a!.sessionId), a!.operation as ConfigOperation, (a!.overrides ?? {}) as ConfigOverrides, false, false),
    list_router_outbox: (a) => {
      const routerId = a?.routerId === undefined ? null : Number(a.routerId);
      return live()
        .filter((i) => OPEN.includes(i.status) && (routerId === null || i.routerId === routerId))
        .sort((x, y) => x.routerName.localeCompare(y.routerName) || x.routerId - y.routerId || x.position - y.position);
    },
    list_outbox_history: (a) => {
      const routerId = a?.routerId === undefined ? null : Number(a.routerId);
      const limit = Math.min(1000, a?.limit === undefined ? 50 : Number(a.limit));
      return live()
        .filter((i) => DONE.includes(i.status) && (routerId === null || i.routerId === routerId))
        .sort((x, y) => y.updatedAt.localeCompare(x.updatedAt) || y.id - x.id)
        .slice(0, limit);
    },
    approve_outbox_item: (a) => {
      const item = itemById(a!.id);
      if (item.status !== 'review' && item.status !== 'failed') {
        fail('conflict', `only an item in review or failed can be approved; this one is ${item.status}`, 'status');
      }
      approve(item);
      deps.record('outbox_item', item.id, 'update', `Approved ${item.operation} ${item.peerIp} for ${item.routerName}`);
      announce(item.routerId);
      return item;
    },
    discard_outbox_item: (a) => {
      const item = itemById(a!.id);
      if (!['review', 'approved', 'failed', 'interrupted'].includes(item.status)) {
        fail('conflict', `a ${item.status} item cannot be discarded`, 'status');
      }
      settle(item, 'discarded');
      deps.record('outbox_item', item.id, 'update', `Discarded ${item.operation} ${item.peerIp} for ${item.routerName}`);
      announce(item.routerId);
      return item;
    },
    reorder_outbox_item: (a) => {
      const item = itemById(a!.id);
      const order = openOf(item.routerId);
      const at = order.indexOf(item);
      if (at < 0) fail('conflict', `a ${item.status} item is no longer in the outbox`, 'status');
      order.splice(at, 1);
      order.splice(Math.max(0, Math.min(Number(a!.index), order.length)), 0, item);
      order.forEach((i, pos) => Object.assign(i, { position: pos + 1 }));
      return order;
    },
    edit_outbox_item: (a) => {
      const item = itemById(a!.id);
      if (!['review', 'approved', 'failed'].includes(item.status)) {
        fail('conflict', `a ${item.status} item cannot be edited`, 'status');
      }
      const overrides = (a!.overrides ?? {}) as ConfigOverrides;
      const rendered = deps.render(sessionById(item.sessionId), item.operation, overrides);
      Object.assign(item, { overrides: { ...overrides }, rendered, reviewedCurrent: null, diff: [], approvedBy: null, approvedAt: null });
      settle(item, 'review');
      deps.record('outbox_item', item.id, 'update', `Edited ${item.operation} ${item.peerIp} for ${item.routerName}`);
      announce(item.routerId);
      return item;
    },
    review_outbox: (a) => {
      const r = routerById(a!.routerId);
      const inReview = openOf(r.id).filter((i) => i.status === 'review');
      if (inReview.length > 0) {
        if (!probe(r).reachable) fail('unreachable', unreachableWhy(r));
        for (const item of inReview) Object.assign(item, { reviewedCurrent: '', diff: diffOf('', item.rendered), updatedAt: now() });
      }
      return openOf(r.id);
    },
    mark_session_removed: (a) => {
      const s = sessionById(a!.sessionId);
      if (s.configState === 'not_configured') fail('conflict', `${s.peerIp} is already not configured`, 'configState');
      Object.assign(s, { configState: 'not_configured', updatedAt: now() });
      deps.record('session', s.id, 'update', `Session with AS${s.asn} ${s.networkName} (${s.peerIp}) marked removed from ${s.routerName}: not on the router`);
      return s;
    },
    sync_router: (a) => syncRouter(a),
  };
}
