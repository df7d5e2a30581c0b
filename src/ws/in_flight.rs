//! A connection's messages in flight: `send`s queued to the writer whose commit has not been
//! answered yet. A client that sends without waiting for each ack (as the widget does while
//! the visitor types fast, and as every bulk client does) gets its messages into the same
//! batch; the acks still go out one by one in the order the messages were sent, and any
//! other request first waits for them, so a client sees every answer in request order.

use std::collections::VecDeque;

use crate::service::chat::QueuedSend;

/// How many messages one connection may have waiting for their commit; the next `send`
/// waits for the oldest (the client is slowed, not refused).
pub const MAX_IN_FLIGHT: usize = 32;

#[derive(Default)]
pub struct InFlight {
    /// Each queued message with the `id` of the request that sent it, oldest first.
    queue: VecDeque<(Option<String>, QueuedSend)>,
}

impl InFlight {
    pub fn push(&mut self, id: Option<String>, queued: QueuedSend) {
        self.queue.push_back((id, queued));
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.queue.len() >= MAX_IN_FLIGHT
    }

    pub fn pop(&mut self) -> Option<(Option<String>, QueuedSend)> {
        self.queue.pop_front()
    }

    /// Resolves once the oldest message has its answer; never while there is none.
    /// Cancel-safe, for a `select!`.
    pub async fn oldest_committed(&mut self) {
        match self.queue.front_mut() {
            Some((_, queued)) => queued.committed().await,
            None => std::future::pending().await,
        }
    }
}
