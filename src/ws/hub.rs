//! This node's live connections, and the fan-out of events to them.
//!
//! Each connection has a bounded queue of pre-serialised frames. An event is serialised once
//! and offered to every connection in its audience; a connection whose queue is full is cut off
//! (it resumes when it reconnects) rather than slowing down anybody else.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::protocol::ServerFrame;
use crate::cluster::{Block, Event, EventKind, SessionsRevoked, Sink};
use crate::service::chat::Participant;
use crate::store::{MessageKind, SenderKind};

pub type Frame = Arc<str>;

#[derive(Clone)]
pub struct ConnHandle {
    id: u64,
    tx: mpsc::Sender<Frame>,
    /// Fired when the connection must close because it fell behind.
    pub too_slow: CancellationToken,
    /// Fired when the visitor or their address was blocked.
    pub blocked: CancellationToken,
    /// Fired when the agent's sessions ended (signed out, password changed, disabled).
    pub signed_out: CancellationToken,
    /// The client's address (for blocks by IP or CIDR).
    ip: IpAddr,
    tenant_id: String,
}

#[derive(Default)]
struct Registry {
    visitors: HashMap<String, Vec<ConnHandle>>,
    /// tenant → agent → connections
    agents: HashMap<String, HashMap<String, Vec<ConnHandle>>>,
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
            too_slow: CancellationToken::new(),
            blocked: CancellationToken::new(),
            signed_out: CancellationToken::new(),
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

    pub fn connections(&self) -> usize {
        let reg = self.registry.read().unwrap_or_else(|e| e.into_inner());
        reg.visitors.values().map(Vec::len).sum::<usize>()
            + reg
                .agents
                .values()
                .flat_map(|a| a.values())
                .map(Vec::len)
                .sum::<usize>()
    }

    fn offer(handle: &ConnHandle, frame: &Frame) {
        if let Err(mpsc::error::TrySendError::Full(_)) = handle.tx.try_send(frame.clone()) {
            handle.too_slow.cancel();
        }
    }
}

/// Who hears about an event: the visitor side, the agent side, or both.
struct Audience {
    visitor: bool,
    agents: bool,
    /// Every agent of the tenant rather than only the assigned one (queue changes).
    all_agents: bool,
}

impl Sink for Hub {
    fn block(&self, block: &Block) {
        let reg = self.registry.read().unwrap_or_else(|e| e.into_inner());
        // Visitor ids are unique across tenants; addresses are not, so the tenant must match.
        for (visitor_id, conns) in &reg.visitors {
            for c in conns.iter().filter(|c| c.tenant_id == block.tenant_id) {
                if block.matches(visitor_id, c.ip) {
                    c.blocked.cancel();
                }
            }
        }
    }

    fn sessions_revoked(&self, revoked: &SessionsRevoked) {
        let reg = self.registry.read().unwrap_or_else(|e| e.into_inner());
        let conns = reg
            .agents
            .get(&revoked.tenant_id)
            .and_then(|agents| agents.get(&revoked.user_id));
        for c in conns.into_iter().flatten() {
            c.signed_out.cancel();
        }
    }

    fn deliver(&self, event: &Event) {
        let (text, audience) = match &event.kind {
            // Not for sockets: the message itself and the queue change were delivered already.
            EventKind::OfflineMessage(_) => return,
            EventKind::Message(m) => (
                ServerFrame::Message { message: m }.to_text(),
                Audience {
                    // Internal notes are for agents only.
                    visitor: m.kind != MessageKind::Note,
                    agents: true,
                    all_agents: event.agent_id.is_none(),
                },
            ),
            EventKind::Typing { from, on } => (
                ServerFrame::Typing {
                    conversation_id: &event.conversation_id,
                    from: *from,
                    on: *on,
                }
                .to_text(),
                Audience {
                    visitor: *from != SenderKind::Visitor,
                    agents: *from == SenderKind::Visitor,
                    all_agents: event.agent_id.is_none(),
                },
            ),
            EventKind::Read { by, seq } => (
                ServerFrame::Read {
                    conversation_id: &event.conversation_id,
                    by: *by,
                    seq: *seq,
                }
                .to_text(),
                Audience {
                    visitor: *by != SenderKind::Visitor,
                    agents: *by == SenderKind::Visitor,
                    all_agents: false,
                },
            ),
            EventKind::Queue { position } => (
                ServerFrame::Queue {
                    conversation_id: &event.conversation_id,
                    position: *position,
                }
                .to_text(),
                Audience {
                    visitor: true,
                    agents: false,
                    all_agents: false,
                },
            ),
            EventKind::Updated(c) => (
                ServerFrame::Conversation { conversation: c }.to_text(),
                Audience {
                    visitor: true,
                    agents: true,
                    all_agents: true,
                },
            ),
        };
        let frame: Frame = Arc::from(text);
        let reg = self.registry.read().unwrap_or_else(|e| e.into_inner());
        if audience.visitor {
            for c in reg.visitors.get(&event.visitor_id).into_iter().flatten() {
                Hub::offer(c, &frame);
            }
        }
        if audience.agents {
            if let Some(agents) = reg.agents.get(&event.tenant_id) {
                if audience.all_agents {
                    for c in agents.values().flatten() {
                        Hub::offer(c, &frame);
                    }
                } else if let Some(agent) = &event.agent_id {
                    for c in agents.get(agent).into_iter().flatten() {
                        Hub::offer(c, &frame);
                    }
                }
            }
        }
    }
}
