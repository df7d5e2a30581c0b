//! What a connection writes: two queues drained by one task.
//!
//! Events (other people's messages, conversation changes, …) come from the hub, which never
//! waits: when a client falls `realtime.outbound_queue` frames (an agent
//! `realtime.agent_outbound_queue`) behind it is cut off with 4008.
//! Replies to the client's own requests (acks, errors, replays) have a queue of their own and
//! wait for room: a client that sends faster than it reads is slowed down by its own replies
//! (TCP pushes back on it), not cut off — unless it reads nothing at all for the idle timeout.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::SinkExt;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::hub::Frame;
use super::kick::{Kick, Kicker};

/// Room for replies not yet written.
pub const REPLY_QUEUE: usize = 64;

/// The sending side of a connection's replies.
pub struct Replies {
    tx: mpsc::Sender<Frame>,
    /// Fired, with the reason, when the connection ends; a reply waiting for room gives up.
    ending: CancellationToken,
    /// Kicked as too slow when the client read nothing for `wait` while a reply waited.
    kick: Kicker,
    wait: Duration,
}

impl Replies {
    pub fn new(
        tx: mpsc::Sender<Frame>,
        ending: CancellationToken,
        kick: Kicker,
        wait: Duration,
    ) -> Self {
        Replies {
            tx,
            ending,
            kick,
            wait,
        }
    }

    /// Queues a reply, waiting for room; false once the connection is ending.
    pub async fn send(&self, text: String) -> bool {
        // Room is the usual case: no timer for it.
        let frame = match self.tx.try_send(Frame::from(text)) {
            Ok(()) => return true,
            Err(mpsc::error::TrySendError::Closed(_)) => return false,
            Err(mpsc::error::TrySendError::Full(frame)) => frame,
        };
        tokio::select! {
            sent = self.tx.send(frame) => sent.is_ok(),
            _ = self.ending.cancelled() => false,
            _ = tokio::time::sleep(self.wait) => {
                self.kick.kick(Kick::TooSlow);
                false
            }
        }
    }
}

/// Writes the greeting first, then events and replies as they come, and a ping every
/// `heartbeat`; ends with our close frame when `close` names one. Fires `gone` when it stops.
pub async fn write_loop(
    mut sink: SplitSink<WebSocket, WsMessage>,
    events: mpsc::Receiver<Frame>,
    mut replies: mpsc::Receiver<Frame>,
    mut close: oneshot::Receiver<(u16, &'static str)>,
    heartbeat: Duration,
    gone: CancellationToken,
) {
    // `hello` is the first reply, and the first frame a client reads.
    let greeted = tokio::select! {
        biased;
        why = &mut close => {
            send_close(&mut sink, why.ok()).await;
            false
        }
        first = replies.recv() => match first {
            Some(frame) => sink.send(text(frame)).await.is_ok(),
            None => false,
        },
    };
    if greeted {
        pump(&mut sink, events, replies, close, heartbeat).await;
    }
    let _ = sink.close().await;
    gone.cancel();
}

/// Events and replies as they come, and a ping every `heartbeat`, until the connection ends.
async fn pump(
    sink: &mut SplitSink<WebSocket, WsMessage>,
    mut events: mpsc::Receiver<Frame>,
    mut replies: mpsc::Receiver<Frame>,
    mut close: oneshot::Receiver<(u16, &'static str)>,
    heartbeat: Duration,
) {
    let mut ping = interval(heartbeat);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ping.tick().await;
    loop {
        // Unbiased: neither queue starves the other.
        let sent = tokio::select! {
            why = &mut close => {
                // Answers already queued (an ack of a committed message) go out before the close,
                // so a client at a drain does not resend what it need not.
                while let Ok(frame) = replies.try_recv() {
                    if sink.send(text(frame)).await.is_err() {
                        return;
                    }
                }
                send_close(sink, why.ok()).await;
                break;
            }
            Some(frame) = events.recv() => gathered(sink, frame, &mut events, &mut replies).await,
            Some(frame) = replies.recv() => gathered(sink, frame, &mut events, &mut replies).await,
            _ = ping.tick() => sink.send(WsMessage::Ping(Default::default())).await,
        };
        if sent.is_err() {
            break;
        }
    }
}

/// Most frames gathered into one write.
const GATHER: usize = 64;

/// Writes `first` and whatever else is queued already (up to `GATHER` frames), flushing once:
/// a burst (the acks and echoes of a batch) costs one system call, not one per frame. Each
/// queue keeps its order.
async fn gathered(
    sink: &mut SplitSink<WebSocket, WsMessage>,
    first: Frame,
    events: &mut mpsc::Receiver<Frame>,
    replies: &mut mpsc::Receiver<Frame>,
) -> Result<(), axum::Error> {
    sink.feed(text(first)).await?;
    for _ in 1..GATHER {
        let Ok(next) = replies.try_recv().or_else(|_| events.try_recv()) else {
            break;
        };
        sink.feed(text(next)).await?;
    }
    sink.flush().await
}

fn text(frame: Frame) -> WsMessage {
    WsMessage::Text(frame.into_text())
}

async fn send_close(sink: &mut SplitSink<WebSocket, WsMessage>, why: Option<(u16, &'static str)>) {
    if let Some((code, why)) = why {
        let frame = CloseFrame {
            code,
            reason: why.into(),
        };
        let _ = sink.send(WsMessage::Close(Some(frame))).await;
    }
}
