//! How events and presence travel between the parts of a node (and, later, between nodes).
//!
//! Services publish events; the realtime layer subscribes and delivers them to connections.
//! `LocalBus` keeps it in-process; a Redis-backed bus will implement the same traits.

mod events;
mod live;
mod local;

pub use events::{Block, Event, EventKind, Notice, SessionsRevoked, WidgetLook};
pub use live::{Invitation, LiveVisitor};
pub use local::{LocalBus, LocalPresence};

/// Receives every published event, e.g. the WebSocket hub of this node.
pub trait Sink: Send + Sync {
    fn deliver(&self, event: &Event);
    /// A visitor or address was blocked: its open connections must close.
    fn block(&self, block: &Block);
    /// A tenant-wide notice for the connections it concerns.
    fn notice(&self, notice: &Notice);
    /// An account's sessions ended: its open connections must close.
    fn sessions_revoked(&self, revoked: &SessionsRevoked);
}

pub trait Bus: Send + Sync {
    fn publish(&self, event: Event);
    fn block(&self, block: Block);
    fn notice(&self, notice: Notice);
    fn sessions_revoked(&self, revoked: SessionsRevoked);
    fn subscribe(&self, sink: std::sync::Arc<dyn Sink>);
}

/// Which agents have at least one live connection.
pub trait Presence: Send + Sync {
    fn agent_connected(&self, tenant_id: &str, user_id: &str);
    fn agent_disconnected(&self, tenant_id: &str, user_id: &str);
    fn online_agents(&self, tenant_id: &str) -> Vec<String>;
}
