//! The scheduler through core's public API: when jobs run, edit time, cancel,
//! overdue after a restart, interruption by a crash, exclusive claims and
//! recurring jobs. Time is a manual clock; the scheduler task runs on tokio's
//! paused clock. Configure Now against routers that cannot be reached.

mod common;

use chrono::Duration as Minutes;
use common::*;
use peerdesk_core::clock::{stamp, Clock, ManualClock};
use peerdesk_core::devices::Platform;
use peerdesk_core::error::ErrorKind;
use peerdesk_core::events::{CollectedEvents, NoEvents};
use peerdesk_core::jobs::*;
use peerdesk_core::peering::{ConfigState, Exchange};
use peerdesk_core::secrets::MemorySecretStore;
use peerdesk_core::sync::OutboxStatus;
use peerdesk_core::templating::config::ConfigOperation;
use peerdesk_core::values::AddressFamily;
use peerdesk_core::Peerdesk;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Counts the jobs it is asked to run and reports each as done.
#[derive(Default)]
struct Counting(Mutex<Vec<i64>>);

impl Counting {
    fn ran(&self) -> Vec<i64> {
        self.0.lock().unwrap().clone()
    }
}

impl JobRunner for Counting {
    fn run(
        &self,
        _core: &Peerdesk,
        job: &Job,
        _events: &dyn peerdesk_core::events::EventSink,
    ) -> peerdesk_core::Result<JobOutcome> {
        self.0.lock().unwrap().push(job.id);
        Ok(JobOutcome {
            ok: true,
            message: format!("ran {}", job.title),
            log: vec!["step one".into()],
        })
    }
}

fn at(clock: &ManualClock, minutes: i64) -> String {
    stamp(clock.now() + Minutes::minutes(minutes))
}

/// A router on an exchange whose SSH address is a closed port on loopback
/// (connections are refused at once), with its two peer groups.
fn unreachable_router(core: &Peerdesk, ix: &Exchange, name: &str, v4: &str, v6: &str) -> World {
    unreachable_router_on(core, ix, name, Platform::Frr, v4, v6)
}

fn unreachable_router_on(
    core: &Peerdesk,
    ix: &Exchange,
    name: &str,
    platform: Platform,
    v4: &str,
    v6: &str,
) -> World {
    let mut r = new_router(name, vec![attach(ix, v4, v6)]);
    r.platform = platform;
    r.mgmt_address = "127.0.0.1".into();
    r.ssh_port = 1;
    r.password = Some("lab-password".into());
    let router = core.add_router(&r).unwrap();
    World {
        ix: ix.clone(),
        pg4: peer_group(core, &router, "IX-V4", AddressFamily::Ipv4),
        pg6: peer_group(core, &router, "IX-V6", AddressFamily::Ipv6),
        router,
    }
}

/// Two sessions on one unreachable router, for jobs to point at.
fn two_sessions(f: &Fixture) -> Vec<i64> {
    let ix = exchange(&f.core, "Example IX", "192.0.2.0/24", "2001:db8:1::/64");
    let w = unreachable_router(&f.core, &ix, "edge1", "192.0.2.1", "2001:db8:1::1");
    f.core
        .add_session(&new_session(
            &w,
            "64500",
            Some("192.0.2.10"),
            Some("2001:db8:1::10"),
        ))
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

fn configure_jobs(core: &Peerdesk) -> Vec<Job> {
    core.list_jobs(true)
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == JobKind::ConfigureSessions)
        .collect()
}

#[test]
fn a_job_scheduled_in_an_hour_does_nothing_at_59_minutes_and_runs_at_the_hour() {
    let f = core();
    let ids = two_sessions(&f);
    let job = f
        .core
        .schedule_configure_sessions(&ids, &at(&f.clock, 60))
        .unwrap();
    assert_eq!(job.status, JobStatus::Scheduled);
    assert_eq!(job.session_ids, ids);
    assert_eq!(job.title, "Configure 2 sessions on edge1");
    let runner = Counting::default();

    f.clock.advance(Minutes::minutes(59));
    assert_eq!(f.core.run_due_jobs(&runner, &NoEvents).unwrap(), 0);
    assert!(runner.ran().is_empty(), "not due before its time");

    f.clock.advance(Minutes::minutes(1));
    assert_eq!(f.core.run_due_jobs(&runner, &NoEvents).unwrap(), 1);
    assert_eq!(runner.ran(), vec![job.id]);
    let done = f.core.get_job(job.id).unwrap();
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(done.result, "ran Configure 2 sessions on edge1");
    assert_eq!(done.log, vec!["step one".to_string()]);
    assert_eq!(done.finished_at.as_deref(), Some(at(&f.clock, 0).as_str()));

    f.clock.advance(Minutes::minutes(60));
    assert_eq!(
        f.core.run_due_jobs(&runner, &NoEvents).unwrap(),
        0,
        "a finished job does not run twice"
    );
}

#[test]
fn edit_time_moves_the_run_to_the_new_time() {
    let f = core();
    let ids = two_sessions(&f);
    let job = f
        .core
        .schedule_configure_sessions(&ids, &at(&f.clock, 60))
        .unwrap();
    let moved = f.core.reschedule_job(job.id, &at(&f.clock, 120)).unwrap();
    assert_eq!(moved.run_at, at(&f.clock, 120));
    let runner = Counting::default();
    f.clock.advance(Minutes::minutes(61));
    f.core.run_due_jobs(&runner, &NoEvents).unwrap();
    assert!(runner.ran().is_empty(), "the old time no longer applies");
    f.clock.advance(Minutes::minutes(59));
    f.core.run_due_jobs(&runner, &NoEvents).unwrap();
    assert_eq!(runner.ran(), vec![job.id]);

    let err = f
        .core
        .reschedule_job(job.id, &at(&f.clock, 30))
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Conflict,
        "a finished job keeps its time"
    );
    let err = f
        .core
        .schedule_configure_sessions(&ids, "tomorrow morning")
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::Invalid, Some("runAt"))
    );
    let err = f
        .core
        .schedule_configure_sessions(&ids, &at(&f.clock, -30))
        .unwrap_err();
    assert_eq!(err.field(), Some("runAt"), "a time in the past is refused");
    let err = f
        .core
        .schedule_configure_sessions(&[], &at(&f.clock, 30))
        .unwrap_err();
    assert_eq!(err.field(), Some("sessionIds"));
}

#[test]
fn a_cancelled_job_never_runs() {
    let f = core();
    let ids = two_sessions(&f);
    let job = f
        .core
        .schedule_configure_sessions(&ids, &at(&f.clock, 60))
        .unwrap();
    let cancelled = f.core.cancel_job(job.id).unwrap();
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    let runner = Counting::default();
    f.clock.advance(Minutes::minutes(120));
    f.core.run_due_jobs(&runner, &NoEvents).unwrap();
    assert!(runner.ran().is_empty());
    assert_eq!(
        f.core.run_job_now(job.id).unwrap_err().kind(),
        ErrorKind::Conflict,
        "a cancelled job cannot be started"
    );
    let active = f.core.list_jobs(false).unwrap();
    assert!(
        active.iter().all(|j| j.id != job.id),
        "cancelled jobs are history"
    );
    assert!(f
        .core
        .list_jobs(true)
        .unwrap()
        .iter()
        .any(|j| j.id == job.id));
}

fn reopen(f: &Fixture, clock: Arc<ManualClock>) -> Peerdesk {
    Peerdesk::open(&f.db_path, Arc::new(MemorySecretStore::new()), clock).unwrap()
}

#[test]
fn a_configuration_due_while_the_app_was_closed_is_overdue_on_open_and_waits_for_the_user() {
    let f = core();
    let ids = two_sessions(&f);
    let job = f
        .core
        .schedule_configure_sessions(&ids, &at(&f.clock, 60))
        .unwrap();
    // The app closes; it is opened again two hours later.
    let later = Arc::new(ManualClock::new(f.clock.now() + Minutes::minutes(120)));
    let reopened = reopen(&f, later.clone());
    let events = CollectedEvents::default();
    reopened.start_jobs(&events).unwrap();
    assert_eq!(reopened.get_job(job.id).unwrap().status, JobStatus::Overdue);
    assert!(
        events
            .take()
            .iter()
            .any(|(name, p)| name == EVENT_JOB_CHANGED && p["status"] == "overdue"),
        "the page is told"
    );
    let runner = Counting::default();
    reopened.run_due_jobs(&runner, &NoEvents).unwrap();
    assert!(
        runner.ran().is_empty(),
        "an overdue push never starts on its own"
    );

    let now = reopened.run_job_now(job.id).unwrap();
    assert_eq!(now.status, JobStatus::Scheduled);
    reopened.run_due_jobs(&runner, &NoEvents).unwrap();
    assert_eq!(runner.ran(), vec![job.id], "Run now runs it");
}

#[test]
fn a_configuration_still_within_the_grace_period_runs_and_past_it_does_not() {
    let f = core();
    let ids = two_sessions(&f);
    let soon = f
        .core
        .schedule_configure_sessions(&ids, &at(&f.clock, 60))
        .unwrap();
    let late = f
        .core
        .schedule_configure_sessions(&ids[..1], &at(&f.clock, 30))
        .unwrap();
    // The laptop slept: the scheduler looks again 69 minutes later (grace 10).
    f.clock.advance(Minutes::minutes(69));
    let runner = Counting::default();
    let events = CollectedEvents::default();
    f.core.run_due_jobs(&runner, &events).unwrap();
    assert_eq!(
        runner.ran(),
        vec![soon.id],
        "9 minutes late is within the grace"
    );
    assert_eq!(f.core.get_job(late.id).unwrap().status, JobStatus::Overdue);
    assert!(
        events
            .take()
            .iter()
            .any(|(name, p)| name == EVENT_JOB_CHANGED
                && p["id"] == late.id
                && p["status"] == "overdue"),
        "the page is told the job became overdue"
    );

    let mut s = f.core.job_settings().unwrap();
    assert_eq!(s.grace_minutes, 10, "the default grace period");
    s.grace_minutes = 0;
    assert_eq!(
        f.core.update_job_settings(&s).unwrap_err().field(),
        Some("graceMinutes")
    );
}

/// Claims the job and then "crashes": the handle is dropped without finishing it.
#[test]
fn a_job_cut_off_by_a_crash_is_interrupted_reconciled_and_not_run_again() {
    let f = core();
    let ids = two_sessions(&f);
    let job = f
        .core
        .schedule_configure_sessions(&ids, &at(&f.clock, 60))
        .unwrap();
    f.clock.advance(Minutes::minutes(60));
    {
        let crashing = reopen(&f, f.clock.clone());
        let claimed = crashing.claim_due_job().unwrap().expect("due");
        assert_eq!(claimed.job.id, job.id);
        assert_eq!(crashing.get_job(job.id).unwrap().status, JobStatus::Running);
    }
    let restarted = reopen(&f, f.clock.clone());
    restarted.start_jobs(&NoEvents).unwrap();
    assert_eq!(
        restarted.get_job(job.id).unwrap().status,
        JobStatus::Interrupted
    );
    // Reconciling reads the router; the fixture's router is unreachable, which
    // is recorded, and nothing is marked configured.
    restarted.reconcile_interrupted_jobs(&NoEvents).unwrap();
    let j = restarted.get_job(job.id).unwrap();
    assert_eq!(j.status, JobStatus::Interrupted);
    assert!(j.result.starts_with("Interrupted"), "{}", j.result);
    assert!(j.result.contains("2 could not be read"), "{}", j.result);
    for id in &ids {
        assert_ne!(
            restarted.get_session(*id).unwrap().config_state,
            peerdesk_core::peering::ConfigState::Configured
        );
    }
    let runner = Counting::default();
    f.clock.advance(Minutes::minutes(5));
    restarted.run_due_jobs(&runner, &NoEvents).unwrap();
    assert!(
        runner.ran().is_empty(),
        "an interrupted job is never re-run blindly"
    );
    assert_eq!(
        restarted.get_job(job.id).unwrap().status,
        JobStatus::Interrupted
    );
}

#[test]
fn only_one_of_two_claimers_gets_a_due_job() {
    let f = core();
    let ids = two_sessions(&f);
    let job = f
        .core
        .schedule_configure_sessions(&ids, &at(&f.clock, 0))
        .unwrap();
    let other = reopen(&f, f.clock.clone());
    let first = f.core.claim_due_job().unwrap();
    let second = other.claim_due_job().unwrap();
    assert_eq!(first.as_ref().map(|c| c.job.id), Some(job.id));
    assert!(second.is_none(), "the job is already claimed");
    // Only the claimer can record its end.
    let claimed = first.unwrap();
    let done = f
        .core
        .finish_job(
            &claimed,
            Ok(JobOutcome {
                ok: false,
                message: "refused".into(),
                log: vec![],
            }),
        )
        .unwrap();
    assert_eq!(done.status, JobStatus::Failed);
    assert_eq!(
        f.core
            .finish_job(
                &claimed,
                Ok(JobOutcome {
                    ok: true,
                    message: "again".into(),
                    log: vec![],
                })
            )
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict,
        "a finished claim cannot finish twice"
    );
}

#[test]
fn recurring_jobs_schedule_their_next_run_and_follow_their_settings() {
    let f = core();
    f.core.start_jobs(&NoEvents).unwrap();
    let recurring: Vec<Job> = f.core.list_jobs(false).unwrap();
    let refresh = recurring
        .iter()
        .find(|j| j.kind == JobKind::RefreshStates)
        .expect("state refresh is on by default");
    assert_eq!(refresh.every_minutes, Some(15));
    assert_eq!(refresh.run_at, at(&f.clock, 15));
    let sync = recurring
        .iter()
        .find(|j| j.kind == JobKind::PeeringdbSync)
        .expect("PeeringDB sync is on by default");
    assert_eq!(sync.every_minutes, Some(1440));
    assert_eq!(sync.title, "PeeringDB sync (daily)");

    let runner = Counting::default();
    f.clock.advance(Minutes::minutes(15));
    assert_eq!(f.core.run_due_jobs(&runner, &NoEvents).unwrap(), 1);
    assert_eq!(runner.ran(), vec![refresh.id]);
    let next: Vec<Job> = f
        .core
        .list_jobs(false)
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == JobKind::RefreshStates)
        .collect();
    assert_eq!(next.len(), 1, "exactly one next run");
    assert_eq!(next[0].run_at, at(&f.clock, 15));
    assert_ne!(
        next[0].id, refresh.id,
        "the finished run stays in the history"
    );

    let mut s = f.core.job_settings().unwrap();
    s.refresh_every_minutes = 5;
    s.peeringdb_sync_enabled = false;
    f.core.update_job_settings(&s).unwrap();
    let active = f.core.list_jobs(false).unwrap();
    assert!(active.iter().all(|j| j.kind != JobKind::PeeringdbSync));
    let refresh: Vec<&Job> = active
        .iter()
        .filter(|j| j.kind == JobKind::RefreshStates)
        .collect();
    assert_eq!(refresh.len(), 1);
    assert_eq!(refresh[0].run_at, at(&f.clock, 5));
    assert_eq!(
        refresh[0].title,
        "Update Session States on every router (every 5 min)"
    );

    // A day of refreshes every 5 minutes leaves only the newest runs in the history.
    for _ in 0..(RECURRING_HISTORY + 20) {
        f.clock.advance(Minutes::minutes(5));
        assert_eq!(f.core.run_due_jobs(&runner, &NoEvents).unwrap(), 1);
    }
    let kept = f
        .core
        .list_jobs(true)
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == JobKind::RefreshStates && j.status == JobStatus::Done)
        .count();
    assert_eq!(kept, RECURRING_HISTORY as usize);
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn the_scheduler_task_runs_a_job_at_its_time_and_not_before() {
    let f = core();
    let ids = two_sessions(&f);
    let clock = f.clock.clone();
    let core = Arc::new(reopen(&f, clock.clone()));
    let mut s = core.job_settings().unwrap();
    s.peeringdb_sync_enabled = false;
    s.refresh_enabled = false;
    core.update_job_settings(&s).unwrap();
    let job = core
        .schedule_configure_sessions(&ids, &at(&clock, 60))
        .unwrap();
    let runner = Arc::new(Counting::default());
    let events = Arc::new(CollectedEvents::default());
    let task = tokio::spawn(run_scheduler(
        core.clone(),
        runner.clone() as Arc<dyn JobRunner>,
        events.clone(),
    ));

    clock.advance(Minutes::minutes(59));
    tokio::time::sleep(Duration::from_secs(61)).await;
    assert!(runner.ran().is_empty(), "nothing at +59 min");

    clock.advance(Minutes::minutes(1));
    tokio::time::sleep(Duration::from_secs(31)).await;
    assert_eq!(runner.ran(), vec![job.id], "runs at +1 h");
    assert_eq!(core.get_job(job.id).unwrap().status, JobStatus::Done);
    let finished: Vec<_> = events
        .take()
        .into_iter()
        .filter(|(n, _)| n == EVENT_JOB_FINISHED)
        .collect();
    assert_eq!(finished.len(), 1, "one finish event for the notification");
    assert_eq!(finished[0].1["status"], "done");

    // Run now wakes the task at once, without waiting for its next look.
    let second = core
        .schedule_configure_sessions(&ids, &at(&clock, 600))
        .unwrap();
    core.run_job_now(second.id).unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(runner.ran(), vec![job.id, second.id]);
    task.abort();
}

#[test]
fn configure_now_queues_the_sessions_of_each_unreachable_router_and_goes_on_to_the_next() {
    let f = core();
    let ix = exchange(&f.core, "Example IX", "192.0.2.0/24", "2001:db8:1::/64");
    let mut sessions = Vec::new();
    let mut routers = Vec::new();
    // edge1 is FRR (one batch per router), edge2 Junos (session by session).
    for (name, platform, v4, v6, peers) in [
        (
            "edge1",
            Platform::Frr,
            "192.0.2.1",
            "2001:db8:1::1",
            vec!["192.0.2.10", "192.0.2.12"],
        ),
        (
            "edge2",
            Platform::Junos,
            "192.0.2.2",
            "2001:db8:1::2",
            vec!["192.0.2.11"],
        ),
    ] {
        let w = unreachable_router_on(&f.core, &ix, name, platform, v4, v6);
        routers.push(w.router.id);
        for (i, peer) in peers.into_iter().enumerate() {
            let asn = format!("{}", 64500 + i);
            sessions.extend(
                f.core
                    .add_session(&new_session(&w, &asn, Some(peer), None))
                    .unwrap()
                    .into_iter()
                    .map(|s| s.id),
            );
        }
    }
    let events = CollectedEvents::default();
    let report = f
        .core
        .configure_sessions_now(&sessions, Duration::ZERO, &events)
        .unwrap();
    assert_eq!(report.routers.len(), 2, "both routers were tried");
    for r in &report.routers {
        assert_eq!(r.error_kind, None, "queued is not a router failure: {r:?}");
        for s in &r.sessions {
            assert_eq!(s.result, SessionResult::Queued, "{s:?}");
            assert!(
                s.message.contains(&r.router_name) && s.message.contains("reachable"),
                "{}",
                s.message
            );
        }
    }
    assert_eq!(
        (
            report.configured,
            report.waiting_for_peer,
            report.failed,
            report.queued
        ),
        (0, 0, 0, 3)
    );
    assert!(report.message.contains("3 queued"), "{}", report.message);

    let items = f.core.list_router_outbox(None).unwrap();
    let mut queued_for: Vec<i64> = items.iter().map(|i| i.session_id).collect();
    queued_for.sort();
    let mut expected = sessions.clone();
    expected.sort();
    assert_eq!(queued_for, expected, "one item per session");
    for item in &items {
        assert_eq!(item.status, OutboxStatus::Approved, "{item:?}");
        assert_eq!(item.operation, ConfigOperation::Add);
        assert!(item.approved_at.is_some());
    }
    for id in &sessions {
        assert_eq!(
            f.core.get_session(*id).unwrap().config_state,
            ConfigState::NotConfigured,
            "nothing was pushed"
        );
    }
    for reach in f.core.router_reachability().unwrap() {
        assert!(routers.contains(&reach.router_id));
        assert_eq!(reach.reachable, Some(false), "the failed connect is noted");
        assert_eq!(
            reach.next_probe_at.as_deref(),
            Some(stamp(f.clock.now()).as_str()),
            "probed at the background task's next round"
        );
    }
    let progress: Vec<_> = events
        .take()
        .into_iter()
        .filter(|(n, _)| n == EVENT_CONFIGURE_PROGRESS)
        .collect();
    assert_eq!(progress.len(), 4, "a start and an end per router");
    assert_eq!(progress[3].1["sessionsDone"], 3);
    assert!(
        configure_jobs(&f.core).is_empty(),
        "Configure Now schedules nothing"
    );

    // Asked again while the items wait: nothing is queued twice.
    let again = f
        .core
        .configure_sessions_now(&sessions, Duration::ZERO, &NoEvents)
        .unwrap();
    assert_eq!((again.queued, again.failed), (0, 3));
    assert!(
        again.routers[0].sessions[0]
            .message
            .contains("already in the outbox"),
        "{}",
        again.routers[0].sessions[0].message
    );
    assert_eq!(f.core.list_router_outbox(None).unwrap().len(), 3);
}

#[test]
fn a_scheduled_configuration_of_an_unreachable_router_queues_and_says_so() {
    let f = core();
    let ids = two_sessions(&f);
    let job = f
        .core
        .schedule_configure_sessions(&ids, &at(&f.clock, 0))
        .unwrap();
    let runner = DefaultRunner {
        wait_for_peer: Duration::ZERO,
    };
    assert_eq!(f.core.run_due_jobs(&runner, &NoEvents).unwrap(), 1);
    let done = f.core.get_job(job.id).unwrap();
    assert_eq!(
        done.status,
        JobStatus::Done,
        "queued is not a failure: {done:?}"
    );
    assert!(
        done.result.contains("2 queued") && done.result.contains("reachable"),
        "{}",
        done.result
    );
    let items = f.core.list_router_outbox(None).unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i.status == OutboxStatus::Approved));
}
