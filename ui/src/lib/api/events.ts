// The one place the UI subscribes to events core sends through the shell
// (`listen`), one typed function per channel. With the dev-only mock backend
// the events come from mock.ts instead.
import { listen } from '@tauri-apps/api/event';
import type { ConfigureProgress } from '$lib/bindings/ConfigureProgress';
import type { Job } from '$lib/bindings/Job';
import type { RouterReachability } from '$lib/bindings/RouterReachability';
import type { SyncReport } from '$lib/bindings/SyncReport';
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

/** A job was claimed, finished, marked overdue or interrupted (`job-changed`, the job as it is now). */
export const onJobChanged = (handler: (job: Job) => void) => subscribe<Job>('job-changed', handler);

/** A job ended, done or failed (`job-finished`). */
export const onJobFinished = (handler: (job: Job) => void) => subscribe<Job>('job-finished', handler);

/** Progress of Configure Now or a configuration job (`configure-progress`). */
export const onConfigureProgress = (handler: (progress: ConfigureProgress) => void) =>
  subscribe<ConfigureProgress>('configure-progress', handler);

/** A router's reachability changed (`router-reachability`, as it is now). */
export const onRouterReachability = (handler: (r: RouterReachability) => void) =>
  subscribe<RouterReachability>('router-reachability', handler);

/** The background task synced a router (`sync-finished`). */
export const onSyncFinished = (handler: (report: SyncReport) => void) => subscribe<SyncReport>('sync-finished', handler);

/** A background sync could not run (`sync-failed`: routerId, kind, message). */
export const onSyncFailed = (handler: (failure: { routerId: number | null; kind: string; message: string }) => void) =>
  subscribe<{ routerId: number | null; kind: string; message: string }>('sync-failed', handler);
