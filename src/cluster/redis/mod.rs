//! The several-node implementation: a bus over Redis pub/sub, presence in Redis keys with
//! expiry, and leases (docs/cluster.md). Nothing here is reachable with Redis types from above.

mod bus;
mod live;
mod presence;

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio_util::sync::CancellationToken;

pub use bus::RedisBus;
pub use live::RedisLiveDirectory;
pub use presence::RedisPresence;

use super::lease::{self, Duty, LeaseSettings};
use super::ClusterStatus;
use crate::config::ClusterConfig;

/// Commands to Redis give up after this long, so a Redis that hangs cannot hold anything up.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cannot reach Redis at {url}: {source}")]
    Connect {
        url: String,
        source: redis::RedisError,
    },
}

/// The names this node uses in Redis.
#[derive(Clone)]
pub(crate) struct Names {
    pub prefix: String,
    pub node: String,
}

impl Names {
    pub fn channel(&self) -> String {
        format!("{}:bus", self.prefix)
    }
    pub fn presence_key(&self, node: &str) -> String {
        format!("{}:presence:{node}", self.prefix)
    }
    pub fn nodes_key(&self) -> String {
        format!("{}:nodes", self.prefix)
    }
    pub fn live_key(&self, tenant_id: &str) -> String {
        format!("{}:live:{tenant_id}", self.prefix)
    }
    pub fn lease_key(&self, name: &str) -> String {
        format!("{}:lease:{name}", self.prefix)
    }
}

/// A node's membership of the cluster: its bus, its presence and its leases.
pub struct RedisCluster {
    pub bus: Arc<RedisBus>,
    pub presence: Arc<RedisPresence>,
    pub live: Arc<RedisLiveDirectory>,
    pub status: ClusterStatus,
    conn: ConnectionManager,
    names: Names,
    settings: ClusterConfig,
    shutdown: CancellationToken,
    leases: Vec<tokio::task::JoinHandle<()>>,
}

impl RedisCluster {
    /// Connects (Redis must answer at start) and starts the publisher, subscriber and presence
    /// tasks; they run until `shutdown`.
    pub async fn start(
        settings: &ClusterConfig,
        shutdown: CancellationToken,
    ) -> Result<RedisCluster, ClusterError> {
        let url = crate::config::mask_url(settings.redis_url.trim());
        let failed = |source| ClusterError::Connect {
            url: url.clone(),
            source,
        };
        let client = redis::Client::open(settings.redis_url.trim()).map_err(failed)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(COMMAND_TIMEOUT)
            .set_response_timeout(COMMAND_TIMEOUT)
            .set_number_of_retries(1)
            .set_max_delay(500);
        let conn = ConnectionManager::new_with_config(client.clone(), config)
            .await
            .map_err(failed)?;
        let names = Names {
            prefix: settings.prefix.clone(),
            node: crate::types::ids::new_id(),
        };
        let status = ClusterStatus::new(&names.node);
        status.set_commands_ok(true);
        let heartbeat = Duration::from_millis(settings.heartbeat_ms);
        let presence = RedisPresence::start(
            conn.clone(),
            names.clone(),
            heartbeat,
            Duration::from_millis(settings.presence_ttl_ms),
            status.clone(),
            shutdown.clone(),
        );
        let bus = RedisBus::start(
            client,
            conn.clone(),
            names.clone(),
            settings.publish_queue,
            presence.clone(),
            status.clone(),
            shutdown.clone(),
        );
        presence.set_bus(bus.clone());
        let live = RedisLiveDirectory::start(conn.clone(), names.clone(), shutdown.clone());
        tracing::info!(node = %names.node, redis = %url, prefix = %names.prefix, "joined the cluster");
        Ok(RedisCluster {
            bus,
            presence,
            live,
            status,
            conn,
            names,
            settings: settings.clone(),
            shutdown,
            leases: Vec::new(),
        })
    }

    /// This node's id in the cluster.
    pub fn node(&self) -> &str {
        &self.names.node
    }

    /// Starts competing for the lease `name`; the work it guards runs while the Duty is held.
    pub fn lease(&mut self, name: &str) -> Duty {
        let every = Duration::from_millis(self.settings.heartbeat_ms);
        let (duty, task) = lease::spawn(
            self.conn.clone(),
            LeaseSettings {
                name: name.to_string(),
                key: self.names.lease_key(name),
                node: self.names.node.clone(),
                ttl: Duration::from_millis(self.settings.lease_ttl_ms),
                every,
            },
            self.status.clone(),
            self.shutdown.clone(),
        );
        self.leases.push(task);
        duty
    }

    /// After shutdown: waits until the leases are released (so another node takes over at once).
    pub async fn leave(self, deadline: Duration) {
        let leases = futures_util::future::join_all(self.leases);
        if tokio::time::timeout(deadline, leases).await.is_err() {
            tracing::warn!("leases were not released within the shutdown deadline");
        }
        self.presence.leave().await;
    }
}
