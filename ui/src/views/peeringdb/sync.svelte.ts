// The PeeringDB sync as the UI sees it: whether one is running, its latest
// progress event, the mirror status core reports, and the toast for each way a
// sync can end. One instance per app (App.svelte provides it as context), so
// the sync panel on Settings and on Admin › Data show the same run.
import { getContext, setContext } from 'svelte';
import { onPeeringDbSync, type Unlisten } from '$lib/api/events';
import type { ApiError } from '$lib/api/invoke';
import { cancelPeeringdbSync, peeringdbStatus, syncPeeringdb } from '$lib/api/peeringdb';
import type { PeeringDbStatus } from '$lib/bindings/PeeringDbStatus';
import type { SyncProgress } from '$lib/bindings/SyncProgress';
import type { SyncSummary } from '$lib/bindings/SyncSummary';
import { toasts } from '$lib/components/toasts.svelte';
import { asApiError } from '$lib/forms';
import { plural } from '$lib/format';

/** What a person reads when a sync ends with this error; chosen by kind only. */
export function syncErrorText(error: ApiError): string {
  switch (error.kind) {
    case 'unreachable':
      return `PeeringDB could not be reached: check the API URL in Settings and the network. The previous mirror is kept. (${error.message})`;
    case 'authFailed':
      return `PeeringDB refused the API key: set a valid key in Settings, or remove it to sync anonymously. (${error.message})`;
    case 'rejected':
      return `PeeringDB rejected the sync; the previous mirror is kept. (${error.message})`;
    case 'cancelled':
      return 'PeeringDB sync cancelled; the previous mirror is kept.';
    case 'conflict':
      return 'A PeeringDB sync is already running.';
    default:
      return `PeeringDB sync failed: ${error.message}`;
  }
}

/** What a finished sync kept of what it received: "N updated" would hide
 * rows dropped as orphans. */
export function summaryText(s: SyncSummary): string {
  const sum = (f: (t: SyncSummary['types'][number]) => number) => s.types.reduce((n, t) => n + f(t), 0);
  const kept = sum((t) => t.kept);
  const received = sum((t) => t.received);
  const deleted = sum((t) => t.deleted);
  let text = `PeeringDB synced (${s.full ? 'full' : 'changes only'}): ${plural(kept, 'record')} kept of ${received} received, ${plural(deleted, 'record')} deleted`;
  if (s.orphansDropped > 0) text += `, ${plural(s.orphansDropped, 'record')} dropped (parent missing)`;
  if (s.warnings.length > 0) {
    return `${text}, with ${plural(s.warnings.length, 'warning')}: ${s.warnings.map((w) => w.message).join('; ')}`;
  }
  return `${text}.`;
}

export class PeeringDbSync {
  running = $state(false);
  cancelling = $state(false);
  /** The latest progress event of the running sync; null before the first. */
  progress = $state.raw<SyncProgress | null>(null);
  status = $state.raw<PeeringDbStatus | null>(null);
  statusError = $state<string | null>(null);

  /** Reads the mirror status (last sync, counts, last run) from core. */
  async refresh(): Promise<void> {
    try {
      this.status = await peeringdbStatus();
      this.statusError = null;
    } catch (e) {
      this.statusError = asApiError(e).message;
    }
  }

  /** Runs one sync; a second call while one runs does nothing. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.cancelling = false;
    this.progress = null;
    let unlisten: Unlisten | null = null;
    try {
      // Subscribed before the command starts, so the first events are not missed.
      unlisten = await onPeeringDbSync((p) => {
        if (this.running) this.progress = p;
      });
      const summary = await syncPeeringdb();
      // A sync with warnings went through but needs a look: not a success toast.
      if (summary.warnings.length > 0) toasts.error(summaryText(summary));
      else toasts.success(summaryText(summary));
    } catch (e) {
      const error = asApiError(e);
      if (error.kind === 'cancelled') toasts.info(syncErrorText(error));
      else toasts.error(syncErrorText(error));
    } finally {
      unlisten?.();
      this.running = false;
      this.cancelling = false;
      this.progress = null;
      await this.refresh();
    }
  }

  /** Asks core to stop the running sync; it ends with kind `cancelled`. */
  async cancel(): Promise<void> {
    if (!this.running || this.cancelling) return;
    this.cancelling = true;
    try {
      await cancelPeeringdbSync();
    } catch (e) {
      this.cancelling = false;
      toasts.error(asApiError(e).message);
    }
  }
}

const KEY = Symbol('peeringdb-sync');

/** Creates the app's sync state and makes it available to the views below. */
export function providePeeringDbSync(): PeeringDbSync {
  return setContext(KEY, new PeeringDbSync());
}

/** The app's sync state (during component initialisation only). */
export function usePeeringDbSync(): PeeringDbSync {
  const sync = getContext<PeeringDbSync | undefined>(KEY);
  if (!sync) throw new Error('PeeringDB sync state missing: App.svelte provides it');
  return sync;
}
