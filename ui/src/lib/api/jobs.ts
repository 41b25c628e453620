// Typed calls for the jobs commands: the Scheduler tab (jobs, edit time,
// cancel, run now, recurring settings) and Configure Now / Schedule from the
// Configure Sessions modal. Job changes and configuration progress arrive as
// events, see events.ts.
import type { ConfigureReport } from '$lib/bindings/ConfigureReport';
import type { Job } from '$lib/bindings/Job';
import type { JobSettings } from '$lib/bindings/JobSettings';
import { call } from './invoke';

/** Jobs ahead or waiting for a decision (soonest first); with `includeFinished`, then the history (newest first). */
export const listJobs = (includeFinished: boolean) => call<Job[]>('list_jobs', { includeFinished });

/** Schedules the configuration of the sessions at `runAt` (RFC 3339, e.g. `new Date(...).toISOString()`). */
export const scheduleConfigureSessions = (sessionIds: number[], runAt: string) =>
  call<Job>('schedule_configure_sessions', { sessionIds, runAt });

/** Edit time: the job (scheduled, overdue or interrupted) runs at `runAt`. */
export const rescheduleJob = (id: number, runAt: string) => call<Job>('reschedule_job', { id, runAt });

export const cancelJob = (id: number) => call<Job>('cancel_job', { id });

/** The job becomes due now; the scheduler runs it and `job-changed` / `job-finished` follow. */
export const runJobNow = (id: number) => call<Job>('run_job_now', { id });

export const jobSettings = () => call<JobSettings>('job_settings');

export const updateJobSettings = (changes: JobSettings) => call<JobSettings>('update_job_settings', { changes });

/** Pushes the sessions now, per router; progress on `configure-progress` (see `onConfigureProgress`). */
export const configureSessionsNow = (sessionIds: number[], waitSeconds?: number) =>
  call<ConfigureReport>(
    'configure_sessions_now',
    waitSeconds === undefined ? { sessionIds } : { sessionIds, waitSeconds },
  );
