// Typed calls for the devices commands: routers and their exchange attachments,
// router host keys, session configuration (render, preview, push) and Update
// Session States. Argument names are the IPC contract's (docs/ipc-and-testids.md).
import type { ConfigOperation } from '$lib/bindings/ConfigOperation';
import type { ConfigOverrides } from '$lib/bindings/ConfigOverrides';
import type { DeleteOutcome } from '$lib/bindings/DeleteOutcome';
import type { HostKey } from '$lib/bindings/HostKey';
import type { ImportPreview } from '$lib/bindings/ImportPreview';
import type { ImportResult } from '$lib/bindings/ImportResult';
import type { NewRouter } from '$lib/bindings/NewRouter';
import type { PushPreview } from '$lib/bindings/PushPreview';
import type { RefreshSummary } from '$lib/bindings/RefreshSummary';
import type { RenderedConfig } from '$lib/bindings/RenderedConfig';
import type { Router } from '$lib/bindings/Router';
import type { RouterChanges } from '$lib/bindings/RouterChanges';
import { call } from './invoke';

export const listRouters = () => call<Router[]>('list_routers');

export const addRouter = (router: NewRouter) => call<Router>('add_router', { router });

export const updateRouter = (id: number, changes: RouterChanges) =>
  call<Router>('update_router', { id, changes });

export const deleteRouter = (id: number) => call<null>('delete_router', { id });

/** The host key the user trusted for this router, or null when none is trusted yet. */
export const routerHostKey = (routerId: number) => call<HostKey | null>('router_host_key', { routerId });

/** What the router presents now (a handshake, no login), for the user to compare. */
export const probeRouterHostKey = (routerId: number) => call<HostKey>('probe_router_host_key', { routerId });

/** Trusts the router's key; `fingerprint` is the one the user was shown (core checks it still matches). */
export const trustRouterHostKey = (routerId: number, fingerprint: string) =>
  call<HostKey>('trust_router_host_key', { routerId, fingerprint });

/** Core's rendering of one session's configuration (no connection; the MD5 as a placeholder). */
export const renderSessionConfig = (sessionId: number, operation: ConfigOperation, overrides: ConfigOverrides = {}) =>
  call<RenderedConfig>('render_session_config', { sessionId, operation, overrides });

/** Connects and reads the router's current lines for the neighbour, with what would be sent. */
export const previewPush = (sessionId: number, operation: ConfigOperation, overrides: ConfigOverrides = {}) =>
  call<PushPreview>('preview_push', { sessionId, operation, overrides });

/** Update Session States for one router (one connection). */
export const refreshSessionStates = (routerId: number) => call<RefreshSummary>('refresh_session_states', { routerId });

/** Update Session States for every router with sessions at the exchange. */
export const refreshExchangeStates = (exchangeId: number) =>
  call<RefreshSummary[]>('refresh_exchange_states', { exchangeId });

/** Data Import: the router's neighbours matched to exchanges and networks (Admin only; nothing changes). */
export const scanRouterSessions = (routerId: number) => call<ImportPreview>('scan_router_sessions', { routerId });

/** Data Import: imports the chosen neighbours by address (Admin only; the router is read again). */
export const importSessions = (routerId: number, peerIps: string[]) =>
  call<ImportResult>('import_sessions', { routerId, peerIps });

/**
 * Delete with "Also remove from the router": removed there (verified) first, then from Peerdesk;
 * when the router cannot be reached the removal is queued and the session kept.
 */
export const deleteSessionFromRouter = (sessionId: number, waitSeconds?: number) =>
  call<DeleteOutcome>(
    'delete_session_from_router',
    waitSeconds === undefined ? { sessionId } : { sessionId, waitSeconds },
  );
