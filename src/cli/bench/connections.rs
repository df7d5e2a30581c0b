//! The connection scenarios: `idle` opens visitor connections and holds them, `storm` reconnects
//! known visitors at a steady rate.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_util::sync::CancellationToken;

use super::args::Plan;
use super::client::{Failure, Target};
use super::pacer::{spawn_paced, Pacer};
use super::process::{self, CpuMeter};
use super::report::{Report, Tally};
use super::{report_for, seconds_since};

/// Opens `plan.visitors` visitors at `--connect-rate`, holds them for `--duration`, and checks
/// that each is still open at the end.
pub async fn idle(plan: &Plan, target: &Arc<Target>, site_key: &str) -> Report {
    let stop = CancellationToken::new();
    let settled = Arc::new(AtomicU64::new(0));
    let mut tasks = spawn_paced(plan.visitors, plan.connect_rate, |i| {
        let (target, key, stop, settled) = (
            target.clone(),
            site_key.to_string(),
            stop.clone(),
            settled.clone(),
        );
        async move { hold_one(&target, i, &key, &stop, &settled).await }
    })
    .await;
    while settled.load(Ordering::Relaxed) < plan.visitors as u64 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let held_from = Instant::now();
    let meter = CpuMeter::start(&plan.pids);
    tokio::time::sleep(plan.duration).await;
    let cpu = meter.stop();
    let rss_after = plan.pids.first().and_then(|&pid| process::rss_kib(pid));
    let seconds = seconds_since(held_from.into_std());
    stop.cancel();
    let mut tally = Tally::default();
    let mut report = report_for(plan, seconds);
    report.connections.attempted = plan.visitors as u64;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((t, opened, held)) => {
                tally.merge(t);
                report.connections.opened += u64::from(opened);
                report.connections.held += u64::from(held);
            }
            Err(_) => tally.error("client task failed"),
        }
    }
    report.rss_after_kib = rss_after;
    report.cpu = Some(cpu);
    report.latency = tally.latencies();
    report.errors = tally.errors;
    report
}

/// One idle visitor: (what happened, greeted, still open at the end).
async fn hold_one(
    target: &Target,
    i: usize,
    site_key: &str,
    stop: &CancellationToken,
    settled: &AtomicU64,
) -> (Tally, bool, bool) {
    let mut tally = Tally::default();
    let started = Instant::now();
    let opened = async {
        let token = target.visitor_session(i, site_key).await?;
        target.connect(i, "visitor", &token).await
    }
    .await;
    settled.fetch_add(1, Ordering::Relaxed);
    let mut ws = match opened {
        Ok(ws) => ws,
        Err(Failure(kind)) => {
            tally.error(kind);
            return (tally, false, false);
        }
    };
    tally.sample("connect", started.elapsed());
    // Reading answers the server's pings; anything that ends the stream means it was lost.
    let held = loop {
        tokio::select! {
            _ = stop.cancelled() => break true,
            incoming = ws.next() => match incoming {
                Some(Ok(WsMessage::Close(frame))) => {
                    tally.error(format!("closed by server: {}", frame.map_or(0, |f| u16::from(f.code))));
                    break false;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    tally.error("connection lost");
                    break false;
                }
            },
        }
    };
    if held {
        let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
    }
    (tally, true, held)
}

/// Makes `plan.visitors` visitors first (not measured), then for `--duration` opens connections
/// for them at `--connect-rate`: connect, wait for the greeting, close — the wave of widgets
/// reconnecting after a deploy or a network blip.
pub async fn storm(plan: &Plan, target: &Arc<Target>, site_key: &str) -> Report {
    let mut tally = Tally::default();
    let tokens = make_visitors(plan, target, site_key, &mut tally).await;
    let mut report = report_for(plan, 0.0);
    if tokens.is_empty() {
        report.errors = tally.errors;
        return report;
    }
    let tokens = Arc::new(tokens);
    let mut tasks = JoinSet::new();
    let mut pacer = Pacer::new(plan.connect_rate);
    let started = Instant::now();
    let meter = CpuMeter::start(&plan.pids);
    let mut launched = 0usize;
    while started.elapsed() < plan.duration {
        let due = pacer.next().await as usize;
        for i in launched..launched + due {
            let (target, tokens) = (target.clone(), tokens.clone());
            tasks.spawn(async move {
                let begun = Instant::now();
                let token = &tokens[i % tokens.len()];
                match target.connect(i, "visitor", token).await {
                    Ok(mut ws) => {
                        let took = begun.elapsed();
                        let _ = ws.send(WsMessage::Close(None)).await;
                        Ok(took)
                    }
                    Err(f) => Err(f),
                }
            });
        }
        launched += due;
        // Collect finished ones as we go so the set does not hold every result to the end.
        while let Some(joined) = tasks.try_join_next() {
            count_storm(joined, &mut tally, &mut report);
        }
    }
    while let Some(joined) = tasks.join_next().await {
        count_storm(joined, &mut tally, &mut report);
    }
    report.cpu = Some(meter.stop());
    let seconds = seconds_since(started.into_std());
    report.seconds = seconds;
    report.connections.attempted = launched as u64;
    report.connections_per_sec = Some(report.connections.opened as f64 / seconds);
    report.latency = tally.latencies();
    report.errors = tally.errors;
    report
}

type StormResult = Result<Result<Duration, Failure>, tokio::task::JoinError>;

fn count_storm(joined: StormResult, tally: &mut Tally, report: &mut Report) {
    match joined {
        Ok(Ok(took)) => {
            tally.sample("connect", took);
            report.connections.opened += 1;
        }
        Ok(Err(Failure(kind))) => tally.error(kind),
        Err(_) => tally.error("client task failed"),
    }
}

/// New visitors through `POST /api/visitor/session`, at `--connect-rate`; their tokens.
async fn make_visitors(
    plan: &Plan,
    target: &Arc<Target>,
    site_key: &str,
    tally: &mut Tally,
) -> Vec<String> {
    let mut tasks = spawn_paced(plan.visitors, plan.connect_rate, |i| {
        let (target, key) = (target.clone(), site_key.to_string());
        async move { target.visitor_session(i, &key).await }
    })
    .await;
    let mut tokens = Vec::with_capacity(plan.visitors);
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(token)) => tokens.push(token),
            Ok(Err(Failure(kind))) => tally.error(format!("setup {kind}")),
            Err(_) => tally.error("client task failed"),
        }
    }
    tokens
}
