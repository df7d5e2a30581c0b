//! How events and presence travel between the parts of a node and between nodes.
//!
//! Services publish events; the realtime layer subscribes and delivers them to connections.
//! `LocalBus` keeps it in-process (one node); `redis::RedisCluster` carries the same messages
//! between nodes over Redis, keeps presence there and hands out leases (docs/cluster.md).

mod directory;
mod events;
pub mod lease;
mod live;
mod local;
pub mod redis;
mod status;
mod wire;

use std::sync::Arc;

pub use directory::{LiveDirectory, NoOtherNodes};
pub use events::{Block, Event, EventKind, Notice, SessionsRevoked, WidgetLook};
pub use lease::Duty;
pub use live::{Invitation, LiveVisitor};
pub use local::{LocalBus, LocalPresence};
pub use status::ClusterStatus;

/// Receives every published event, e.g. the WebSocket hub of this node.
pub trait Sink: Send + Sync {
    fn deliver(&self, event: &Event);
    /// A visitor or address was blocked: its open connections must close.
    fn block(&self, block: &Block);
    /// A tenant-wide notice for the connections it concerns.
    fn notice(&self, notice: &Notice);
    /// An account's sessions ended: its open connections must close.
    fn sessions_revoked(&self, revoked: &SessionsRevoked);
    /// Events may have been missed (the link between nodes broke): every connection must
    /// catch up from the database.
    fn resync(&self) {}
}

pub trait Bus: Send + Sync {
    fn publish(&self, event: Event);
    fn block(&self, block: Block);
    fn notice(&self, notice: Notice);
    fn sessions_revoked(&self, revoked: SessionsRevoked);
    fn subscribe(&self, sink: Arc<dyn Sink>);
}

/// Which agents have at least one live connection.
pub trait Presence: Send + Sync {
    fn agent_connected(&self, tenant_id: &str, user_id: &str);
    fn agent_disconnected(&self, tenant_id: &str, user_id: &str);
    fn online_agents(&self, tenant_id: &str) -> Vec<String>;
    /// Agents (tenant, user) of other nodes that vanished since the last call: their node died
    /// or left. Empty on a single node.
    fn departed(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// What a node's services share with the other nodes (or, alone, keep in-process).
#[derive(Clone)]
pub struct Parts {
    pub bus: Arc<dyn Bus>,
    pub presence: Arc<dyn Presence>,
    /// The live visitors of the other nodes.
    pub live: Arc<dyn LiveDirectory>,
    /// None on a single node.
    pub status: Option<ClusterStatus>,
}

impl Parts {
    /// One node: everything in this process.
    pub fn local() -> Parts {
        Parts {
            bus: Arc::new(LocalBus::default()),
            presence: Arc::new(LocalPresence::default()),
            live: Arc::new(NoOtherNodes),
            status: None,
        }
    }

    pub fn of(cluster: &redis::RedisCluster) -> Parts {
        Parts {
            bus: cluster.bus.clone(),
            presence: cluster.presence.clone(),
            live: cluster.live.clone(),
            status: Some(cluster.status.clone()),
        }
    }
}
