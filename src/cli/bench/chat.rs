//! The `chat` scenario: agents online, each visitor in a conversation with one of them, and the
//! visitors writing at `--rate` messages per second in all (or, with `--max`, as fast as their
//! acks return). Send→ack is measured at the visitor, send→delivery at the agent: the body
//! carries the send time, and both sides share this process's clock.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::task::JoinSet;
use tokio::time::{interval_at, Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_util::sync::CancellationToken;

use super::args::Plan;
use super::client::{Failure, Target, Ws};
use super::pacer::spawn_paced;
use super::process::CpuMeter;
use super::report::{Messages, Report, Tally};
use super::{report_for, seconds_since};

/// How long the run waits, after sending stops, for acks and deliveries still on their way.
const DRAIN: Duration = Duration::from_secs(10);
const BODY_PREFIX: &str = "bench ";

/// Shared by every task of a run.
struct Run {
    /// The clock that message bodies carry.
    origin: Instant,
    /// Set when the measured phase starts.
    go: CancellationToken,
    /// Set when visitors stop sending.
    stop_sending: CancellationToken,
    /// Set when agents stop reading.
    stop_reading: CancellationToken,
    acked: AtomicU64,
    delivered: AtomicU64,
    /// Visitors that finished setting up (in a conversation, or failed).
    ready: AtomicU64,
    /// Agents connected (or failed).
    agents_ready: AtomicU64,
}

pub async fn run(
    plan: &Plan,
    target: &Arc<Target>,
    admin: &str,
    site_key: &str,
) -> Result<Report, String> {
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
    for (i, (_, token)) in agent_ids.iter().enumerate() {
        let (target, token, shared) = (target.clone(), token.clone(), shared.clone());
        agents.spawn(async move { agent(&target, i, &token, &shared).await });
    }
    wait_for(&shared.agents_ready, plan.agents).await;

    let mut visitors = spawn_paced(plan.visitors, plan.connect_rate, |i| {
        let (target, key, shared, plan) = (
            target.clone(),
            site_key.to_string(),
            shared.clone(),
            plan.clone(),
        );
        async move { visitor(&target, i, &key, &plan, &shared).await }
    })
    .await;
    wait_for(&shared.ready, plan.visitors).await;

    let started = std::time::Instant::now();
    let meter = CpuMeter::start(plan.pid);
    shared.go.cancel();
    tokio::time::sleep(plan.duration).await;
    shared.stop_sending.cancel();
    let cpu = meter.stop();
    let seconds = seconds_since(started);

    let mut tally = Tally::default();
    let mut report = report_for(plan, seconds);
    let mut messages = Messages::default();
    report.connections.attempted = (plan.visitors + plan.agents) as u64;
    while let Some(joined) = visitors.join_next().await {
        match joined {
            Ok(v) => {
                tally.merge(v.tally);
                messages.sent += v.sent;
                report.connections.opened += u64::from(v.opened);
                report.connections.held += u64::from(v.held);
            }
            Err(_) => tally.error("client task failed"),
        }
    }
    // Every acked message must reach its agent; wait for the stragglers, then stop reading.
    let deadline = Instant::now() + DRAIN;
    while shared.delivered.load(Ordering::Relaxed) < shared.acked.load(Ordering::Relaxed)
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shared.stop_reading.cancel();
    while let Some(joined) = agents.join_next().await {
        match joined {
            Ok((t, opened, held)) => {
                tally.merge(t);
                report.connections.opened += u64::from(opened);
                report.connections.held += u64::from(held);
            }
            Err(_) => tally.error("client task failed"),
        }
    }
    for (id, _) in &agent_ids {
        // Tidy up: the accounts of this run are not needed again.
        if let Err(e) = target.disable_user(admin, id).await {
            tally.error(format!("cleanup {e}"));
        }
    }
    messages.acked = shared.acked.load(Ordering::Relaxed);
    messages.delivered = shared.delivered.load(Ordering::Relaxed);
    messages.acked_per_sec = messages.acked as f64 / seconds;
    messages.delivered_per_sec = messages.delivered as f64 / seconds;
    messages.server_cpu_us_per_message = cpu
        .server_cpu_seconds
        .filter(|_| messages.acked > 0)
        .map(|s| s * 1e6 / messages.acked as f64);
    report.cpu = Some(cpu);
    report.messages = Some(messages);
    report.latency = tally.latencies();
    report.errors = tally.errors;
    Ok(report)
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

#[derive(Deserialize)]
struct AgentFrame<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    message: Option<MessageFields<'a>>,
}

#[derive(Deserialize)]
struct MessageFields<'a> {
    #[serde(borrow)]
    body: Cow<'a, str>,
    #[serde(borrow)]
    sender_kind: Cow<'a, str>,
}

/// One agent connection: counts the visitors' bench messages it receives.
async fn agent(target: &Target, i: usize, token: &str, run: &Run) -> (Tally, bool, bool) {
    let mut tally = Tally::default();
    let begun = Instant::now();
    let connected = target.connect(i, "agent", token).await;
    run.agents_ready.fetch_add(1, Ordering::Relaxed);
    let mut ws = match connected {
        Ok(ws) => ws,
        Err(Failure(kind)) => {
            tally.error(format!("agent {kind}"));
            return (tally, false, false);
        }
    };
    tally.sample("connect", begun.elapsed());
    let held = loop {
        tokio::select! {
            _ = run.stop_reading.cancelled() => break true,
            incoming = ws.next() => match incoming {
                Some(Ok(WsMessage::Text(text))) => {
                    let Ok(frame) = serde_json::from_str::<AgentFrame>(&text) else {
                        tally.error("agent: unreadable frame");
                        continue;
                    };
                    match (frame.kind.as_ref(), frame.message) {
                        ("message", Some(m)) if m.sender_kind == "visitor" => {
                            if let Some(sent) = m.body.strip_prefix(BODY_PREFIX).and_then(|t| t.parse::<u64>().ok()) {
                                let took = run.origin.elapsed().saturating_sub(Duration::from_micros(sent));
                                tally.sample("send_to_delivery", took);
                                run.delivered.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        ("error", _) => tally.error("agent: error frame"),
                        _ => {}
                    }
                }
                Some(Ok(WsMessage::Close(frame))) => {
                    tally.error(format!("agent closed by server: {}", frame.map_or(0, |f| u16::from(f.code))));
                    break false;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    tally.error("agent connection lost");
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

#[derive(Deserialize)]
struct VisitorFrame<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    client_msg_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    conversation_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    code: Option<Cow<'a, str>>,
}

struct VisitorResult {
    tally: Tally,
    sent: u64,
    opened: bool,
    held: bool,
}

/// One visitor: opens a conversation with a first message, waits for the start, then writes.
async fn visitor(
    target: &Target,
    i: usize,
    site_key: &str,
    plan: &Plan,
    run: &Run,
) -> VisitorResult {
    let mut out = VisitorResult {
        tally: Tally::default(),
        sent: 0,
        opened: false,
        held: false,
    };
    let begun = Instant::now();
    let set_up = async {
        let token = target.visitor_session(i, site_key).await?;
        let mut ws = target.connect(i, "visitor", &token).await?;
        let took = begun.elapsed();
        let conversation = open_conversation(&mut ws, i).await?;
        Ok::<_, Failure>((ws, took, conversation))
    }
    .await;
    run.ready.fetch_add(1, Ordering::Relaxed);
    let (mut ws, took, conversation) = match set_up {
        Ok(v) => v,
        Err(Failure(kind)) => {
            out.tally.error(kind);
            return out;
        }
    };
    out.opened = true;
    out.tally.sample("connect", took);
    run.go.cancelled().await;

    let mut in_flight: HashMap<u64, Instant> = HashMap::new();
    let mut n = 0u64;
    let per_visitor = Duration::from_secs_f64(plan.visitors as f64 / f64::from(plan.rate));
    // Visitors start spread over one period so the load is smooth, not in waves.
    let offset = per_visitor.mul_f64(i as f64 / plan.visitors as f64);
    let mut ticks = interval_at(Instant::now() + offset, per_visitor);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut drain_deadline: Option<Instant> = None;

    loop {
        let sending = drain_deadline.is_none();
        let want_more = sending && plan.max && in_flight.len() < plan.window;
        if want_more {
            send(&mut ws, &conversation, i, n, run, &mut in_flight, &mut out).await;
            n += 1;
            continue;
        }
        if !sending && in_flight.is_empty() {
            out.held = true;
            break;
        }
        tokio::select! {
            _ = run.stop_sending.cancelled(), if sending => {
                drain_deadline = Some(Instant::now() + DRAIN);
            }
            _ = tokio::time::sleep_until(drain_deadline.unwrap_or_else(Instant::now)), if drain_deadline.is_some() => {
                for _ in 0..in_flight.len() {
                    out.tally.error("no ack before the end");
                }
                out.held = true;
                break;
            }
            _ = ticks.tick(), if sending && !plan.max => {
                send(&mut ws, &conversation, i, n, run, &mut in_flight, &mut out).await;
                n += 1;
            }
            incoming = ws.next() => match incoming {
                Some(Ok(WsMessage::Text(text))) => on_visitor_frame(&text, run, &mut in_flight, &mut out.tally),
                Some(Ok(WsMessage::Close(frame))) => {
                    out.tally.error(format!("closed by server: {}", frame.map_or(0, |f| u16::from(f.code))));
                    return out;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    out.tally.error("connection lost");
                    return out;
                }
            },
        }
    }
    close_conversation(&mut ws, &conversation).await;
    out
}

async fn send(
    ws: &mut Ws,
    conversation: &str,
    i: usize,
    n: u64,
    run: &Run,
    in_flight: &mut HashMap<u64, Instant>,
    out: &mut VisitorResult,
) {
    let now = Instant::now();
    let sent_at = now.duration_since(run.origin).as_micros();
    let frame = json!({
        "type": "send",
        "conversation_id": conversation,
        "client_msg_id": format!("b{i}-{n}"),
        "body": format!("{BODY_PREFIX}{sent_at}"),
    });
    if ws.send(WsMessage::text(frame.to_string())).await.is_ok() {
        in_flight.insert(n, now);
        out.sent += 1;
    } else {
        out.tally.error("send failed");
    }
}

fn on_visitor_frame(
    text: &str,
    run: &Run,
    in_flight: &mut HashMap<u64, Instant>,
    tally: &mut Tally,
) {
    let Ok(frame) = serde_json::from_str::<VisitorFrame>(text) else {
        tally.error("unreadable frame");
        return;
    };
    match frame.kind.as_ref() {
        "ack" => {
            let n = frame
                .client_msg_id
                .as_deref()
                .and_then(|id| id.rsplit('-').next())
                .and_then(|n| n.parse::<u64>().ok());
            if let Some(sent) = n.and_then(|n| in_flight.remove(&n)) {
                tally.sample("send_to_ack", sent.elapsed());
                run.acked.fetch_add(1, Ordering::Relaxed);
            }
        }
        "error" => tally.error(format!(
            "error frame: {}",
            frame.code.as_deref().unwrap_or("?")
        )),
        _ => {}
    }
}

/// The first message starts the conversation (and routes it to an agent); not measured.
async fn open_conversation(ws: &mut Ws, i: usize) -> Result<String, Failure> {
    let frame = json!({"type": "send", "client_msg_id": format!("w{i}"), "body": "warm-up"});
    ws.send(WsMessage::text(frame.to_string()))
        .await
        .map_err(|_| Failure("warm-up: send failed".into()))?;
    let wait = async {
        while let Some(Ok(msg)) = ws.next().await {
            let WsMessage::Text(text) = msg else { continue };
            let Ok(f) = serde_json::from_str::<VisitorFrame>(&text) else {
                continue;
            };
            match f.kind.as_ref() {
                "ack" => {
                    return f
                        .conversation_id
                        .map(Cow::into_owned)
                        .ok_or("warm-up: ack without conversation")
                }
                "error" => return Err("warm-up: error frame"),
                _ => {}
            }
        }
        Err("warm-up: connection lost")
    };
    match tokio::time::timeout(Duration::from_secs(15), wait).await {
        Ok(Ok(id)) => Ok(id),
        Ok(Err(kind)) => Err(Failure(kind.into())),
        Err(_) => Err(Failure("warm-up: timeout".into())),
    }
}

/// Leaves the database tidy for the next run; not measured.
async fn close_conversation(ws: &mut Ws, conversation: &str) {
    let frame = json!({"type": "close", "id": "end", "conversation_id": conversation});
    if ws.send(WsMessage::text(frame.to_string())).await.is_err() {
        return;
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(msg)) = ws.next().await {
            if let WsMessage::Text(t) = msg {
                if super::client::frame_type(&t) == Some("closed") {
                    break;
                }
            }
        }
    })
    .await;
    let _ = ws.close(None).await;
}
