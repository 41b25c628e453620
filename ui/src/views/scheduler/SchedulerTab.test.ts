// The Scheduler tab against a mocked jobs api: it lists what core reports
// (active jobs and history, status, result and log), sends edit time / run now /
// cancel to core with the job's id, reloads when core says a job changed, and
// saves the recurring settings, showing core's field errors inline.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { Job } from '$lib/bindings/Job';
import type { JobSettings } from '$lib/bindings/JobSettings';

const api = vi.hoisted(() => ({
  listJobs: vi.fn(),
  rescheduleJob: vi.fn(),
  cancelJob: vi.fn(),
  runJobNow: vi.fn(),
  jobSettings: vi.fn(),
  updateJobSettings: vi.fn(),
  scheduleConfigureSessions: vi.fn(),
  configureSessionsNow: vi.fn(),
}));
const events = vi.hoisted(() => ({ changed: [] as ((j: unknown) => void)[] }));
vi.mock('$lib/api/jobs', () => api);
vi.mock('$lib/api/events', () => ({
  onJobChanged: async (handler: (j: unknown) => void) => {
    events.changed.push(handler);
    return () => {
      events.changed = events.changed.filter((h) => h !== handler);
    };
  },
}));

import SchedulerTab from './SchedulerTab.svelte';
import { fromLocalInput, toLocalInput } from './jobWords';

const job = (over: Partial<Job>): Job => ({
  id: 1,
  kind: 'configureSessions',
  title: 'Configure 2 sessions on edge1',
  runAt: '2026-11-27T10:00:00.000Z',
  status: 'scheduled',
  sessionIds: [11, 12],
  routerIds: [],
  everyMinutes: null,
  createdAt: '2026-11-27T09:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  result: '',
  log: [],
  ...over,
});

const SETTINGS: JobSettings = {
  graceMinutes: 10,
  peeringdbSyncEnabled: true,
  peeringdbSyncEveryMinutes: 1440,
  refreshEnabled: true,
  refreshEveryMinutes: 15,
};

beforeEach(() => {
  vi.clearAllMocks();
  events.changed = [];
  api.jobSettings.mockResolvedValue(SETTINGS);
});

describe('SchedulerTab', () => {
  it('lists active jobs with their status and the history with result and log', async () => {
    api.listJobs.mockResolvedValue([
      job({ id: 1 }),
      job({ id: 2, status: 'overdue', title: 'Configure 1 session on edge2' }),
      job({
        id: 3,
        status: 'failed',
        finishedAt: '2026-11-27T08:00:00.000Z',
        result: '0 configured and Established, 2 failed',
        log: ['edge1: the router could not be reached', 'edge1: AS64500 192.0.2.10 failed'],
      }),
    ]);
    render(SchedulerTab);
    expect((await screen.findByTestId('job-row-1')).getAttribute('data-status')).toBe('scheduled');
    expect(api.listJobs).toHaveBeenCalledWith(true);
    const active = screen.getByTestId('jobs-active');
    expect(within(active).getByTestId('job-row-2').getAttribute('data-status')).toBe('overdue');
    expect(within(active).getByTestId('job-status-2').textContent).toContain('Overdue');
    expect(within(active).queryByTestId('job-row-3')).toBeNull();
    const history = screen.getByTestId('jobs-history');
    expect(within(history).getByTestId('job-result-3').textContent).toContain('2 failed');
    expect(screen.queryByTestId('job-log-3')).toBeNull();
    await userEvent.click(screen.getByTestId('job-log-toggle-3'));
    expect(screen.getByTestId('job-log-3').textContent).toContain('the router could not be reached');
    expect(screen.queryByTestId('job-run-now-3')).toBeNull();
  });

  it('says nothing is scheduled when core lists no active job', async () => {
    api.listJobs.mockResolvedValue([]);
    render(SchedulerTab);
    expect(await screen.findByTestId('jobs-empty')).not.toBeNull();
  });

  it('sends run now and cancel for the job and reloads the list', async () => {
    api.listJobs.mockResolvedValue([job({ id: 7 })]);
    api.runJobNow.mockResolvedValue(job({ id: 7 }));
    api.cancelJob.mockResolvedValue(job({ id: 7, status: 'cancelled' }));
    render(SchedulerTab);
    await userEvent.click(await screen.findByTestId('job-run-now-7'));
    expect(api.runJobNow).toHaveBeenCalledWith(7);
    api.listJobs.mockResolvedValue([job({ id: 7, status: 'cancelled' })]);
    await userEvent.click(screen.getByTestId('job-cancel-7'));
    expect(api.cancelJob).toHaveBeenCalledWith(7);
    await waitFor(() => expect(screen.getByTestId('job-row-7').getAttribute('data-status')).toBe('cancelled'));
    expect(screen.getByTestId('jobs-history').contains(screen.getByTestId('job-row-7'))).toBe(true);
  });

  it('edits the time in local time and sends it to core as UTC', async () => {
    api.listJobs.mockResolvedValue([job({ id: 4 })]);
    api.rescheduleJob.mockResolvedValue(job({ id: 4 }));
    render(SchedulerTab);
    await userEvent.click(await screen.findByTestId('job-edit-time-4'));
    const input = screen.getByTestId('job-time-input') as HTMLInputElement;
    expect(input.value).toBe(toLocalInput('2026-11-27T10:00:00.000Z'));
    await userEvent.clear(input);
    await userEvent.type(input, '2026-11-28T07:30');
    await userEvent.click(screen.getByTestId('job-time-save'));
    expect(api.rescheduleJob).toHaveBeenCalledWith(4, fromLocalInput('2026-11-28T07:30'));
    await waitFor(() => expect(screen.queryByTestId('job-time-input')).toBeNull());
  });

  it('shows core refusing the new time next to the field', async () => {
    api.listJobs.mockResolvedValue([job({ id: 4 })]);
    api.rescheduleJob.mockRejectedValue(new ApiError('invalid', 'pick a time that is not in the past', 'runAt'));
    render(SchedulerTab);
    await userEvent.click(await screen.findByTestId('job-edit-time-4'));
    await userEvent.click(screen.getByTestId('job-time-save'));
    expect((await screen.findByTestId('error-runAt')).textContent).toContain('not in the past');
    expect(screen.getByTestId('job-time-input')).not.toBeNull();
  });

  it('reloads when core reports a job change', async () => {
    api.listJobs.mockResolvedValue([job({ id: 5 })]);
    render(SchedulerTab);
    await screen.findByTestId('job-row-5');
    await waitFor(() => expect(events.changed.length).toBe(1));
    api.listJobs.mockResolvedValue([job({ id: 5, status: 'done', result: '2 configured and Established' })]);
    events.changed[0](job({ id: 5, status: 'done' }));
    await waitFor(() => expect(screen.getByTestId('job-row-5').getAttribute('data-status')).toBe('done'));
    expect(screen.getByTestId('job-result-5').textContent).toContain('2 configured');
  });

  it('saves the recurring settings in core units and shows field errors inline', async () => {
    api.listJobs.mockResolvedValue([]);
    api.updateJobSettings.mockRejectedValueOnce(new ApiError('invalid', 'from 1 minute to 1 day', 'refreshEveryMinutes'));
    render(SchedulerTab);
    const hours = await screen.findByTestId('jobs-pdb-every');
    await waitFor(() => expect((hours as HTMLInputElement).value).toBe('24'));
    await userEvent.clear(hours);
    await userEvent.type(hours, '12');
    await userEvent.click(screen.getByTestId('jobs-refresh-enabled'));
    await userEvent.click(screen.getByTestId('jobs-settings-save'));
    expect(api.updateJobSettings).toHaveBeenCalledWith({
      graceMinutes: 10,
      peeringdbSyncEnabled: true,
      peeringdbSyncEveryMinutes: 720,
      refreshEnabled: false,
      refreshEveryMinutes: 15,
    });
    expect((await screen.findByTestId('error-refreshEveryMinutes')).textContent).toContain('1 day');
    api.updateJobSettings.mockResolvedValueOnce({ ...SETTINGS, peeringdbSyncEveryMinutes: 720, refreshEnabled: false });
    await userEvent.click(screen.getByTestId('jobs-settings-save'));
    await waitFor(() => expect(screen.queryByTestId('error-refreshEveryMinutes')).toBeNull());
  });
});
