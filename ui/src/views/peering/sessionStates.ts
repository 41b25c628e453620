// Update Session States, from the Routers list (one router, one connection) and
// the Exchanges list (every router with sessions at the exchange): asks core to
// read the BGP states, reports per-router counts as a toast, errors as toasts
// by kind, and signals the change so the lists reload.
import { refreshExchangeStates, refreshSessionStates } from '$lib/api/devices';
import type { Exchange } from '$lib/bindings/Exchange';
import type { RefreshSummary } from '$lib/bindings/RefreshSummary';
import type { Router } from '$lib/bindings/Router';
import { toasts } from '$lib/components/toasts.svelte';
import { asApiError } from '$lib/forms';
import { plural } from '$lib/format';
import { configDialogs } from './configDialogs.svelte';
import { routerErrorText } from './routerErrors';

/** One router's counts, e.g. "r1: 12 sessions read, 10 established, 1 not on the router". */
export function summaryLine(s: RefreshSummary): string {
  const parts = [`${plural(s.updated, 'session')} read`, `${s.established.toLocaleString('en-US')} established`];
  if (s.missing > 0) parts.push(`${s.missing.toLocaleString('en-US')} not on the router`);
  return `${s.routerName}: ${parts.join(', ')}`;
}

const running = new Set<string>();

async function once(key: string, label: string, work: () => Promise<void>): Promise<void> {
  if (running.has(key)) {
    toasts.info(`Already updating session states for ${label}…`);
    return;
  }
  running.add(key);
  const notice = toasts.info(`Updating session states for ${label}…`);
  try {
    await work();
  } finally {
    running.delete(key);
    toasts.dismiss(notice);
  }
}

/** Routers list → Update Session States. */
export function updateRouterStates(router: Pick<Router, 'id' | 'name'>): Promise<void> {
  return once(`router-${router.id}`, router.name, async () => {
    try {
      const summary = await refreshSessionStates(router.id);
      toasts.success(`Session states updated. ${summaryLine(summary)}.`);
      configDialogs.changed();
    } catch (e) {
      const error = asApiError(e);
      if (error.kind === 'hostKeyUnknown' || error.kind === 'hostKeyMismatch') {
        toasts.push('error', `${router.name}: ${routerErrorText(error, false)}`, {
          label: 'Host key…',
          run: () => configDialogs.openHostKey(router.id, router.name),
        });
      } else {
        toasts.error(`${router.name}: ${routerErrorText(error)}`);
      }
    }
  });
}

/** Exchanges list → Update Session States. */
export function updateExchangeStates(exchange: Pick<Exchange, 'id' | 'name'>): Promise<void> {
  return once(`exchange-${exchange.id}`, exchange.name, async () => {
    try {
      const summaries = await refreshExchangeStates(exchange.id);
      if (summaries.length === 0) {
        toasts.info(`No router has sessions at ${exchange.name}.`);
        return;
      }
      toasts.success(`Session states at ${exchange.name} updated. ${summaries.map(summaryLine).join('; ')}.`);
      configDialogs.changed();
    } catch (e) {
      toasts.error(`${exchange.name}: ${routerErrorText(asApiError(e))}`);
    }
  });
}
