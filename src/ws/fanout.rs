//! Delivering events to this node's connections: each event is serialised once and offered to
//! every connection in its audience.

use super::hub::{Frame, Hub};
use super::kick::Kick;
use super::protocol::ServerFrame;
use crate::cluster::{Block, Event, EventKind, Notice, SessionsRevoked, Sink};
use crate::store::{MessageKind, SenderKind};

/// Who hears about an event: the visitor side, the agent side, or both.
struct Audience {
    visitor: bool,
    /// The assigned agent, and the connections watching the conversation.
    agents: bool,
    /// Every agent of the tenant rather than only the assigned one (queue changes).
    all_agents: bool,
}

impl Sink for Hub {
    fn block(&self, block: &Block) {
        let reg = self.read();
        // Visitor ids are unique across tenants; addresses are not, so the tenant must match.
        for (visitor_id, conns) in &reg.visitors {
            for c in conns.iter().filter(|c| c.tenant_id == block.tenant_id) {
                if block.matches(visitor_id, c.ip) {
                    c.kick.kick(Kick::Blocked);
                }
            }
        }
    }

    fn sessions_revoked(&self, revoked: &SessionsRevoked) {
        let reg = self.read();
        let conns = reg
            .agents
            .get(&revoked.tenant_id)
            .and_then(|agents| agents.get(&revoked.user_id));
        for c in conns.into_iter().flatten() {
            c.kick.kick(Kick::SignedOut);
        }
    }

    fn resync(&self) {
        self.each(|c| c.kick.kick(Kick::Resync));
    }

    fn notice(&self, notice: &Notice) {
        match notice {
            Notice::Widget { tenant_id, look } => {
                let frame = Frame::from(ServerFrame::Settings { settings: look }.to_text());
                let reg = self.read();
                for c in reg.visitors.values().flatten() {
                    if c.tenant_id == *tenant_id {
                        c.offer(&frame);
                    }
                }
            }
            Notice::LiveVisitor { tenant_id, visitor } => {
                self.to_agents(tenant_id, ServerFrame::LiveVisitor { visitor });
            }
            Notice::LiveVisitorLeft {
                tenant_id,
                visitor_id,
            } => {
                self.to_agents(tenant_id, ServerFrame::LiveVisitorLeft { visitor_id });
            }
            Notice::Invite {
                tenant_id,
                visitor_id,
                invitation,
            } => {
                let frame = Frame::from(ServerFrame::Invitation { invitation }.to_text());
                let reg = self.read();
                for c in reg.visitors.get(visitor_id).into_iter().flatten() {
                    if c.tenant_id == *tenant_id {
                        c.offer(&frame);
                    }
                }
            }
        }
    }

    fn deliver(&self, event: &Event) {
        let Some((text, audience)) = frame_of(event) else {
            return;
        };
        let frame = Frame::from(text);
        let reg = self.read();
        if audience.visitor {
            for c in reg.visitors.get(&event.visitor_id).into_iter().flatten() {
                c.offer(&frame);
            }
        }
        if !audience.agents {
            return;
        }
        if let Some(agents) = reg.agents.get(&event.tenant_id) {
            if audience.all_agents {
                for c in agents.values().flatten() {
                    c.offer(&frame);
                }
                return;
            }
            if let Some(agent) = &event.agent_id {
                for c in agents.get(agent).into_iter().flatten() {
                    c.offer(&frame);
                }
            }
        }
        // Watchers that are not the holder (who heard it above).
        for (agent, c) in reg
            .watchers
            .get(&event.conversation_id)
            .into_iter()
            .flatten()
        {
            if event.agent_id.as_ref() != Some(agent) && c.tenant_id == event.tenant_id {
                c.offer(&frame);
            }
        }
    }
}

impl Hub {
    /// Offers a frame to every agent connection of the tenant.
    fn to_agents(&self, tenant_id: &str, frame: ServerFrame<'_>) {
        let frame = Frame::from(frame.to_text());
        let reg = self.read();
        for c in reg
            .agents
            .get(tenant_id)
            .into_iter()
            .flat_map(|a| a.values().flatten())
        {
            c.offer(&frame);
        }
    }
}

/// The frame an event becomes, and who hears it; None for events that are not for sockets.
fn frame_of(event: &Event) -> Option<(String, Audience)> {
    let conversation_id = &event.conversation_id;
    Some(match &event.kind {
        // Not for sockets: the message itself and the queue change were delivered already.
        EventKind::OfflineMessage(_) => return None,
        EventKind::Message(m) => (
            ServerFrame::Message { message: m }.to_text(),
            Audience {
                // Internal notes and agent-only event cards are for agents only.
                visitor: m.kind != MessageKind::Note && !m.internal,
                agents: true,
                all_agents: event.agent_id.is_none(),
            },
        ),
        EventKind::Typing { from, on, draft } => (
            ServerFrame::Typing {
                conversation_id,
                from: *from,
                on: *on,
                draft: draft.as_deref(),
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
                conversation_id,
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
                conversation_id,
                position: *position,
            }
            .to_text(),
            Audience {
                visitor: true,
                agents: false,
                all_agents: false,
            },
        ),
        // For the holder only: never the visitor, never the queue.
        EventKind::Draft { draft_id, body } => (
            ServerFrame::Draft {
                conversation_id,
                draft_id,
                body,
            }
            .to_text(),
            Audience {
                visitor: false,
                agents: true,
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
    })
}
