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
use super::come_back::Back;
use super::reconnect::Lost;
use super::Run;

pub struct VisitorResult {
    pub tally: Tally,
    pub log: VisitorLog,
    pub opened: bool,
    pub held: bool,
    /// Connections opened again after the server closed or reset one.
    pub reconnects: u32,
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
        reconnects: 0,
    };
    let begun = Instant::now();
    let set_up = async {
        let token = target.visitor_session(i, site_key).await?;
        let mut ws = target.connect(i, "visitor", &token).await?;
        let took = begun.elapsed();
        let conversation = open_conversation(&mut ws, i).await?;
        Ok::<_, Failure>((ws, took, conversation, token))
    }
    .await;
    run.ready.fetch_add(1, Ordering::Relaxed);
    let (mut ws, took, conversation, token) = match set_up {
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
    let back = Back {
        target,
        i,
        token: &token,
        tries: plan.reconnect_tries,
        template: &template,
    };
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
            if let Some(lost) = send(&mut ws, &back, run, &mut out).await {
                match back.come_back(lost, &mut out).await {
                    Some(new) => ws = new,
                    None => return out,
                }
            }
            continue;
        }
        // Done when every send was answered and echoed (a badly acked one is echoed too).
        let log = &out.log;
        let answered = (log.sent_at.len() - log.pending) as u64;
        if !sending && log.pending == 0 && log.echoed >= answered {
            out.held = true;
            break;
        }
        let lost = tokio::select! {
            _ = run.stop_sending.cancelled(), if sending => {
                drain_deadline = Some(Instant::now() + plan.drain);
                None
            }
            // What has not come by now is counted by the ledger as unacked or missing.
            _ = tokio::time::sleep_until(drain_deadline.unwrap_or_else(Instant::now)), if drain_deadline.is_some() => {
                out.held = true;
                break;
            }
            _ = ticks.tick(), if sending && !plan.max => send(&mut ws, &back, run, &mut out).await,
            incoming = ws.next() => match incoming {
                Some(Ok(WsMessage::Text(text))) => {
                    on_frame(&text, run, &mut out);
                    None
                }
                Some(Ok(WsMessage::Close(frame))) => Some(Lost::Closed(frame.map(|f| u16::from(f.code)))),
                Some(Ok(_)) => None,
                Some(Err(_)) | None => Some(Lost::Reset),
            },
        };
        if let Some(lost) = lost {
            let come_back = back.come_back(lost, &mut out);
            let new = match drain_deadline {
                // A reconnect that outlasts the drain ends the visitor: what it lacks is missing.
                Some(at) => tokio::time::timeout_at(at, come_back).await.unwrap_or(None),
                None => come_back.await,
            };
            match new {
                Some(new) => ws = new,
                None => return out,
            }
        }
    }
    if let Some(conversation) = out.log.conversation.as_deref() {
        close_conversation(&mut ws, conversation).await;
    }
    out
}

/// Sends the next message; a failed send is a lost connection (the message is sent again
/// after the reconnect, or, when the client does not reconnect, counted as before).
async fn send(ws: &mut Ws, back: &Back<'_>, run: &Run, out: &mut VisitorResult) -> Option<Lost> {
    let at = run.origin.elapsed().as_micros() as u64;
    let n = out.log.sent_at.len() as u64;
    if ws
        .send(WsMessage::text(back.template.frame(n, at)))
        .await
        .is_ok()
    {
        out.log.sent(at);
        None
    } else if back.tries > 0 {
        out.log.sent(at);
        Some(Lost::Reset)
    } else {
        out.tally.error("send failed");
        None
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
                if frame.duplicate {
                    out.log.resent_stored += 1;
                }
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
        "resumed" => {
            for (conversation, upto) in frames::resumed(text).unwrap_or_default() {
                out.log.resumed(&conversation, upto);
            }
        }
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
