// What the app knows about reaching each router, for the Routers list and the
// header's offline indicator: loaded once from `router_reachability`, then
// kept current by the background task's `router-reachability` events (sent
// when a router's reachability changes). Core decides what is probed when.
import { onRouterReachability, type Unlisten } from '$lib/api/events';
import { probeRouter, routerReachability } from '$lib/api/sync';
import type { RouterReachability } from '$lib/bindings/RouterReachability';

export type ReachState = 'reachable' | 'unreachable' | 'unknown';

export function reachState(r: RouterReachability | undefined): ReachState {
  if (!r || r.reachable === null) return 'unknown';
  return r.reachable ? 'reachable' : 'unreachable';
}

class ReachabilityStore {
  byRouter = $state<Record<number, RouterReachability>>({});
  #started: Promise<void> | null = null;
  #unlisten: Unlisten | null = null;

  /** True when routers were probed and none of them answers (no router is reachable). */
  get offline(): boolean {
    const all = Object.values(this.byRouter);
    return all.length > 0 && all.some((r) => r.reachable === false) && !all.some((r) => r.reachable === true);
  }

  /** Loads the current state and follows the events; once, however many views ask. */
  start(): Promise<void> {
    this.#started ??= (async () => {
      this.#unlisten = await onRouterReachability((r) => this.put(r));
      await this.reload();
    })();
    return this.#started;
  }

  async reload(): Promise<void> {
    const next: Record<number, RouterReachability> = {};
    for (const r of await routerReachability()) next[r.routerId] = r;
    this.byRouter = next;
  }

  /** Probes one router now (Check reachability). */
  async probe(routerId: number): Promise<RouterReachability> {
    const r = await probeRouter(routerId);
    this.put(r);
    return r;
  }

  put(r: RouterReachability) {
    this.byRouter = { ...this.byRouter, [r.routerId]: r };
  }

  /** For tests: forget everything and stop following the events. */
  reset() {
    this.#unlisten?.();
    this.#unlisten = null;
    this.#started = null;
    this.byRouter = {};
  }
}

export const reachability = new ReachabilityStore();
