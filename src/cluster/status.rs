//! How this node's link to the other nodes is doing, for `/readyz` and the logs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Shared between the Redis tasks (which set it) and the health check (which reads it).
#[derive(Clone, Default)]
pub struct ClusterStatus {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    subscribed: AtomicBool,
    commands_ok: AtomicBool,
    dropped: AtomicU64,
    node: String,
}

impl ClusterStatus {
    pub(crate) fn new(node: &str) -> ClusterStatus {
        ClusterStatus {
            inner: Arc::new(Inner {
                node: node.to_string(),
                ..Inner::default()
            }),
        }
    }

    /// This node's id in the cluster.
    pub fn node(&self) -> &str {
        &self.inner.node
    }

    /// Whether Redis answers commands and this node hears the other nodes.
    pub fn redis_up(&self) -> bool {
        self.inner.subscribed.load(Ordering::Relaxed)
            && self.inner.commands_ok.load(Ordering::Relaxed)
    }

    /// Bus messages this node could not publish since it started.
    pub fn dropped(&self) -> u64 {
        self.inner.dropped.load(Ordering::Relaxed)
    }

    pub(crate) fn set_subscribed(&self, up: bool) {
        self.inner.subscribed.store(up, Ordering::Relaxed);
        crate::telemetry::metrics::cluster_redis_up(self.redis_up());
    }

    pub(crate) fn set_commands_ok(&self, up: bool) {
        self.inner.commands_ok.store(up, Ordering::Relaxed);
        crate::telemetry::metrics::cluster_redis_up(self.redis_up());
    }

    pub(crate) fn count_dropped(&self) -> u64 {
        crate::telemetry::metrics::cluster_bus_dropped();
        self.inner.dropped.fetch_add(1, Ordering::Relaxed) + 1
    }
}
