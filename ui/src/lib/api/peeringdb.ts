// Typed calls for the peeringdb commands: the local PeeringDB mirror (sync,
// cancel, status, API key) and the offline lookups it powers (networks,
// exchanges, a peer's addresses, common exchanges, available peers, hidden
// peers, max-prefix suggestions, contacts). Progress of a sync arrives as
// events, see events.ts.
import type { AvailablePeer } from '$lib/bindings/AvailablePeer';
import type { CommonExchange } from '$lib/bindings/CommonExchange';
import type { MaxPrefixSuggestion } from '$lib/bindings/MaxPrefixSuggestion';
import type { NewExchange } from '$lib/bindings/NewExchange';
import type { PdbContact } from '$lib/bindings/PdbContact';
import type { PdbExchange } from '$lib/bindings/PdbExchange';
import type { PdbNetwork } from '$lib/bindings/PdbNetwork';
import type { PdbNetworkDetail } from '$lib/bindings/PdbNetworkDetail';
import type { PdbPresence } from '$lib/bindings/PdbPresence';
import type { PeeringDbStatus } from '$lib/bindings/PeeringDbStatus';
import type { SyncSummary } from '$lib/bindings/SyncSummary';
import { call } from './invoke';

/** Runs a whole sync; resolves when it is done (progress: `onPeeringDbSync`). */
export const syncPeeringdb = () => call<SyncSummary>('sync_peeringdb');

/** False when no sync was running. */
export const cancelPeeringdbSync = () => call<boolean>('cancel_peeringdb_sync');

export const peeringdbStatus = () => call<PeeringDbStatus>('peeringdb_status');

/** Stores the key in the keyring; an empty key removes it. */
export const setPeeringdbApiKey = (key: string) => call<null>('set_peeringdb_api_key', { key });

/** Networks by ASN (`64500`, `AS64500`) or by name. */
export const searchPdbNetworks = (query: string, limit: number) =>
  call<PdbNetwork[]>('search_pdb_networks', { query, limit });

/** Rejects with kind notFound when the network is not in the mirror. */
export const pdbNetwork = (asn: number) => call<PdbNetworkDetail>('pdb_network', { asn });

/** The peer's ports at one of our exchanges (empty without a PeeringDB link). */
export const peerAddresses = (asn: number, exchangeId: number) =>
  call<PdbPresence[]>('peer_addresses', { asn, exchangeId });

export const searchPdbExchanges = (query: string, limit: number) =>
  call<PdbExchange[]>('search_pdb_exchanges', { query, limit });

/** The Add Exchange form, filled from a PeeringDB exchange. */
export const exchangeFromPdb = (ixId: number) => call<NewExchange>('exchange_from_pdb', { ixId });

export const commonExchanges = (asn: number) => call<CommonExchange[]>('common_exchanges', { asn });

export const availablePeers = (exchangeId: number) =>
  call<AvailablePeer[]>('available_peers', { exchangeId });

export const hidePeer = (exchangeId: number, asn: number, hidden: boolean) =>
  call<null>('hide_peer', { exchangeId, asn, hidden });

export const suggestMaxPrefix = (asn: number) => call<MaxPrefixSuggestion>('suggest_max_prefix', { asn });

/** Contacts in the order core ranks them; `exchangeId` adds the exchange's policy address. */
export const contactsFor = (asn: number, exchangeId?: number) =>
  call<PdbContact[]>('contacts_for', exchangeId === undefined ? { asn } : { asn, exchangeId });
