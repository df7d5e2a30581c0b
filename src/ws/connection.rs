//! One WebSocket connection: reads requests in order, answers them, forwards events, pings,
//! and closes on idle, overload, shutdown or a protocol violation.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, Utf8Bytes, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use governor::clock::MonotonicClock;
use governor::{Quota, RateLimiter};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{interval, sleep_until, Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::hub::{Frame, Hub};
use super::protocol::{parse, ClientFrame, FrameError, ServerFrame};
use crate::service::chat::{ChatService, Participant, Sent, TransferTo};
use crate::service::ServiceError;

/// Close codes beyond the standard ones (RFC 6455 leaves 4000–4999 to applications).
pub mod close {
    pub const GOING_AWAY: u16 = 1001;
    pub const TOO_BIG: u16 = 1009;
    pub const SIGNED_OUT: u16 = 4001;
    pub const BLOCKED: u16 = 4003;
    pub const TOO_SLOW: u16 = 4008;
    pub const IDLE: u16 = 4009;
}

pub struct Limits {
    pub heartbeat: Duration,
    pub idle_timeout: Duration,
    pub queue: usize,
    pub frames_per_second: u32,
    pub frame_burst: u32,
}

pub struct Context {
    pub who: Participant,
    pub chat: ChatService,
    pub hub: Arc<Hub>,
    /// The client's address.
    pub ip: std::net::IpAddr,
    pub shutdown: CancellationToken,
    pub limits: Limits,
}

pub async fn run(socket: WebSocket, ctx: Context) {
    let (tx, rx) = mpsc::channel::<Frame>(ctx.limits.queue);
    let handle = ctx.hub.register(&ctx.who, ctx.ip, tx.clone());
    let span = tracing::debug_span!("ws", participant = %ctx.who.id());
    let reason = serve(
        socket,
        &ctx,
        &tx,
        rx,
        &handle.too_slow,
        &handle.blocked,
        &handle.signed_out,
    )
    .instrument(span)
    .await;
    ctx.hub.unregister(&ctx.who, &handle);
    ctx.chat.agent_disconnected(&ctx.who);
    tracing::debug!(?reason, "connection closed");
}

#[derive(Debug)]
enum End {
    ClientClosed,
    Close(u16, &'static str),
    Broken,
}

async fn serve(
    socket: WebSocket,
    ctx: &Context,
    tx: &mpsc::Sender<Frame>,
    rx: mpsc::Receiver<Frame>,
    too_slow: &CancellationToken,
    blocked: &CancellationToken,
    signed_out: &CancellationToken,
) -> End {
    let (sink, mut stream) = socket.split();
    // Writing has its own task, so a request that waits for queue room (a long replay) never
    // blocks the draining of that same queue.
    let (close_tx, close_rx) = oneshot::channel();
    let writer_gone = CancellationToken::new();
    let writer = tokio::spawn(write_loop(
        sink,
        rx,
        close_rx,
        ctx.limits.heartbeat,
        writer_gone.clone(),
    ));
    match Box::pin(hello(ctx)).await {
        Ok(text) => reply(tx, too_slow, &text),
        Err(e) => tracing::warn!(error = %e, "cannot greet connection"),
    }
    // After the greeting, so what routing hands this agent arrives after `hello`.
    if let Err(e) = Box::pin(ctx.chat.agent_connected(&ctx.who)).await {
        tracing::warn!(error = %e, "could not route on connect");
    }
    // The std clock: governor's default (quanta) probes the CPU each time one is made, which
    // showed in profiles of connection storms.
    let limiter = RateLimiter::direct_with_clock(
        Quota::per_second(NonZeroU32::new(ctx.limits.frames_per_second).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(ctx.limits.frame_burst).unwrap_or(NonZeroU32::MIN)),
        MonotonicClock,
    );
    let mut idle_deadline = Instant::now() + ctx.limits.idle_timeout;

    let end = loop {
        tokio::select! {
            biased;
            _ = ctx.shutdown.cancelled() => break End::Close(close::GOING_AWAY, "server shutting down"),
            _ = too_slow.cancelled() => break End::Close(close::TOO_SLOW, "too slow: reconnect and resume"),
            _ = blocked.cancelled() => break End::Close(close::BLOCKED, "blocked"),
            _ = signed_out.cancelled() => break End::Close(close::SIGNED_OUT, "signed out"),
            _ = writer_gone.cancelled() => break End::Broken,
            _ = sleep_until(idle_deadline) => break End::Close(close::IDLE, "no heartbeat"),
            incoming = stream.next() => {
                idle_deadline = Instant::now() + ctx.limits.idle_timeout;
                match incoming {
                    None | Some(Ok(WsMessage::Close(_))) => break End::ClientClosed,
                    Some(Err(e)) => {
                        // Tungstenite refuses frames over the size limit here.
                        let text = e.to_string();
                        if text.contains("too long") || text.contains("too big") || text.contains("Space limit") {
                            break End::Close(close::TOO_BIG, "frame too large");
                        }
                        break End::Broken;
                    }
                    Some(Ok(WsMessage::Text(text))) => {
                        if limiter.check().is_err() {
                            reply(tx, too_slow, &ServerFrame::Error { id: None, code: "rate_limited", message: "too many frames; slow down" }.to_text());
                            continue;
                        }
                        // Boxed: a request's future holds its database calls and is many times the
                        // size of this loop; inline, every idle connection would carry that space.
                        Box::pin(handle(ctx, tx, too_slow, text.as_str())).await;
                    }
                    Some(Ok(WsMessage::Binary(_))) => {
                        reply(tx, too_slow, &ServerFrame::Error { id: None, code: "invalid_frame", message: "frames are JSON text" }.to_text());
                    }
                    Some(Ok(_)) => {} // ping/pong: liveness already noted
                }
            }
        }
    };
    match &end {
        End::Close(code, why) => {
            let _ = close_tx.send((*code, *why));
        }
        // Dropping the sender tells the writer to stop without a close frame of ours.
        _ => drop(close_tx),
    }
    let _ = writer.await;
    if matches!(end, End::Close(..)) {
        // Give the client a moment to answer the close frame, so it reads our code and reason
        // instead of a reset connection.
        let _ = tokio::time::timeout(CLOSE_LINGER, async {
            while let Some(Ok(msg)) = stream.next().await {
                if matches!(msg, WsMessage::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
    end
}

const CLOSE_LINGER: Duration = Duration::from_secs(1);

async fn write_loop(
    mut sink: SplitSink<WebSocket, WsMessage>,
    mut rx: mpsc::Receiver<Frame>,
    mut close_rx: oneshot::Receiver<(u16, &'static str)>,
    heartbeat: Duration,
    gone: CancellationToken,
) {
    let mut ping = interval(heartbeat);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ping.tick().await;
    loop {
        tokio::select! {
            biased;
            close = &mut close_rx => {
                if let Ok((code, why)) = close {
                    let _ = sink.send(WsMessage::Close(Some(CloseFrame { code, reason: why.into() }))).await;
                }
                break;
            }
            Some(frame) = rx.recv() => {
                if sink.send(WsMessage::Text(Utf8Bytes::from(&*frame))).await.is_err() {
                    break;
                }
            }
            _ = ping.tick() => {
                if sink.send(WsMessage::Ping(Default::default())).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = sink.close().await;
    gone.cancel();
}

async fn hello(ctx: &Context) -> Result<String, ServiceError> {
    let conversations = ctx.chat.open_conversations(&ctx.who).await?;
    Ok(ServerFrame::Hello {
        role: ctx.who.kind(),
        participant_id: ctx.who.id(),
        conversations: &conversations,
        heartbeat_secs: ctx.limits.heartbeat.as_secs(),
    }
    .to_text())
}

/// Queues a reply for this connection; a full queue means the client is not reading.
fn reply(tx: &mpsc::Sender<Frame>, too_slow: &CancellationToken, text: &str) {
    if let Err(mpsc::error::TrySendError::Full(_)) = tx.try_send(Arc::from(text)) {
        too_slow.cancel();
    }
}

fn ack(id: Option<&str>, sent: &Sent) -> String {
    ServerFrame::Ack {
        id,
        conversation_id: &sent.conversation.id,
        message_id: &sent.message.id,
        client_msg_id: sent.message.client_msg_id.as_deref(),
        seq: sent.message.seq,
        created_at: sent.message.created_at,
        duplicate: sent.duplicate,
    }
    .to_text()
}

fn error_frame(id: Option<&str>, e: &ServiceError) -> String {
    let message = match e {
        ServiceError::Store(_) | ServiceError::Internal(_) => {
            tracing::error!(error = %e, "request failed");
            "internal error".to_string()
        }
        other => other.to_string(),
    };
    ServerFrame::Error {
        id,
        code: e.code(),
        message: &message,
    }
    .to_text()
}

async fn handle(ctx: &Context, tx: &mpsc::Sender<Frame>, too_slow: &CancellationToken, text: &str) {
    let frame = match parse(text) {
        Ok(f) => f,
        Err(FrameError::Malformed(why)) => {
            return reply(
                tx,
                too_slow,
                &ServerFrame::Error {
                    id: None,
                    code: "invalid_frame",
                    message: &why,
                }
                .to_text(),
            );
        }
        Err(FrameError::UnknownType(t)) => {
            let message = format!("unknown frame type '{t}'");
            return reply(
                tx,
                too_slow,
                &ServerFrame::Error {
                    id: None,
                    code: "unknown_type",
                    message: &message,
                }
                .to_text(),
            );
        }
        Err(FrameError::Invalid { id, field, message }) => {
            let message = format!("{field}: {message}");
            return reply(
                tx,
                too_slow,
                &ServerFrame::Error {
                    id: id.as_deref(),
                    code: "validation_failed",
                    message: &message,
                }
                .to_text(),
            );
        }
    };
    let who = &ctx.who;
    match frame {
        ClientFrame::Send {
            id,
            conversation_id,
            client_msg_id,
            body,
        } => {
            let text = match ctx
                .chat
                .send(who, conversation_id.as_deref(), &client_msg_id, &body)
                .await
            {
                Ok(sent) => ack(id.as_deref(), &sent),
                Err(e) => error_frame(id.as_deref(), &e),
            };
            reply(tx, too_slow, &text);
        }
        ClientFrame::Resume { id, conversations } => {
            let mut reached = BTreeMap::new();
            for (conversation_id, from) in conversations {
                let mut last = from;
                loop {
                    let page = match ctx.chat.messages_after(who, &conversation_id, last).await {
                        Ok(p) => p,
                        Err(e) => {
                            reply(tx, too_slow, &error_frame(id.as_deref(), &e));
                            break;
                        }
                    };
                    let Some(tail) = page.last() else { break };
                    last = tail.seq;
                    for m in &page {
                        // Replays wait for room in the queue instead of cutting the client off.
                        if tx
                            .send(Arc::from(ServerFrame::Message { message: m }.to_text()))
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                }
                reached.insert(conversation_id, last);
            }
            reply(
                tx,
                too_slow,
                &ServerFrame::Resumed {
                    id: id.as_deref(),
                    conversations: &reached,
                }
                .to_text(),
            );
        }
        ClientFrame::Read {
            id,
            conversation_id,
            seq,
        } => {
            if let Err(e) = ctx.chat.mark_read(who, &conversation_id, seq).await {
                reply(tx, too_slow, &error_frame(id.as_deref(), &e));
            }
        }
        ClientFrame::Typing {
            conversation_id,
            on,
        } => {
            if let Err(e) = ctx.chat.typing(who, &conversation_id, on).await {
                reply(tx, too_slow, &error_frame(None, &e));
            }
        }
        ClientFrame::Accept {
            id,
            conversation_id,
        } => {
            let text = match ctx.chat.accept(who, &conversation_id).await {
                Ok(c) => ServerFrame::Accepted {
                    id: id.as_deref(),
                    conversation: &c,
                }
                .to_text(),
                Err(e) => error_frame(id.as_deref(), &e),
            };
            reply(tx, too_slow, &text);
        }
        ClientFrame::Close {
            id,
            conversation_id,
        } => {
            let text = match ctx.chat.close(who, &conversation_id).await {
                Ok(c) => ServerFrame::Closed {
                    id: id.as_deref(),
                    conversation: &c,
                }
                .to_text(),
                Err(e) => error_frame(id.as_deref(), &e),
            };
            reply(tx, too_slow, &text);
        }
        ClientFrame::Rate {
            id,
            conversation_id,
            rating,
            comment,
        } => {
            let text = match ctx
                .chat
                .rate(who, &conversation_id, rating, comment.as_deref())
                .await
            {
                Ok(c) => ServerFrame::Rated {
                    id: id.as_deref(),
                    conversation: &c,
                }
                .to_text(),
                Err(e) => error_frame(id.as_deref(), &e),
            };
            reply(tx, too_slow, &text);
        }
        ClientFrame::Note {
            id,
            conversation_id,
            client_msg_id,
            body,
        } => {
            let text = match ctx
                .chat
                .send_note(who, &conversation_id, &client_msg_id, &body)
                .await
            {
                Ok(sent) => ack(id.as_deref(), &sent),
                Err(e) => error_frame(id.as_deref(), &e),
            };
            reply(tx, too_slow, &text);
        }
        ClientFrame::Transfer {
            id,
            conversation_id,
            to_agent_id,
            to_group_id,
            note,
        } => {
            let to = match (to_agent_id, to_group_id) {
                (Some(agent), None) => Ok(TransferTo::Agent(agent)),
                (None, Some(group)) => Ok(TransferTo::Group(group)),
                _ => Err(ServiceError::invalid(
                    "to_agent_id",
                    "give either to_agent_id or to_group_id",
                )),
            };
            let result = match to {
                Ok(to) => {
                    ctx.chat
                        .transfer(who, &conversation_id, to, note.as_deref())
                        .await
                }
                Err(e) => Err(e),
            };
            let text = match result {
                Ok(c) => ServerFrame::Transferred {
                    id: id.as_deref(),
                    conversation: &c,
                }
                .to_text(),
                Err(e) => error_frame(id.as_deref(), &e),
            };
            reply(tx, too_slow, &text);
        }
        ClientFrame::Block {
            id,
            conversation_id,
            reason,
        } => {
            let text = match ctx
                .chat
                .block_visitor(who, &conversation_id, reason.as_deref())
                .await
            {
                Ok(c) => ServerFrame::Blocked {
                    id: id.as_deref(),
                    conversation: &c,
                }
                .to_text(),
                Err(e) => error_frame(id.as_deref(), &e),
            };
            reply(tx, too_slow, &text);
        }
        ClientFrame::Status { id, status } => {
            let text = match ctx.chat.set_status(who, status).await {
                Ok(status) => ServerFrame::Status {
                    id: id.as_deref(),
                    status,
                }
                .to_text(),
                Err(e) => error_frame(id.as_deref(), &e),
            };
            reply(tx, too_slow, &text);
        }
        ClientFrame::Ping { id } => reply(
            tx,
            too_slow,
            &ServerFrame::Pong { id: id.as_deref() }.to_text(),
        ),
    }
}
