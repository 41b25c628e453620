// The inventory the Peering tab shows (exchange summaries, routers, peer groups,
// counts), loaded from core and reloaded after every change. One instance per
// Peering tab, handed to its views; sessions are loaded by the Sessions view.
import * as devices from '$lib/api/devices';
import * as peering from '$lib/api/peering';
import type { Exchange } from '$lib/bindings/Exchange';
import type { ExchangeSummary } from '$lib/bindings/ExchangeSummary';
import type { InventoryCounts } from '$lib/bindings/InventoryCounts';
import type { PeerGroup } from '$lib/bindings/PeerGroup';
import type { Router } from '$lib/bindings/Router';

export class PeeringData {
  summaries = $state.raw<ExchangeSummary[]>([]);
  routers = $state.raw<Router[]>([]);
  peerGroups = $state.raw<PeerGroup[]>([]);
  counts = $state.raw<InventoryCounts | null>(null);
  loaded = $state(false);
  loadError = $state<string | null>(null);

  /** The real exchanges, without the "No Exchange" summary. */
  exchanges: Exchange[] = $derived(
    this.summaries.flatMap((s) => (s.exchange ? [s.exchange] : [])),
  );

  /** True when core reports no inventory at all (first start). */
  isEmpty: boolean = $derived(
    this.counts !== null &&
      this.counts.exchanges === 0 &&
      this.counts.routers === 0 &&
      this.counts.peerGroups === 0 &&
      this.counts.networks === 0 &&
      this.counts.sessions === 0,
  );

  async reload(): Promise<void> {
    try {
      const [summaries, routers, peerGroups, counts] = await Promise.all([
        peering.listExchanges(),
        devices.listRouters(),
        peering.listPeerGroups(),
        peering.inventoryCounts(),
      ]);
      this.summaries = summaries;
      this.routers = routers;
      this.peerGroups = peerGroups;
      this.counts = counts;
      this.loadError = null;
    } catch (e) {
      this.loadError = e instanceof Error ? e.message : String(e);
    } finally {
      this.loaded = true;
    }
  }
}
