//! The recurring PeeringDB sync when PeeringDB cannot be reached (no
//! network): it runs again in 5 minutes, backing off, instead of a day later;
//! after a success the normal interval applies again. Paused clock; the
//! "PeeringDB" is a closed port on loopback.

mod common;

use chrono::Duration as Minutes;
use common::*;
use peerdesk_core::clock::{stamp, Clock, ManualClock};
use peerdesk_core::events::NoEvents;
use peerdesk_core::jobs::*;
use peerdesk_core::settings::SettingsChanges;
use peerdesk_core::Peerdesk;

fn at(clock: &ManualClock, minutes: i64) -> String {
    stamp(clock.now() + Minutes::minutes(minutes))
}

fn pending_sync(f: &Fixture) -> Job {
    let mut jobs: Vec<Job> = f
        .core
        .list_jobs(false)
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == JobKind::PeeringdbSync && j.status == JobStatus::Scheduled)
        .collect();
    assert_eq!(
        jobs.len(),
        1,
        "exactly one pending PeeringDB sync: {jobs:?}"
    );
    jobs.remove(0)
}

/// Reports every job as done without doing it: "the network is back".
struct Succeeds;

impl JobRunner for Succeeds {
    fn run(
        &self,
        _core: &Peerdesk,
        _job: &Job,
        _events: &dyn peerdesk_core::events::EventSink,
    ) -> peerdesk_core::Result<JobOutcome> {
        Ok(JobOutcome {
            ok: true,
            message: "synced".into(),
            log: vec![],
        })
    }
}

/// A core whose PeeringDB URL is a closed loopback port and whose only
/// recurring job is the daily PeeringDB sync.
fn offline_core() -> Fixture {
    let f = core();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    f.core
        .update_settings(&SettingsChanges {
            own_asns: vec!["64496".into()],
            org_name: "Example Networks".into(),
            coordinator_name: "Alex Example".into(),
            coordinator_email: "noc@example.net".into(),
            peeringdb_url: Some(format!("http://127.0.0.1:{closed}")),
            max_prefix_extra: None,
            max_prefix_factor: None,
        })
        .unwrap();
    let mut s = f.core.job_settings().unwrap();
    s.refresh_enabled = false;
    s.peeringdb_sync_enabled = true;
    s.peeringdb_sync_every_minutes = 1440;
    f.core.update_job_settings(&s).unwrap();
    f.core.start_jobs(&NoEvents).unwrap();
    f
}

#[test]
fn an_unreachable_peeringdb_sync_runs_again_in_five_minutes_backing_off_to_at_most_an_hour() {
    let f = offline_core();
    let first = pending_sync(&f);
    assert_eq!(first.run_at, at(&f.clock, 1440));

    f.clock.advance(Minutes::minutes(1440));
    assert_eq!(
        f.core
            .run_due_jobs(&DefaultRunner::default(), &NoEvents)
            .unwrap(),
        1
    );
    let failed = f.core.get_job(first.id).unwrap();
    assert_eq!(failed.status, JobStatus::Failed);
    assert!(
        failed.result.contains("could not be reached"),
        "{}",
        failed.result
    );
    let retry = pending_sync(&f);
    assert_eq!(
        retry.run_at,
        at(&f.clock, 5),
        "in 5 minutes, not in 24 hours"
    );
    assert_eq!(retry.every_minutes, Some(1440), "still the recurring sync");

    // Each failed retry waits twice as long: 10, 20, 40 minutes, then hourly.
    let mut waits = Vec::new();
    let mut wait = 5;
    for _ in 0..6 {
        f.clock.advance(Minutes::minutes(wait));
        assert_eq!(
            f.core
                .run_due_jobs(&DefaultRunner::default(), &NoEvents)
                .unwrap(),
            1
        );
        let next = pending_sync(&f);
        let due = chrono::DateTime::parse_from_rfc3339(&next.run_at).unwrap();
        wait = (due.with_timezone(&chrono::Utc) - f.clock.now()).num_minutes();
        waits.push(wait);
    }
    assert_eq!(
        waits,
        vec![10, 20, 40, 60, 60, 60],
        "doubling, at most an hour"
    );

    // The network is back: the run succeeds and the next is a day later.
    f.clock.advance(Minutes::minutes(wait));
    assert_eq!(f.core.run_due_jobs(&Succeeds, &NoEvents).unwrap(), 1);
    let normal = pending_sync(&f);
    assert_eq!(normal.run_at, at(&f.clock, 1440));
    assert_eq!(normal.title, "PeeringDB sync (daily)");
}

#[test]
fn a_sync_that_fails_for_another_reason_waits_for_its_normal_interval() {
    let f = offline_core();
    let first = pending_sync(&f);
    f.clock.advance(Minutes::minutes(1440));
    struct Refused;
    impl JobRunner for Refused {
        fn run(
            &self,
            _core: &Peerdesk,
            _job: &Job,
            _events: &dyn peerdesk_core::events::EventSink,
        ) -> peerdesk_core::Result<JobOutcome> {
            Err(peerdesk_core::Error::invalid(
                "apiKey",
                "PeeringDB refused the API key",
            ))
        }
    }
    assert_eq!(f.core.run_due_jobs(&Refused, &NoEvents).unwrap(), 1);
    assert_eq!(f.core.get_job(first.id).unwrap().status, JobStatus::Failed);
    assert_eq!(pending_sync(&f).run_at, at(&f.clock, 1440));
}

#[test]
fn a_router_answering_again_brings_a_waiting_peeringdb_retry_forward_and_nothing_else() {
    let f = offline_core();
    let first = pending_sync(&f);
    assert!(
        !f.core.network_returned().unwrap(),
        "the regular daily run is not a retry: it keeps its time"
    );
    assert_eq!(pending_sync(&f).run_at, first.run_at);

    f.clock.advance(Minutes::minutes(1440));
    f.core
        .run_due_jobs(&DefaultRunner::default(), &NoEvents)
        .unwrap();
    let retry = pending_sync(&f);
    assert_eq!(retry.run_at, at(&f.clock, 5));
    f.clock.advance(Minutes::minutes(2));
    assert!(f.core.network_returned().unwrap());
    assert_eq!(
        pending_sync(&f).run_at,
        at(&f.clock, 0),
        "due now, not in 3 minutes"
    );
    assert_eq!(
        f.core.run_due_jobs(&Succeeds, &NoEvents).unwrap(),
        1,
        "the scheduler's next round runs it"
    );
    assert_eq!(pending_sync(&f).run_at, at(&f.clock, 1440));
    assert!(!f.core.network_returned().unwrap());
}
