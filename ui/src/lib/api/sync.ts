// Typed calls for the sync commands: the per-router outbox (queue, review,
// approve, edit, reorder, discard), reachability and sync with drift. The
// background task's reachability changes and sync results arrive as events,
// see events.ts.
import type { ConfigOperation } from '$lib/bindings/ConfigOperation';
import type { OutboxItem } from '$lib/bindings/OutboxItem';
import type { ConfigOverrides } from '$lib/bindings/ConfigOverrides';
import type { PushOrQueued } from '$lib/bindings/PushOrQueued';
import type { Session } from '$lib/bindings/Session';
import type { RouterReachability } from '$lib/bindings/RouterReachability';
import type { SyncReport } from '$lib/bindings/SyncReport';
import { call } from './invoke';

/** Queues a change for the session's router; rendered now, no router contacted. The item waits in review. */
export const queueChange = (sessionId: number, operation: ConfigOperation, overrides: ConfigOverrides = {}) =>
  call<OutboxItem>('queue_change', { sessionId, operation, overrides });

/**
 * Sends the change now through the outbox: an item approved by the coordinator (Settings) and
 * applied when the router answers; when it cannot be reached, the item waits approved for the
 * background sync ("queued"). `reviewedCurrent` is the router's lines the user reviewed (the
 * preview), kept with the item's diff. Waits up to `waitSeconds` (default 60) for the session.
 */
export const pushOrQueue = (
  sessionId: number,
  operation: ConfigOperation,
  overrides: ConfigOverrides = {},
  waitSeconds?: number,
  reviewedCurrent?: string,
) =>
  call<PushOrQueued>('push_or_queue', {
    sessionId,
    operation,
    overrides,
    waitSeconds,
    ...(reviewedCurrent === undefined ? {} : { reviewedCurrent }),
  });

/** Applied and discarded items, newest first (at most `limit`, default 50); of one router when given. */
export const listOutboxHistory = (routerId?: number, limit?: number) =>
  call<OutboxItem[]>('list_outbox_history', {
    ...(routerId === undefined ? {} : { routerId }),
    ...(limit === undefined ? {} : { limit }),
  });

/** Items still needing something (review, approved, applying, failed, interrupted); of one router when given. */
export const listRouterOutbox = (routerId?: number) =>
  call<OutboxItem[]>('list_router_outbox', routerId === undefined ? {} : { routerId });

/** Approves an item in review (or a failed one); the coordinator from Settings is recorded. */
export const approveOutboxItem = (id: number) => call<OutboxItem>('approve_outbox_item', { id });

/** Moves an item to `index` (0 = first) among its router's open items; returns that router's items. */
export const reorderOutboxItem = (id: number, index: number) =>
  call<OutboxItem[]>('reorder_outbox_item', { id, index });

export const discardOutboxItem = (id: number) => call<OutboxItem>('discard_outbox_item', { id });

/** Renders the item again with new overrides; it goes back to review. */
export const editOutboxItem = (id: number, overrides: ConfigOverrides) =>
  call<OutboxItem>('edit_outbox_item', { id, overrides });

/** Reads the router's lines for its items in review (one connection) and stores them with the diff. */
export const reviewOutbox = (routerId: number) => call<OutboxItem[]>('review_outbox', { routerId });

/** Reachable / unreachable / last seen for every router. */
export const routerReachability = () => call<RouterReachability[]>('router_reachability');

/** Probes one router now (TCP connect to its SSH port). */
export const probeRouter = (routerId: number) => call<RouterReachability>('probe_router', { routerId });

/** Drift "missing on the router" → Mark removed: the session becomes not configured (audited); no router contacted. */
export const markSessionRemoved = (sessionId: number) => call<Session>('mark_session_removed', { sessionId });

/** Pull, drift (reported only), then the approved items in order. */
export const syncRouter = (routerId: number) => call<SyncReport>('sync_router', { routerId });
