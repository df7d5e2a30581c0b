//! The `chat` scenario: agents online, each visitor in a conversation with one of them, and the
//! visitors writing at `--rate` messages per second in all (or, with `--max`, as fast as their
//! acks return). Send→ack is measured at the visitor, send→delivery at the agent: the body
//! carries the send time, and both sides share this process's clock.
//!
//! Every send, ack and delivery goes into the ledger (../ledger.rs); after the drain it says
//! what was missing, duplicated, out of order or mismatched, and a sample of conversations is
//! read back over REST (../readback.rs).

mod agent;
mod come_back;
mod reconnect;
mod visitor;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::args::Plan;
use super::client::Target;
use super::ledger::{self, AgentLog, VisitorLog};
use super::nodes::Nodes;
use super::pacer::spawn_paced;
use super::process::CpuMeter;
use super::readback;
use super::report::{Messages, Reconnects, Report, Tally};
use super::{report_for, seconds_since};

/// Shared by every task of a run.
pub struct Run {
    /// The clock that message bodies carry.
    origin: Instant,
    /// Set when the measured phase starts.
    go: CancellationToken,
    /// Set when visitors stop sending: what comes after is outside the measured phase.
    stop_sending: CancellationToken,
    /// Set when agents stop reading.
    stop_reading: CancellationToken,
    /// Measured messages acked (usable acks only) and delivered to an agent (first copy only).
    acked: AtomicU64,
    delivered: AtomicU64,
    /// Visitors that finished setting up (in a conversation, or failed).
    ready: AtomicU64,
    /// Agents connected (or failed).
    agents_ready: AtomicU64,
}

pub use agent::AgentResult;
pub use visitor::VisitorResult;

/// `targets`: one per `--url`; the first also serves the accounts and the read-back.
pub async fn run(
    plan: &Plan,
    targets: &[Arc<Target>],
    admin: &str,
    site_key: &str,
) -> Result<Report, String> {
    let target = &targets[0];
    let shared = Arc::new(Run {
        origin: Instant::now(),
        go: CancellationToken::new(),
        stop_sending: CancellationToken::new(),
        stop_reading: CancellationToken::new(),
        acked: AtomicU64::new(0),
        delivered: AtomicU64::new(0),
        ready: AtomicU64::new(0),
        agents_ready: AtomicU64::new(0),
    });
    let agent_ids = create_agents(plan, target, admin).await?;
    let mut agents = JoinSet::new();
    let share = plan.visitors.div_ceil(plan.agents);
    for (i, (_, token)) in agent_ids.iter().enumerate() {
        let target = targets[plan.agent_node(i)].clone();
        let (token, shared, tries) = (token.clone(), shared.clone(), plan.reconnect_tries);
        agents.spawn(async move {
            let a = agent::agent(&target, i, &token, share, tries, &shared).await;
            (i, a)
        });
    }
    wait_for(&shared.agents_ready, plan.agents).await;

    let mut visitors = spawn_paced(plan.visitors, plan.connect_rate, |i| {
        let (target, key, shared, plan) = (
            targets[plan.visitor_node(i)].clone(),
            site_key.to_string(),
            shared.clone(),
            plan.clone(),
        );
        async move { visitor::visitor(&target, i, &key, &plan, &shared).await }
    })
    .await;
    wait_for(&shared.ready, plan.visitors).await;
    let mut tally = Tally::default();
    if let Some(at) = plan.start_at {
        let at = UNIX_EPOCH + Duration::from_secs(at);
        match at.duration_since(SystemTime::now()) {
            Ok(wait) => tokio::time::sleep(wait).await,
            Err(_) => tally.error("set-up ended after --start-at"),
        }
    }

    let started = std::time::Instant::now();
    let meter = CpuMeter::start(&plan.pids);
    shared.go.cancel();
    tokio::time::sleep(plan.duration).await;
    shared.stop_sending.cancel();
    let cpu = meter.stop();
    let seconds = seconds_since(started);
    let drain_deadline = Instant::now() + plan.drain;

    let mut report = report_for(plan, seconds);
    report.connections.attempted = (plan.visitors + plan.agents) as u64;
    let mut logs: Vec<VisitorLog> = Vec::with_capacity(plan.visitors);
    let mut nodes = Nodes::new(plan);
    let mut reconnects = Reconnects::default();
    while let Some(joined) = visitors.join_next().await {
        match joined {
            Ok(v) => {
                reconnects.visitors += u64::from(v.reconnects);
                nodes.visitor(plan.visitor_node(v.log.index as usize), &v);
                tally.merge(v.tally);
                report.connections.opened += u64::from(v.opened);
                report.connections.held += u64::from(v.held);
                logs.push(v.log);
            }
            Err(_) => tally.error("client task failed"),
        }
    }
    logs.sort_by_key(|v| v.index);
    // Every acked message must reach its agent; wait for the stragglers, then stop reading.
    while shared.delivered.load(Ordering::Relaxed) < shared.acked.load(Ordering::Relaxed)
        && Instant::now() < drain_deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shared.stop_reading.cancel();
    let mut agent_logs: Vec<AgentLog> = (0..plan.agents).map(|_| AgentLog::default()).collect();
    while let Some(joined) = agents.join_next().await {
        match joined {
            Ok((i, a)) => {
                reconnects.agents += u64::from(a.reconnects);
                nodes.agent(plan.agent_node(i), &a);
                tally.merge(a.tally);
                report.connections.opened += u64::from(a.opened);
                report.connections.held += u64::from(a.held);
                agent_logs[i] = a.log;
            }
            Err(_) => tally.error("client task failed"),
        }
    }
    for v in &logs {
        reconnects.resent += v.resent;
        reconnects.resent_stored += v.resent_stored;
        reconnects.replayed += v.replayed();
    }
    reconnects.replayed += agent_logs.iter().map(AgentLog::replayed).sum::<u64>();
    report.reconnects = Some(reconnects);
    let mut delivery = ledger::check(&logs, &agent_logs);
    if plan.verify > 0 {
        let sample: Vec<(&VisitorLog, &str)> = readback::sample(&logs, plan.verify)
            .into_iter()
            .map(|v| (v, holder(v, &agent_logs, &agent_ids, admin)))
            .collect();
        delivery.readback = Some(readback::read_back(target, &sample).await);
        delivery.recheck();
    }
    for (id, _) in &agent_ids {
        // Tidy up: the accounts of this run are not needed again.
        if let Err(e) = target.disable_user(admin, id).await {
            tally.error(format!("cleanup {e}"));
        }
    }
    report.messages = Some(messages(&logs, &agent_logs, seconds, &cpu));
    report.cpu = Some(cpu);
    report.delivery = Some(delivery);
    report.nodes = nodes.finish();
    report.latency = tally.latencies();
    report.errors = tally.errors;
    Ok(report)
}

/// The counts and rates of a run: rates over the measured phase only, with what was acked or
/// delivered during the drain counted apart.
fn messages(
    visitors: &[VisitorLog],
    agents: &[AgentLog],
    seconds: f64,
    cpu: &super::process::CpuUse,
) -> Messages {
    let mut m = Messages::default();
    for v in visitors {
        m.sent += v.sent_at.len() as u64;
        m.acked_in_phase += v.acked_in_phase;
        m.acked_after_phase += v.acked_after_phase;
    }
    for a in agents {
        m.delivered_in_phase += a.delivered_in_phase;
        m.delivered_after_phase += a.delivered_after_phase;
    }
    m.acked = m.acked_in_phase + m.acked_after_phase;
    m.delivered = m.delivered_in_phase + m.delivered_after_phase;
    m.acked_per_sec = m.acked_in_phase as f64 / seconds;
    m.delivered_per_sec = m.delivered_in_phase as f64 / seconds;
    let per_message = |cpu_seconds: f64| {
        (m.acked_in_phase > 0).then(|| cpu_seconds * 1e6 / m.acked_in_phase as f64)
    };
    m.server_cpu_us_per_message = cpu.server_cpu_seconds.and_then(per_message);
    m.bench_cpu_us_per_message = per_message(cpu.bench_cpu_seconds);
    m
}

/// The token to read a conversation back with: the agent's that received its messages (the
/// one holding it), else the admin's.
fn holder<'a>(
    v: &VisitorLog,
    agents: &[AgentLog],
    ids: &'a [(String, String)],
    admin: &'a str,
) -> &'a str {
    let conversation = v.conversation.as_deref().unwrap_or_default();
    agents
        .iter()
        .zip(ids)
        .find(|(a, _)| a.carries(conversation))
        .map_or(admin, |(_, (_, token))| token.as_str())
}

async fn wait_for(counter: &AtomicU64, n: usize) {
    while counter.load(Ordering::Relaxed) < n as u64 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Agent accounts for this run, (id, access token); each takes its share of the visitors.
async fn create_agents(
    plan: &Plan,
    target: &Target,
    admin: &str,
) -> Result<Vec<(String, String)>, String> {
    let run_id = format!("{:08x}", rand::random::<u32>());
    let password = format!("bench-{:016x}", rand::random::<u64>());
    let share = plan.visitors.div_ceil(plan.agents);
    let mut agents = Vec::with_capacity(plan.agents);
    for i in 0..plan.agents {
        let email = format!("bench-{run_id}-{i}@bench.invalid");
        let id = target.create_agent(admin, &email, &password, share).await?;
        // Spread logins over the source addresses: logins are limited per address.
        let token = target.login(i, &email, &password).await?;
        agents.push((id, token));
    }
    Ok(agents)
}
