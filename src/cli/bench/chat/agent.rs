//! One agent connection of the chat scenario: records every `message` frame it receives in the
//! ledger (by conversation and seq) and the send→delivery time of the measured ones.

use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::super::client::{Failure, Target, Ws};
use super::super::frames::{self, sent_at};
use super::super::ledger::AgentLog;
use super::super::report::Tally;
use super::reconnect::{self, Lost};
use super::Run;

pub struct AgentResult {
    pub tally: Tally,
    pub log: AgentLog,
    pub opened: bool,
    pub held: bool,
    /// Connections opened again after the server closed or reset one.
    pub reconnects: u32,
}

pub async fn agent(
    target: &Target,
    i: usize,
    token: &str,
    conversations: usize,
    tries: u32,
    run: &Run,
) -> AgentResult {
    let mut out = AgentResult {
        tally: Tally::default(),
        log: AgentLog::with_capacity(conversations),
        opened: false,
        held: false,
        reconnects: 0,
    };
    let begun = Instant::now();
    let connected = target.connect(i, "agent", token).await;
    run.agents_ready.fetch_add(1, Ordering::Relaxed);
    let mut ws = match connected {
        Ok(ws) => ws,
        Err(Failure(kind)) => {
            out.tally.error(format!("agent {kind}"));
            return out;
        }
    };
    out.opened = true;
    out.tally.sample("connect", begun.elapsed());
    out.held = loop {
        let lost = tokio::select! {
            _ = run.stop_reading.cancelled() => break true,
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
        let Some(lost) = lost else { continue };
        let back = tokio::select! {
            // The run ended while the agent was away: what it lacks is missing.
            _ = run.stop_reading.cancelled() => None,
            back = come_back(target, i, token, tries, lost, &mut out) => back,
        };
        match back {
            Some(new) => ws = new,
            None => break false,
        }
    };
    if out.held {
        let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
    }
    out
}

/// After a lost connection: reconnects with the same token and resumes every conversation
/// received so far from the last seq held without a gap. None when the agent ends.
async fn come_back(
    target: &Target,
    i: usize,
    token: &str,
    tries: u32,
    lost: Lost,
    out: &mut AgentResult,
) -> Option<Ws> {
    if !lost.may_resume() || tries == 0 {
        out.tally.error(format!("agent {}", lost.error()));
        return None;
    }
    if let Some(note) = lost.note() {
        out.tally.error(format!("agent {note}"));
    }
    let (mut ws, hello) = match reconnect::connect_again(target, i, "agent", token, tries).await {
        Ok(connected) => connected,
        Err(Failure(kind)) => {
            out.tally.error(format!("agent {kind}"));
            return None;
        }
    };
    out.reconnects += 1;
    let missed = lost.missed_events();
    let points = out
        .log
        .reconnected(&frames::own_conversations(&hello), missed);
    if !points.is_empty() {
        let frame = frames::resume(points.iter().map(|(c, from)| (c.as_str(), *from)));
        // A failed send shows as a lost connection at the next read: then again.
        let _ = ws.send(WsMessage::text(frame)).await;
    }
    Some(ws)
}

fn on_frame(text: &str, run: &Run, out: &mut AgentResult) {
    let Some(frame) = frames::parse(text) else {
        out.tally.error("agent: unreadable frame");
        return;
    };
    match (frame.kind.as_ref(), frame.message) {
        ("message", Some(m)) => {
            let bench = m.bench_id();
            if !out.log.delivered(&m.conversation_id, m.seq, bench) {
                return;
            }
            if let Some(sent) = sent_at(&m.body) {
                let took = run
                    .origin
                    .elapsed()
                    .saturating_sub(Duration::from_micros(sent));
                out.tally.sample("send_to_delivery", took);
            }
            if run.stop_sending.is_cancelled() {
                out.log.delivered_after_phase += 1;
            } else {
                out.log.delivered_in_phase += 1;
            }
            run.delivered.fetch_add(1, Ordering::Relaxed);
        }
        ("message", None) => out.tally.error("agent: message frame without message"),
        ("resumed", _) => {
            for (conversation, upto) in frames::resumed(text).unwrap_or_default() {
                out.log.resumed(&conversation, upto);
            }
        }
        ("error", _) => out.tally.error(format!(
            "agent: error frame: {}",
            frame.code.as_deref().unwrap_or("?")
        )),
        _ => {}
    }
}
