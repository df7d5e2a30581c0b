//! A visitor of the chat scenario coming back after the server closed or reset its connection:
//! a new connection with the same token, a `resume` of its conversation from the last seq it
//! holds without a gap, and every message not acked sent again with its client id (the
//! server answers a message it stored already with its first ack, marked `duplicate`).

use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::super::client::{Failure, Target, Ws};
use super::super::frames::{self, SendTemplate};
use super::reconnect::{self, Lost};
use super::visitor::VisitorResult;

/// What a visitor needs to come back after losing its connection.
pub struct Back<'a> {
    pub target: &'a Target,
    pub i: usize,
    pub token: &'a str,
    pub tries: u32,
    pub template: &'a SendTemplate,
}

impl Back<'_> {
    /// After a lost connection: reconnects, resumes the conversation from the last seq held
    /// and sends again, with the same client ids, every message not acked. None when the
    /// visitor ends (an end it does not come back from, or no try succeeded).
    pub async fn come_back(&self, lost: Lost, out: &mut VisitorResult) -> Option<Ws> {
        if !lost.may_resume() || self.tries == 0 {
            out.tally.error(lost.error());
            return None;
        }
        if let Some(note) = lost.note() {
            out.tally.error(note);
        }
        let connected =
            reconnect::connect_again(self.target, self.i, "visitor", self.token, self.tries).await;
        let mut ws = match connected {
            Ok((ws, _hello)) => ws,
            Err(Failure(kind)) => {
                out.tally.error(kind);
                return None;
            }
        };
        out.reconnects += 1;
        let mut queue = Vec::new();
        if let Some((conversation, from)) = out.log.reconnected(lost.missed_events()) {
            queue.push(frames::resume([(conversation, from)]));
        }
        for (n, at) in out.log.unanswered() {
            queue.push(self.template.frame(n, at));
            out.log.resent += 1;
        }
        // A send that fails here shows as a lost connection at the next read: then again.
        for frame in queue {
            if ws.send(WsMessage::text(frame)).await.is_err() {
                break;
            }
        }
        Some(ws)
    }
}
