// The one place the UI subscribes to events core sends through the shell
// (`listen`), one typed function per channel. With the dev-only mock backend
// the events come from mock.ts instead.
import { listen } from '@tauri-apps/api/event';
import type { SyncProgress } from '$lib/bindings/SyncProgress';

/** Stops the subscription. */
export type Unlisten = () => void;

function fromShell<T>(channel: string, handler: (payload: T) => void): Promise<Unlisten> {
  return listen<T>(channel, (event) => handler(event.payload));
}

async function fromMock<T>(channel: string, handler: (payload: T) => void): Promise<Unlisten> {
  return (await import('./mock')).mockListen(channel, (payload) => handler(payload as T));
}

const subscribe = import.meta.env.VITE_PEERDESK_MOCK === '1' ? fromMock : fromShell;

/** Progress of a PeeringDB sync (`peeringdb-sync`); resolves once subscribed. */
export const onPeeringDbSync = (handler: (progress: SyncProgress) => void) =>
  subscribe<SyncProgress>('peeringdb-sync', handler);

/** The background retry sent queued email (`outbox-drained`, with how many went out). */
export const onOutboxDrained = (handler: (sent: number) => void) => subscribe<number>('outbox-drained', handler);
