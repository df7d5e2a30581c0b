//! This node's live connections: who is connected, and which conversation each agent
//! connection watches. The fan-out of events to them is in `fanout.rs`.
//!
//! Each connection has a bounded queue of pre-serialised frames. An event is serialised once
//! and offered to every connection in its audience; a connection whose queue is full is cut off
//! (it resumes when it reconnects) rather than slowing down anybody else.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;

use super::kick::{Kick, Kicker};
use crate::service::chat::Participant;

/// A serialised frame: cloned for each receiver by a reference count, written without a copy.
/// One pointer wide: a connection's queues allocate their first block of slots when they are
/// made, so every idle connection pays for the width of a slot (docs/performance.md,
/// "Sixth round").
#[derive(Clone)]
pub struct Frame(Arc<Utf8Bytes>);

impl From<String> for Frame {
    fn from(text: String) -> Self {
        Frame(Arc::new(Utf8Bytes::from(text)))
    }
}

impl Frame {
    /// The text to write: taken as it is when this was the last copy, else shared.
    pub fn into_text(self) -> Utf8Bytes {
        Arc::try_unwrap(self.0).unwrap_or_else(|shared| Utf8Bytes::clone(&shared))
    }
}

#[derive(Clone)]
pub struct ConnHandle {
    pub(super) id: u64,
    tx: mpsc::Sender<Frame>,
    /// Fired, with its reason, when the server ends the connection.
    pub(super) kick: Kicker,
    /// The client's address (for blocks by IP or CIDR).
    pub(super) ip: IpAddr,
    pub(super) tenant_id: String,
}

impl ConnHandle {
    /// Queues an event's frame; a full queue means the client is not reading: it is cut off.
    pub(super) fn offer(&self, frame: &Frame) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(frame.clone()) {
            self.kick.kick(Kick::TooSlow);
        }
    }
}

#[derive(Default)]
pub(super) struct Registry {
    pub(super) visitors: HashMap<String, Vec<ConnHandle>>,
    /// tenant → agent → connections
    pub(super) agents: HashMap<String, HashMap<String, Vec<ConnHandle>>>,
    /// conversation → the agent connections watching it, with their agent's id
    pub(super) watchers: HashMap<String, Vec<(String, ConnHandle)>>,
    /// connection id → the conversation it watches
    watching: HashMap<u64, String>,
}

impl Registry {
    fn unwatch(&mut self, conn: u64) {
        let Some(conversation) = self.watching.remove(&conn) else {
            return;
        };
        if let Some(list) = self.watchers.get_mut(&conversation) {
            list.retain(|(_, c)| c.id != conn);
            if list.is_empty() {
                self.watchers.remove(&conversation);
            }
        }
    }
}

#[derive(Default)]
pub struct Hub {
    registry: RwLock<Registry>,
    next_id: AtomicU64,
}

impl Hub {
    pub fn register(&self, who: &Participant, ip: IpAddr, tx: mpsc::Sender<Frame>) -> ConnHandle {
        let handle = ConnHandle {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            tx,
            kick: Kicker::default(),
            ip,
            tenant_id: who.tenant_id().to_string(),
        };
        let mut reg = self.registry.write().unwrap_or_else(|e| e.into_inner());
        match who {
            Participant::Visitor { visitor_id, .. } => {
                reg.visitors
                    .entry(visitor_id.clone())
                    .or_default()
                    .push(handle.clone());
            }
            Participant::Agent {
                tenant_id, user_id, ..
            } => {
                reg.agents
                    .entry(tenant_id.clone())
                    .or_default()
                    .entry(user_id.clone())
                    .or_default()
                    .push(handle.clone());
            }
        }
        handle
    }

    pub fn unregister(&self, who: &Participant, handle: &ConnHandle) {
        let mut reg = self.registry.write().unwrap_or_else(|e| e.into_inner());
        reg.unwatch(handle.id);
        match who {
            Participant::Visitor { visitor_id, .. } => {
                if let Some(list) = reg.visitors.get_mut(visitor_id) {
                    list.retain(|c| c.id != handle.id);
                    if list.is_empty() {
                        reg.visitors.remove(visitor_id);
                    }
                }
            }
            Participant::Agent {
                tenant_id, user_id, ..
            } => {
                if let Some(agents) = reg.agents.get_mut(tenant_id) {
                    if let Some(list) = agents.get_mut(user_id) {
                        list.retain(|c| c.id != handle.id);
                        if list.is_empty() {
                            agents.remove(user_id);
                        }
                    }
                    if agents.is_empty() {
                        reg.agents.remove(tenant_id);
                    }
                }
            }
        }
    }

    /// The agent connection now watches `conversation` (None: nothing): it hears every event
    /// of it, as its holder does. One conversation per connection; the last call wins.
    pub fn watch(&self, agent_id: &str, handle: &ConnHandle, conversation: Option<&str>) {
        let mut reg = self.registry.write().unwrap_or_else(|e| e.into_inner());
        reg.unwatch(handle.id);
        if let Some(conversation) = conversation {
            reg.watching.insert(handle.id, conversation.to_string());
            reg.watchers
                .entry(conversation.to_string())
                .or_default()
                .push((agent_id.to_string(), handle.clone()));
        }
    }

    pub fn connections(&self) -> usize {
        let reg = self.read();
        reg.visitors.values().map(Vec::len).sum::<usize>()
            + reg
                .agents
                .values()
                .flat_map(|a| a.values())
                .map(Vec::len)
                .sum::<usize>()
    }

    /// Every connection of this node, visitors' and agents'.
    pub(super) fn each(&self, mut f: impl FnMut(&ConnHandle)) {
        let reg = self.read();
        reg.visitors.values().flatten().for_each(&mut f);
        reg.agents
            .values()
            .flat_map(|a| a.values())
            .flatten()
            .for_each(&mut f);
    }

    pub(super) fn read(&self) -> RwLockReadGuard<'_, Registry> {
        self.registry.read().unwrap_or_else(|e| e.into_inner())
    }
}

impl crate::service::mail::VisitorsOnline for Hub {
    fn is_connected(&self, visitor_id: &str) -> bool {
        self.read().visitors.contains_key(visitor_id)
    }
}
