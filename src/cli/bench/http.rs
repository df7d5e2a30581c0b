//! The `http` scenario: new visitor sessions (`POST /api/visitor/session`, what every first
//! page view with the widget costs) from `--visitors` concurrent clients, each sending its next
//! request as soon as the last is answered.

use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinSet;

use super::args::Plan;
use super::client::{Failure, Target};
use super::process::CpuMeter;
use super::report::{Report, Tally};
use super::{report_for, seconds_since};

pub async fn run(plan: &Plan, target: &Arc<Target>, site_key: &str) -> Report {
    let started = Instant::now();
    let meter = CpuMeter::start(&plan.pids);
    let deadline = started + plan.duration;
    let mut tasks = JoinSet::new();
    for worker in 0..plan.visitors {
        let (target, key) = (target.clone(), site_key.to_string());
        tasks.spawn(async move {
            let mut tally = Tally::default();
            let mut done = 0u64;
            while Instant::now() < deadline {
                let begun = Instant::now();
                match target.visitor_session(worker, &key).await {
                    Ok(_) => {
                        tally.sample("request", begun.elapsed());
                        done += 1;
                    }
                    Err(Failure(kind)) => tally.error(kind),
                }
            }
            (tally, done)
        });
    }
    let mut tally = Tally::default();
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((t, n)) => {
                tally.merge(t);
                done += n;
            }
            Err(_) => tally.error("client task failed"),
        }
    }
    let cpu = meter.stop();
    let seconds = seconds_since(started);
    let mut report: Report = report_for(plan, seconds);
    report.cpu = Some(cpu);
    report.requests = Some(done);
    report.requests_per_sec = Some(done as f64 / seconds);
    report.latency = tally.latencies();
    report.errors = tally.errors;
    report
}
