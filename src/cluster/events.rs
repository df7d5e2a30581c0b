use crate::store::{BlacklistKind, Conversation, Message, SenderKind};

/// Something that happened in a conversation, with what a deliverer needs to find its audience.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub tenant_id: String,
    pub conversation_id: String,
    pub visitor_id: String,
    /// The assigned agent; None while the conversation waits in the queue.
    pub agent_id: Option<String>,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum EventKind {
    Message(Message),
    Typing {
        from: SenderKind,
        on: bool,
        /// The visitor's unsent text, only when the tenant turned the typing preview on.
        draft: Option<String>,
    },
    Read {
        by: SenderKind,
        seq: i64,
    },
    /// The conversation changed state or agent.
    Updated(Conversation),
    /// The first message of a conversation that started while nobody could answer, for
    /// notification channels (e-mail, webhooks). Agents learn of it through the queue.
    OfflineMessage(Message),
    /// The conversation's place in the queue (1 = next), for its visitor.
    Queue {
        position: u64,
    },
    /// The model drafted a reply for the agent holding the conversation (hybrid mode).
    Draft {
        draft_id: String,
        body: String,
    },
}

/// An account's sessions ended (sign-out, password change or reset, disabled): the nodes close
/// its realtime connections.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SessionsRevoked {
    pub tenant_id: String,
    pub user_id: String,
}

/// A new blacklist entry, for the nodes to close the connections it matches.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Block {
    pub tenant_id: String,
    pub kind: BlacklistKind,
    /// An address, a CIDR block or a visitor id, in canonical form.
    pub value: String,
}

impl Block {
    /// Whether the entry covers a visitor with this id connecting from `ip`.
    pub fn matches(&self, visitor_id: &str, ip: std::net::IpAddr) -> bool {
        match self.kind {
            BlacklistKind::Visitor => self.value == visitor_id,
            BlacklistKind::Ip => self
                .value
                .parse::<std::net::IpAddr>()
                .is_ok_and(|v| v == ip),
            BlacklistKind::Cidr => self
                .value
                .parse::<ipnet::IpNet>()
                .is_ok_and(|n| n.contains(&ip)),
        }
    }
}

/// Something every connection of a tenant's visitors must hear, not tied to a conversation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Notice {
    /// The widget's look and texts changed: open widgets apply them without a reload.
    Widget { tenant_id: String, look: WidgetLook },
    /// A visitor arrived on or moved through the site (agents of the tenant hear it).
    LiveVisitor {
        tenant_id: String,
        visitor: super::LiveVisitor,
    },
    /// A visitor left the site (their last widget closed).
    LiveVisitorLeft {
        tenant_id: String,
        visitor_id: String,
    },
    /// Open this visitor's widget with a message.
    Invite {
        tenant_id: String,
        visitor_id: String,
        invitation: super::Invitation,
    },
}

/// The settings an open widget shows, as the `settings` frame carries them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WidgetLook {
    pub name: String,
    pub widget_title: String,
    pub widget_color: String,
    pub widget_position: String,
    pub welcome_message: String,
    pub offline_message: String,
}
