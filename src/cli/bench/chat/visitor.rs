//! One visitor of the chat scenario: opens a conversation with a first message, waits for the
//! start, then writes at its share of `--rate` (or keeps `--window` in flight), recording each
//! send, ack and echo in its ledger.

use std::borrow::Cow;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::time::{interval_at, Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::super::args::Plan;
use super::super::client::{frame_type, Failure, Target, Ws};
use super::super::frames::{self, SendTemplate};
use super::super::ledger::VisitorLog;
use super::super::report::Tally;
use super::Run;

pub struct VisitorResult {
    pub tally: Tally,
    pub log: VisitorLog,
    pub opened: bool,
    pub held: bool,
}

pub async fn visitor(
    target: &Target,
    i: usize,
    site_key: &str,
    plan: &Plan,
    run: &Run,
) -> VisitorResult {
    // Pre-sized for what a paced run sends, so the hot loop does not grow the ledger.
    let expected =
        (plan.duration.as_secs_f64() * f64::from(plan.rate) / plan.visitors as f64) as usize;
    let mut out = VisitorResult {
        tally: Tally::default(),
        log: VisitorLog::new(i, if plan.max { 1024 } else { expected + 16 }),
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
    let template = SendTemplate::new(&conversation, i);
    out.log.conversation = Some(conversation);
    run.go.cancelled().await;

    let per_visitor = Duration::from_secs_f64(plan.visitors as f64 / f64::from(plan.rate));
    // Visitors start spread over one period so the load is smooth, not in waves.
    let offset = per_visitor.mul_f64(i as f64 / plan.visitors as f64);
    let mut ticks = interval_at(Instant::now() + offset, per_visitor);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut drain_deadline: Option<Instant> = None;

    loop {
        let sending = drain_deadline.is_none();
        if sending && plan.max && out.log.pending < plan.window {
            send(&mut ws, &template, run, &mut out).await;
            continue;
        }
        // Done when every send was answered and echoed (a badly acked one is echoed too).
        let log = &out.log;
        let answered = (log.sent_at.len() - log.pending) as u64;
        if !sending && log.pending == 0 && log.echoed >= answered {
            out.held = true;
            break;
        }
        tokio::select! {
            _ = run.stop_sending.cancelled(), if sending => {
                drain_deadline = Some(Instant::now() + plan.drain);
            }
            // What has not come by now is counted by the ledger as unacked or missing.
            _ = tokio::time::sleep_until(drain_deadline.unwrap_or_else(Instant::now)), if drain_deadline.is_some() => {
                out.held = true;
                break;
            }
            _ = ticks.tick(), if sending && !plan.max => send(&mut ws, &template, run, &mut out).await,
            incoming = ws.next() => match incoming {
                Some(Ok(WsMessage::Text(text))) => on_frame(&text, run, &mut out),
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
    if let Some(conversation) = out.log.conversation.as_deref() {
        close_conversation(&mut ws, conversation).await;
    }
    out
}

async fn send(ws: &mut Ws, template: &SendTemplate, run: &Run, out: &mut VisitorResult) {
    let at = run.origin.elapsed().as_micros() as u64;
    let n = out.log.sent_at.len() as u64;
    if ws
        .send(WsMessage::text(template.frame(n, at)))
        .await
        .is_ok()
    {
        out.log.sent(at);
    } else {
        out.tally.error("send failed");
    }
}

fn on_frame(text: &str, run: &Run, out: &mut VisitorResult) {
    let Some(frame) = frames::parse(text) else {
        out.tally.error("unreadable frame");
        return;
    };
    match frame.kind.as_ref() {
        "ack" => {
            let in_phase = !run.stop_sending.is_cancelled();
            let sent = out.log.ack(
                frame.conversation_id.as_deref(),
                frame.client_msg_id.as_deref(),
                frame.seq,
                in_phase,
            );
            if let Some(sent) = sent {
                let took = run
                    .origin
                    .elapsed()
                    .saturating_sub(Duration::from_micros(sent));
                out.tally.sample("send_to_ack", took);
                run.acked.fetch_add(1, Ordering::Relaxed);
            }
        }
        "message" => match frame.message {
            Some(m) => out.log.delivered(&m.conversation_id, m.seq, m.bench_id()),
            None => out.tally.error("message frame without message"),
        },
        "error" => out.tally.error(format!(
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
            let Some(f) = frames::parse(&text) else {
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
                if frame_type(&t) == Some("closed") {
                    break;
                }
            }
        }
    })
    .await;
    let _ = ws.close(None).await;
}
