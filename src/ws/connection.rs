//! One WebSocket connection: reads requests in order, answers them, forwards events, pings,
//! and closes on idle, overload, shutdown or a protocol violation.

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message as WsMessage, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::StreamExt;
use governor::clock::MonotonicClock;
use governor::{Quota, RateLimiter};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{sleep_until, Instant};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::admission::{Admission, Ticket};
use super::hub::{ConnHandle, Frame, Hub};
use super::in_flight::InFlight;
use super::outbound::{write_loop, Replies, REPLY_QUEUE};
use super::protocol::{request_id, ServerFrame};
use super::requests::{self, error_frame};
use crate::service::chat::{ChatService, Participant};
use crate::service::LiveService;

/// Close codes beyond the standard ones (RFC 6455 leaves 4000–4999 to applications).
pub mod close {
    pub const GOING_AWAY: u16 = 1001;
    pub const TOO_BIG: u16 = 1009;
    pub const SIGNED_OUT: u16 = 4001;
    pub const BLOCKED: u16 = 4003;
    pub const TOO_SLOW: u16 = 4008;
    pub const IDLE: u16 = 4009;
    pub const RESYNC: u16 = 4012;
}

pub struct Limits {
    pub heartbeat: Duration,
    pub idle_timeout: Duration,
    pub queue: usize,
    pub frames_per_second: u32,
    pub frame_burst: u32,
}

/// What every connection of the node shares, made once (`AppState::new`): a connection holds
/// a reference to it, not copies of the services, which would take more room than the rest of
/// an idle connection's state (docs/performance.md, "Sixth round").
pub struct Gateway {
    pub chat: ChatService,
    pub live: LiveService,
    pub hub: Arc<Hub>,
    pub admission: Arc<Admission>,
    pub shutdown: CancellationToken,
}

/// One connection's own settings, and the services it calls.
pub struct Context {
    pub who: Participant,
    /// The client's address.
    pub ip: std::net::IpAddr,
    pub limits: Limits,
    pub gateway: Arc<Gateway>,
}

/// A connection as its requests see it.
pub struct Conn<'a> {
    pub ctx: &'a Context,
    pub handle: ConnHandle,
    replies: Replies,
    /// Messages queued to the writer whose acks are still to be sent.
    pub in_flight: InFlight,
}

impl Conn<'_> {
    /// Queues an answer to the client; false once the connection is ending.
    pub async fn reply(&self, text: String) -> bool {
        self.replies.send(text).await
    }

    /// Answers the oldest message in flight (waiting for its commit).
    pub async fn answer_oldest(&mut self) {
        let Some((id, queued)) = self.in_flight.pop() else {
            return;
        };
        // Boxed: a refused message takes the whole `send` path, whose future is many times the
        // size of this one; inline, it would sit in every connection's state, idle or not
        // (docs/performance.md, "Fifth round").
        let sent = Box::pin(self.ctx.gateway.chat.finish_send(&self.ctx.who, queued)).await;
        requests::reply_sent(self, id.as_deref(), sent).await;
    }

    /// Answers every message in flight, oldest first: what comes before any other answer.
    pub async fn answer_in_flight(&mut self) {
        while !self.in_flight.is_empty() {
            Box::pin(self.answer_oldest()).await;
        }
    }
}

/// Serves the connection until it ends; `ticket`, its place under the connection caps, is given
/// back then.
///
/// An `async` block, not an `async fn`: an `async fn` keeps a second copy of its arguments in
/// its state for the whole connection. The calls that wait for the database are boxed, so the
/// state an idle connection keeps is only what it waits on (docs/performance.md, "Sixth round").
pub fn run(socket: WebSocket, ctx: Context, ticket: Ticket) -> impl Future<Output = ()> + Send {
    let (sink, stream) = socket.split();
    async move {
        let (events_tx, events) = mpsc::channel::<Frame>(ctx.limits.queue);
        let handle = ctx.gateway.hub.register(&ctx.who, ctx.ip, events_tx);
        if let Participant::Visitor {
            tenant_id,
            visitor_id,
        } = &ctx.who
        {
            Box::pin(ctx.gateway.live.connected(tenant_id, visitor_id, ctx.ip)).await;
        }
        let span = tracing::debug_span!("ws", participant = %ctx.who.id());
        let reason = serve(sink, stream, &ctx, handle.clone(), events)
            .instrument(span)
            .await;
        ctx.gateway.hub.unregister(&ctx.who, &handle);
        ctx.gateway.chat.agent_disconnected(&ctx.who);
        if let Participant::Visitor {
            tenant_id,
            visitor_id,
        } = &ctx.who
        {
            ctx.gateway.live.disconnected(tenant_id, visitor_id);
        }
        drop(ticket);
        tracing::debug!(?reason, "connection closed");
    }
}

#[derive(Debug)]
enum End {
    ClientClosed,
    Close(u16, &'static str),
    Broken,
}

/// Starts the connection's writer, then (in the future it returns) greets the client and
/// serves it until the connection ends. Like `run`, a plain function around an `async` block,
/// so that only what the loop waits on stays in the connection's state.
fn serve<'a>(
    sink: SplitSink<WebSocket, WsMessage>,
    mut stream: SplitStream<WebSocket>,
    ctx: &'a Context,
    handle: ConnHandle,
    events: mpsc::Receiver<Frame>,
) -> impl Future<Output = End> + Send + 'a {
    let (replies_tx, replies_rx) = mpsc::channel::<Frame>(REPLY_QUEUE);
    // Writing has its own task, so a request that waits for room (a long replay) never blocks
    // the draining of that same queue.
    let (close_tx, close_rx) = oneshot::channel();
    let writer_gone = CancellationToken::new();
    let writer = tokio::spawn(write_loop(
        sink,
        events,
        replies_rx,
        close_rx,
        ctx.limits.heartbeat,
        writer_gone.clone(),
    ));
    let ending = CancellationToken::new();
    let kick = handle.kick.clone();
    let mut conn = Conn {
        ctx,
        replies: Replies::new(
            replies_tx,
            ending.clone(),
            kick.clone(),
            ctx.limits.idle_timeout,
        ),
        handle,
        in_flight: InFlight::default(),
    };
    async move {
        let greeting = match Box::pin(hello(ctx)).await {
            Ok(text) => text,
            Err(e) => error_frame(None, &e),
        };
        conn.reply(greeting).await;
        // After the greeting, so what routing hands this agent arrives after `hello`.
        if let Err(e) = Box::pin(ctx.gateway.chat.agent_connected(&ctx.who)).await {
            tracing::warn!(error = %e, "could not route on connect");
        }
        // The std clock: governor's default (quanta) probes the CPU each time one is made, which
        // showed in profiles of connection storms.
        let limiter = RateLimiter::direct_with_clock(
            Quota::per_second(
                NonZeroU32::new(ctx.limits.frames_per_second).unwrap_or(NonZeroU32::MIN),
            )
            .allow_burst(NonZeroU32::new(ctx.limits.frame_burst).unwrap_or(NonZeroU32::MIN)),
            MonotonicClock,
        );
        let mut idle_deadline = Instant::now() + ctx.limits.idle_timeout;

        let end = loop {
            tokio::select! {
                biased;
                _ = ctx.gateway.shutdown.cancelled() => break End::Close(close::GOING_AWAY, "server shutting down"),
                why = kick.kicked() => {
                    let (code, reason) = why.close();
                    break End::Close(code, reason);
                }
                _ = writer_gone.cancelled() => break End::Broken,
                _ = sleep_until(idle_deadline) => break End::Close(close::IDLE, "no heartbeat"),
                _ = conn.in_flight.oldest_committed() => Box::pin(conn.answer_oldest()).await,
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
                                conn.answer_in_flight().await;
                                conn.reply(rate_limited(text.as_str())).await;
                                continue;
                            }
                            // Boxed: a request's future holds its database calls and is many times the
                            // size of this loop; inline, every idle connection would carry that space.
                            Box::pin(requests::handle(&mut conn, text.as_str())).await;
                        }
                        Some(Ok(WsMessage::Binary(_))) => {
                            let refused = ServerFrame::Error { id: None, code: "invalid_frame", message: "frames are JSON text" };
                            conn.answer_in_flight().await;
                            conn.reply(refused.to_text()).await;
                        }
                        Some(Ok(_)) => {} // ping/pong: liveness already noted
                    }
                }
            }
        };
        ending.cancel();
        // What was queued is committed whatever happens to the connection; its follow-up (an
        // agent's first reply recorded, say) is done. The acks go nowhere: a client that
        // reconnects resends what it has no ack for and is answered with the stored copy.
        conn.answer_in_flight().await;
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
}

const CLOSE_LINGER: Duration = Duration::from_secs(1);

/// The refusal of a frame over the rate, naming the request it refuses.
fn rate_limited(text: &str) -> String {
    let id = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| request_id(&v));
    ServerFrame::Error {
        id: id.as_deref(),
        code: "rate_limited",
        message: "too many frames; slow down",
    }
    .to_text()
}

async fn hello(ctx: &Context) -> Result<String, crate::service::ServiceError> {
    let conversations = ctx.gateway.chat.open_conversations(&ctx.who).await?;
    Ok(ServerFrame::Hello {
        role: ctx.who.kind(),
        participant_id: ctx.who.id(),
        conversations: &conversations,
        heartbeat_secs: ctx.limits.heartbeat.as_secs(),
    }
    .to_text())
}
