// The dev-only mock backend's scheduler (see mock.ts): jobs kept in memory,
// schedule / edit time / cancel / run now, recurring settings, and a Configure
// Now that sends progress events and reports every session as waiting for the
// peer. Just enough to click through the Scheduler tab and Configure Sessions;
// the rules (claims, overdue, grace period) live in core.
import type { ConfigureReport } from '$lib/bindings/ConfigureReport';
import type { Job } from '$lib/bindings/Job';
import type { JobSettings } from '$lib/bindings/JobSettings';
import type { Session } from '$lib/bindings/Session';
import { ApiError } from './invoke';

type Args = Record<string, unknown> | undefined;

export function jobHandlers(
  emit: (channel: string, payload: unknown) => void,
  sessions: () => Session[],
): Record<string, (a: Args) => unknown> {
  const jobs: Job[] = [];
  let nextId = 1;
  let settings: JobSettings = {
    graceMinutes: 10,
    peeringdbSyncEnabled: true,
    peeringdbSyncEveryMinutes: 1440,
    refreshEnabled: true,
    refreshEveryMinutes: 15,
  };
  const now = () => new Date().toISOString();
  const find = (id: unknown) => {
    const job = jobs.find((j) => j.id === Number(id));
    if (!job) throw new ApiError('notFound', `job ${String(id)} does not exist`);
    return job;
  };
  const open = (job: Job) => {
    if (!['scheduled', 'overdue', 'interrupted'].includes(job.status))
      throw new ApiError('conflict', `the job is ${job.status}; it cannot be changed`);
  };
  const time = (text: unknown) => {
    const d = new Date(String(text));
    if (Number.isNaN(d.getTime())) throw new ApiError('invalid', 'a date and time like 2026-11-27T10:00:00Z', 'runAt');
    if (d.getTime() < Date.now() - 60_000) throw new ApiError('invalid', 'pick a time that is not in the past', 'runAt');
    return d.toISOString();
  };
  const changed = (job: Job) => emit('job-changed', job);

  function report(ids: number[]): ConfigureReport {
    const chosen = sessions().filter((s) => ids.includes(s.id));
    const byRouter = new Map<number, Session[]>();
    for (const s of chosen) byRouter.set(s.routerId, [...(byRouter.get(s.routerId) ?? []), s]);
    let done = 0;
    const routers = [...byRouter.entries()].map(([routerId, list], i) => {
      done += list.length;
      emit('configure-progress', {
        routerId, routerName: list[0].routerName, routersDone: i, routersTotal: byRouter.size,
        sessionsDone: done, sessionsTotal: chosen.length, message: `${list[0].routerName}: done`,
      });
      return {
        routerId, routerName: list[0].routerName, errorKind: null, error: null, log: ['mock: nothing was sent'],
        sessions: list.map((s) => ({
          sessionId: s.id, peerIp: s.peerIp, asn: s.asn, networkName: s.networkName,
          result: 'waitingForPeer' as const, bgpState: null, message: 'mock: configured; waiting for the peer',
        })),
      };
    });
    return {
      routers, configured: 0, waitingForPeer: chosen.length, failed: 0, queued: 0,
      message: `0 configured and Established, ${chosen.length} waiting for the peer`,
    };
  }

  function run(job: Job) {
    job.status = 'running';
    job.startedAt = now();
    changed(job);
    setTimeout(() => {
      const r = report(job.sessionIds);
      job.status = 'done';
      job.finishedAt = now();
      job.result = r.message;
      job.log = r.routers.flatMap((x) => x.log);
      changed(job);
      emit('job-finished', job);
    }, 1500);
  }

  return {
    list_jobs: (a) => {
      const active = jobs.filter((j) => ['scheduled', 'running', 'overdue', 'interrupted'].includes(j.status));
      const rest = a?.includeFinished ? jobs.filter((j) => !active.includes(j)).reverse() : [];
      return [...active.sort((x, y) => x.runAt.localeCompare(y.runAt)), ...rest];
    },
    schedule_configure_sessions: (a) => {
      const ids = (a!.sessionIds as number[]) ?? [];
      if (ids.length === 0) throw new ApiError('invalid', 'select at least one session', 'sessionIds');
      const routers = [...new Set(sessions().filter((s) => ids.includes(s.id)).map((s) => s.routerName))];
      const job: Job = {
        id: nextId++, kind: 'configureSessions',
        title: `Configure ${ids.length} session${ids.length === 1 ? '' : 's'} on ${routers.join(', ')}`,
        runAt: time(a!.runAt), status: 'scheduled', sessionIds: ids, routerIds: [], everyMinutes: null,
        createdAt: now(), startedAt: null, finishedAt: null, result: '', log: [],
      };
      jobs.push(job);
      return job;
    },
    reschedule_job: (a) => {
      const job = find(a!.id);
      open(job);
      job.runAt = time(a!.runAt);
      job.status = 'scheduled';
      return job;
    },
    cancel_job: (a) => {
      const job = find(a!.id);
      open(job);
      job.status = 'cancelled';
      job.finishedAt = now();
      return job;
    },
    run_job_now: (a) => {
      const job = find(a!.id);
      open(job);
      job.runAt = now();
      job.status = 'scheduled';
      setTimeout(() => run(job), 100);
      return job;
    },
    job_settings: () => settings,
    update_job_settings: (a) => {
      const c = a!.changes as JobSettings;
      if (!(c.graceMinutes >= 1 && c.graceMinutes <= 1440))
        throw new ApiError('invalid', 'a whole number of minutes from 1 to 1440', 'graceMinutes');
      settings = { ...c };
      return settings;
    },
    configure_sessions_now: (a) => report((a!.sessionIds as number[]) ?? []),
  };
}
