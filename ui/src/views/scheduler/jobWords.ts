// Words and colours for jobs, and the conversions between core's RFC 3339
// times and the `datetime-local` input (which works in the user's local time).
import type { JobStatus } from '$lib/bindings/JobStatus';
import type { Tone } from '$lib/format';

const STATUS: Record<JobStatus, { label: string; tone: Tone }> = {
  scheduled: { label: 'Scheduled', tone: 'info' },
  running: { label: 'Running', tone: 'info' },
  done: { label: 'Done', tone: 'good' },
  failed: { label: 'Failed', tone: 'bad' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  overdue: { label: 'Overdue', tone: 'warn' },
  interrupted: { label: 'Interrupted', tone: 'warn' },
};

export const jobStatusLabel = (s: JobStatus) => STATUS[s].label;
export const jobStatusTone = (s: JobStatus) => STATUS[s].tone;

/** Statuses from which the user may edit the time, run now or cancel (core decides; this only hides buttons). */
export const jobIsOpen = (s: JobStatus) => s === 'scheduled' || s === 'overdue' || s === 'interrupted';

/** Core's time as the value of a `datetime-local` input, in local time ("2026-11-27T10:00"). */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (local time) as RFC 3339 for core; null when it is not a time. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** An interval in minutes in words ("daily", "every 15 min"). */
export function everyLabel(minutes: number | null): string {
  if (minutes === null) return '';
  if (minutes % 1440 === 0) return minutes === 1440 ? 'daily' : `every ${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? 'hourly' : `every ${minutes / 60} hours`;
  return `every ${minutes} min`;
}
