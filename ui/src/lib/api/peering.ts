// Typed calls for the peering commands: exchanges, peer groups, networks,
// sessions (whole lists and filtered, sorted pages), inventory counts, demo
// data and inventory/CSV files.
import type { ConfigureSelection } from '$lib/bindings/ConfigureSelection';
import type { ConfigureSessionsView } from '$lib/bindings/ConfigureSessionsView';
import type { Exchange } from '$lib/bindings/Exchange';
import type { ExchangeSummary } from '$lib/bindings/ExchangeSummary';
import type { InventoryCounts } from '$lib/bindings/InventoryCounts';
import type { Network } from '$lib/bindings/Network';
import type { NewExchange } from '$lib/bindings/NewExchange';
import type { NewPeerGroup } from '$lib/bindings/NewPeerGroup';
import type { NewSession } from '$lib/bindings/NewSession';
import type { PeerGroup } from '$lib/bindings/PeerGroup';
import type { RouterConfigPreview } from '$lib/bindings/RouterConfigPreview';
import type { Session } from '$lib/bindings/Session';
import type { SessionChanges } from '$lib/bindings/SessionChanges';
import type { SessionFilter } from '$lib/bindings/SessionFilter';
import type { SessionPage } from '$lib/bindings/SessionPage';
import type { SessionPageRequest } from '$lib/bindings/SessionPageRequest';
import { call } from './invoke';

/** Exchange summaries; the last entry, with `exchange: null`, is "No Exchange". */
export const listExchanges = () => call<ExchangeSummary[]>('list_exchanges');

export const addExchange = (exchange: NewExchange) =>
  call<Exchange>('add_exchange', { exchange });

export const updateExchange = (id: number, changes: NewExchange) =>
  call<Exchange>('update_exchange', { id, changes });

export const deleteExchange = (id: number) => call<null>('delete_exchange', { id });

export const listPeerGroups = () => call<PeerGroup[]>('list_peer_groups');

export const addPeerGroup = (group: NewPeerGroup) => call<PeerGroup>('add_peer_group', { group });

export const updatePeerGroup = (id: number, changes: NewPeerGroup) =>
  call<PeerGroup>('update_peer_group', { id, changes });

export const deletePeerGroup = (id: number) => call<null>('delete_peer_group', { id });

export const listNetworks = () => call<Network[]>('list_networks');

export const listSessions = (filter: SessionFilter) =>
  call<Session[]>('list_sessions', { filter });

/**
 * One window of the sessions matching `request.filter`, filtered and sorted in
 * core, with how many match in all (`limit` ≤ 2000; `limit: 0` only counts).
 */
export const listSessionsPage = (request: SessionPageRequest) =>
  call<SessionPage>('list_sessions_page', { request });

/** One session per address given (IPv4 and/or IPv6). */
export const addSession = (session: NewSession) => call<Session[]>('add_session', { session });

export const updateSession = (id: number, changes: SessionChanges) =>
  call<Session>('update_session', { id, changes });

export const deleteSession = (id: number) => call<null>('delete_session', { id });

export const inventoryCounts = () => call<InventoryCounts>('inventory_counts');

export const loadDemoData = () => call<InventoryCounts>('load_demo_data');

export const exportInventory = (path: string) => call<InventoryCounts>('export_inventory', { path });

/** Replaces the whole inventory with the file's content. */
export const importInventory = (path: string) => call<InventoryCounts>('import_inventory', { path });

/** Resolves with the number of rows written. */
export const exportSessionsCsv = (path: string, filter: SessionFilter) =>
  call<number>('export_sessions_csv', { path, filter });

/**
 * Configure Sessions: the peer's exchanges (with our routers), its sessions and
 * candidate sessions from PeeringDB, with default router, peer group and type.
 * `onlySession` limits the view to that one session (the session's wrench).
 */
export const configureSessionsCandidates = (asn: number, onlySession?: number) =>
  call<ConfigureSessionsView>(
    'configure_sessions_candidates',
    onlySession === undefined ? { asn } : { asn, onlySession },
  );

/** Creates the chosen candidates and applies changed choices (all or nothing); the session ids to configure. */
export const prepareConfigureSessions = (selection: ConfigureSelection) =>
  call<number[]>('prepare_configure_sessions', { selection });

/** The review of Configure Now: per router, its current lines, the text to send and the diff (one connection each). */
export const previewConfigureSessions = (sessionIds: number[]) =>
  call<RouterConfigPreview[]>('preview_configure_sessions', { sessionIds });
