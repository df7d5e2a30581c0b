//! One agent connection of the chat scenario: records every `message` frame it receives in the
//! ledger (by conversation and seq) and the send→delivery time of the measured ones.

use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::super::client::{Failure, Target};
use super::super::frames::{self, sent_at};
use super::super::ledger::AgentLog;
use super::super::report::Tally;
use super::Run;

pub struct AgentResult {
    pub tally: Tally,
    pub log: AgentLog,
    pub opened: bool,
    pub held: bool,
}

pub async fn agent(
    target: &Target,
    i: usize,
    token: &str,
    conversations: usize,
    run: &Run,
) -> AgentResult {
    let mut out = AgentResult {
        tally: Tally::default(),
        log: AgentLog::with_capacity(conversations),
        opened: false,
        held: false,
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
        tokio::select! {
            _ = run.stop_reading.cancelled() => break true,
            incoming = ws.next() => match incoming {
                Some(Ok(WsMessage::Text(text))) => on_frame(&text, run, &mut out),
                Some(Ok(WsMessage::Close(frame))) => {
                    out.tally.error(format!("agent closed by server: {}", frame.map_or(0, |f| u16::from(f.code))));
                    break false;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    out.tally.error("agent connection lost");
                    break false;
                }
            },
        }
    };
    if out.held {
        let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
    }
    out
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
        ("error", _) => out.tally.error(format!(
            "agent: error frame: {}",
            frame.code.as_deref().unwrap_or("?")
        )),
        _ => {}
    }
}
