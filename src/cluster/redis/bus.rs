//! The bus between nodes. A node delivers what it publishes to its own connections at once,
//! then hands it to a publisher task over a bounded queue (nothing that acknowledges a message
//! waits for Redis); a subscriber task delivers what the other nodes publish. A node that may
//! have missed messages (its subscription broke, or a node dropped messages while Redis was
//! down) tells its connections to reconnect and resume from the database.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::ConnectionManager;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{Names, RedisPresence, COMMAND_TIMEOUT};
use crate::cluster::wire::{BusMessage, Envelope};
use crate::cluster::{Block, Bus, ClusterStatus, Event, LocalBus, Notice, SessionsRevoked, Sink};

/// The longest wait between two attempts to subscribe again.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Most queued messages published in one pipeline (one round trip to Redis).
const BATCH: usize = 256;

pub struct RedisBus {
    local: LocalBus,
    node: String,
    queue: mpsc::Sender<BusMessage>,
    /// A message was dropped because the queue was full: the publisher sends a `Resync` first.
    overflowed: Arc<AtomicBool>,
    status: ClusterStatus,
}

impl RedisBus {
    pub(super) fn start(
        client: redis::Client,
        conn: ConnectionManager,
        names: Names,
        queue_len: usize,
        presence: Arc<RedisPresence>,
        status: ClusterStatus,
        shutdown: CancellationToken,
    ) -> Arc<RedisBus> {
        let (queue, rx) = mpsc::channel(queue_len);
        let overflowed = Arc::new(AtomicBool::new(false));
        let bus = Arc::new(RedisBus {
            local: LocalBus::default(),
            node: names.node.clone(),
            queue,
            overflowed: overflowed.clone(),
            status: status.clone(),
        });
        tokio::spawn(publisher(
            conn,
            names.clone(),
            Outbox { rx, overflowed },
            status.clone(),
        ));
        tokio::spawn(subscriber(client, names, bus.clone(), presence, shutdown));
        bus
    }

    /// Queues a message for the other nodes; when the queue is full it is dropped and counted,
    /// and the publisher sends a `Resync` ahead of the next message it publishes.
    pub(super) fn send(&self, msg: BusMessage) {
        if self.queue.try_send(msg).is_err() {
            self.overflowed.store(true, Ordering::Relaxed);
            let n = self.status.count_dropped();
            if n.is_power_of_two() {
                tracing::warn!(
                    dropped = n,
                    "bus queue full: messages for other nodes dropped"
                );
            }
        }
    }

    /// What another node published, for this node's connections.
    fn receive(&self, env: Envelope, presence: &RedisPresence) {
        if env.node == self.node {
            return;
        }
        match env.msg {
            BusMessage::Event(e) => self.local.publish(e),
            BusMessage::Block(b) => self.local.block(b),
            BusMessage::Notice(n) => self.local.notice(n),
            BusMessage::SessionsRevoked(r) => self.local.sessions_revoked(r),
            BusMessage::Presence => presence.refresh_soon(),
            BusMessage::Resync => self.local.resync(),
        }
    }
}

impl Bus for RedisBus {
    fn publish(&self, event: Event) {
        self.local.publish(event.clone());
        self.send(BusMessage::Event(event));
    }

    fn block(&self, block: Block) {
        self.local.block(block.clone());
        self.send(BusMessage::Block(block));
    }

    fn notice(&self, notice: Notice) {
        self.local.notice(notice.clone());
        self.send(BusMessage::Notice(notice));
    }

    fn sessions_revoked(&self, revoked: SessionsRevoked) {
        self.local.sessions_revoked(revoked.clone());
        self.send(BusMessage::SessionsRevoked(revoked));
    }

    fn subscribe(&self, sink: Arc<dyn Sink>) {
        self.local.subscribe(sink);
    }
}

/// What the publisher takes from: the queue, and whether `send` dropped something.
struct Outbox {
    rx: mpsc::Receiver<BusMessage>,
    overflowed: Arc<AtomicBool>,
}

/// Publishes queued messages, as many as are waiting (up to `BATCH`) in one pipeline. A batch
/// Redis does not take is dropped; so is what the queue could not hold. Either way the next
/// batch that goes through starts with a `Resync`, so the other nodes' clients catch up on what
/// was dropped from the database.
///
/// It runs until the bus is gone (or the process ends), not until shutdown starts: a draining
/// node still commits the messages in flight, and the other nodes' agents must hear of them.
async fn publisher(
    mut conn: ConnectionManager,
    names: Names,
    mut outbox: Outbox,
    status: ClusterStatus,
) {
    let channel = names.channel();
    let mut lost = false;
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        batch.clear();
        if outbox.rx.recv_many(&mut batch, BATCH).await == 0 {
            break;
        }
        if outbox.overflowed.swap(false, Ordering::Relaxed) {
            lost = true;
        }
        if lost {
            batch.insert(0, BusMessage::Resync);
        }
        let count = batch.len();
        if publish(&mut conn, &channel, &names.node, batch.drain(..)).await {
            lost = false;
        } else {
            lost = true;
            status.set_commands_ok(false);
            for _ in 0..count {
                let n = status.count_dropped();
                if n.is_power_of_two() {
                    tracing::warn!(
                        dropped = n,
                        "Redis unreachable: messages for other nodes dropped"
                    );
                }
            }
        }
    }
}

/// Publishes `msgs` in order in one pipeline; whether Redis took them all.
async fn publish(
    conn: &mut ConnectionManager,
    channel: &str,
    node: &str,
    msgs: impl Iterator<Item = BusMessage>,
) -> bool {
    let mut pipe = redis::pipe();
    for msg in msgs {
        let env = Envelope {
            node: node.to_string(),
            msg,
        };
        match env.encode() {
            Ok(text) => {
                pipe.cmd("PUBLISH").arg(channel).arg(text).ignore();
            }
            Err(e) => tracing::error!(error = %e, "cannot encode a bus message"),
        }
    }
    let sent = tokio::time::timeout(COMMAND_TIMEOUT, pipe.query_async::<()>(conn)).await;
    matches!(sent, Ok(Ok(())))
}

/// Listens on the cluster's channel, subscribing again whenever the connection breaks. Each
/// time it subscribes after a break, this node's connections are told to resume.
async fn subscriber(
    client: redis::Client,
    names: Names,
    bus: Arc<RedisBus>,
    presence: Arc<RedisPresence>,
    shutdown: CancellationToken,
) {
    let channel = names.channel();
    let mut missed = false;
    let mut backoff = Duration::from_millis(100);
    loop {
        match subscribe(&client, &channel).await {
            Ok(mut pubsub) => {
                bus.status.set_subscribed(true);
                backoff = Duration::from_millis(100);
                if missed {
                    tracing::info!("bus subscription is back: connections resume");
                    presence.refresh_soon();
                    bus.local.resync();
                }
                let mut stream = pubsub.on_message();
                loop {
                    let msg = tokio::select! {
                        _ = shutdown.cancelled() => return,
                        msg = stream.next() => msg,
                    };
                    let Some(msg) = msg else { break };
                    let Ok(text) = msg.get_payload::<String>() else {
                        continue;
                    };
                    match Envelope::decode(&text) {
                        Ok(env) => bus.receive(env, &presence),
                        Err(e) => tracing::warn!(error = %e, "ignored a malformed bus message"),
                    }
                }
                tracing::warn!("lost the bus subscription: subscribing again");
            }
            Err(e) => tracing::debug!(error = %e, "cannot subscribe to the bus"),
        }
        missed = true;
        bus.status.set_subscribed(false);
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

async fn subscribe(
    client: &redis::Client,
    channel: &str,
) -> redis::RedisResult<redis::aio::PubSub> {
    let attempt = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(channel).await?;
        Ok(pubsub)
    };
    match tokio::time::timeout(COMMAND_TIMEOUT * 2, attempt).await {
        Ok(result) => result,
        Err(_) => Err(redis::RedisError::from((
            redis::ErrorKind::IoError,
            "subscribing timed out",
        ))),
    }
}
