//! Agents' presence across nodes. Each node keeps its own connections in memory (as on one
//! node) and writes them to Redis as one key with an expiry, `<prefix>:presence:<node>`,
//! refreshed every heartbeat and at once when they change; it reads the other nodes' keys on
//! every heartbeat and when another node says its agents changed. A dead node stops refreshing,
//! its key expires, and its agents count as gone. The trait's methods stay synchronous: they
//! read the cache the heartbeat keeps.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{Names, RedisBus};
use crate::cluster::wire::BusMessage;
use crate::cluster::{ClusterStatus, LocalPresence, Presence};

/// tenant → agents
type Agents = HashMap<String, HashSet<String>>;

pub struct RedisPresence {
    local: LocalPresence,
    /// The other nodes' agents, as last read.
    remote: RwLock<Agents>,
    /// The other nodes as last read, with their agents.
    nodes: Mutex<HashMap<String, Agents>>,
    /// Agents of nodes that vanished, with when it was noticed, until someone takes them.
    gone: Mutex<Vec<(Instant, String, String)>>,
    /// This node's agents changed: write them now.
    changed: Notify,
    /// Another node's agents changed: read them now.
    refresh: Notify,
    bus: OnceLock<Arc<RedisBus>>,
    conn: ConnectionManager,
    names: Names,
    ttl: Duration,
}

impl RedisPresence {
    pub(super) fn start(
        conn: ConnectionManager,
        names: Names,
        every: Duration,
        ttl: Duration,
        status: ClusterStatus,
        shutdown: CancellationToken,
    ) -> Arc<RedisPresence> {
        let presence = Arc::new(RedisPresence {
            local: LocalPresence::default(),
            remote: RwLock::new(Agents::new()),
            nodes: Mutex::new(HashMap::new()),
            gone: Mutex::new(Vec::new()),
            changed: Notify::new(),
            refresh: Notify::new(),
            bus: OnceLock::new(),
            conn,
            names,
            ttl,
        });
        tokio::spawn(heartbeat(presence.clone(), every, status, shutdown));
        presence
    }

    pub(super) fn set_bus(&self, bus: Arc<RedisBus>) {
        let _ = self.bus.set(bus);
    }

    /// Reads the other nodes' presence at the next chance.
    pub(super) fn refresh_soon(&self) {
        self.refresh.notify_one();
    }

    /// At shutdown: this node's agents are gone at once (not after the expiry).
    pub(super) async fn leave(&self) {
        let mut conn = self.conn.clone();
        let mut pipe = redis::pipe();
        pipe.del(self.names.presence_key(&self.names.node))
            .zrem(self.names.nodes_key(), &self.names.node);
        let _: redis::RedisResult<()> = pipe.query_async(&mut conn).await;
        if let Some(bus) = self.bus.get() {
            bus.send(BusMessage::Presence);
        }
    }

    /// Writes this node's agents, then reads everyone's.
    async fn beat(&self, announce: bool) -> redis::RedisResult<()> {
        let mut conn = self.conn.clone();
        let mine = serde_json::to_string(&self.local.snapshot()).unwrap_or_else(|_| "{}".into());
        let ttl_ms = self.ttl.as_millis() as u64;
        let now_ms = chrono::Utc::now().timestamp_millis();
        let mut pipe = redis::pipe();
        pipe.cmd("SET")
            .arg(self.names.presence_key(&self.names.node))
            .arg(mine)
            .arg("PX")
            .arg(ttl_ms)
            .ignore()
            .zadd(
                self.names.nodes_key(),
                &self.names.node,
                now_ms + ttl_ms as i64,
            )
            .ignore()
            .zrembyscore(self.names.nodes_key(), "-inf", now_ms - ttl_ms as i64)
            .ignore();
        let () = pipe.query_async(&mut conn).await?;
        if announce {
            if let Some(bus) = self.bus.get() {
                bus.send(BusMessage::Presence);
            }
        }
        let nodes: Vec<String> = redis::cmd("ZRANGEBYSCORE")
            .arg(self.names.nodes_key())
            .arg(now_ms)
            .arg("+inf")
            .query_async(&mut conn)
            .await?;
        let others: Vec<String> = nodes
            .into_iter()
            .filter(|n| *n != self.names.node)
            .collect();
        let mut read = HashMap::new();
        if !others.is_empty() {
            let keys: Vec<String> = others.iter().map(|n| self.names.presence_key(n)).collect();
            let values: Vec<Option<String>> =
                redis::cmd("MGET").arg(&keys).query_async(&mut conn).await?;
            for (node, text) in others.into_iter().zip(values) {
                let Some(Ok(agents)) = text.map(|t| serde_json::from_str::<Agents>(&t)) else {
                    continue;
                };
                read.insert(node, agents);
            }
        }
        self.settle(read);
        Ok(())
    }

    /// Takes a fresh read of the other nodes: the cache, and the agents of vanished nodes.
    fn settle(&self, read: HashMap<String, Agents>) {
        let mut all = Agents::new();
        for agents in read.values() {
            for (tenant, users) in agents {
                all.entry(tenant.clone())
                    .or_default()
                    .extend(users.iter().cloned());
            }
        }
        let before = std::mem::replace(
            &mut *self.nodes.lock().unwrap_or_else(|e| e.into_inner()),
            read,
        );
        let now = Instant::now();
        let mut gone = self.gone.lock().unwrap_or_else(|e| e.into_inner());
        // Kept for a while for whoever holds the hand-back lease, then forgotten.
        gone.retain(|(at, _, _)| now.duration_since(*at) < self.ttl * 4);
        let nodes = self.nodes.lock().unwrap_or_else(|e| e.into_inner());
        for (node, agents) in before {
            if nodes.contains_key(&node) {
                continue;
            }
            tracing::info!(node = %node, "a node left the cluster");
            for (tenant, users) in agents {
                for user in users {
                    gone.push((now, tenant.clone(), user));
                }
            }
        }
        *self.remote.write().unwrap_or_else(|e| e.into_inner()) = all;
    }
}

impl Presence for RedisPresence {
    fn agent_connected(&self, tenant_id: &str, user_id: &str) {
        self.local.agent_connected(tenant_id, user_id);
        self.changed.notify_one();
    }

    fn agent_disconnected(&self, tenant_id: &str, user_id: &str) {
        self.local.agent_disconnected(tenant_id, user_id);
        self.changed.notify_one();
    }

    fn online_agents(&self, tenant_id: &str) -> Vec<String> {
        let mut agents: HashSet<String> = self.local.online_agents(tenant_id).into_iter().collect();
        let remote = self.remote.read().unwrap_or_else(|e| e.into_inner());
        if let Some(theirs) = remote.get(tenant_id) {
            agents.extend(theirs.iter().cloned());
        }
        agents.into_iter().collect()
    }

    fn departed(&self) -> Vec<(String, String)> {
        let mut gone = self.gone.lock().unwrap_or_else(|e| e.into_inner());
        gone.drain(..).map(|(_, t, u)| (t, u)).collect()
    }
}

/// Refreshes this node's key and the cache until shutdown. While Redis is down the cache keeps
/// what it last read (the database decides assignment; a stale entry only means a routing
/// attempt that the database may turn down), so an outage does not take everyone offline.
async fn heartbeat(
    presence: Arc<RedisPresence>,
    every: Duration,
    status: ClusterStatus,
    shutdown: CancellationToken,
) {
    let mut tick = tokio::time::interval(every);
    loop {
        let announce = tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => false,
            _ = presence.changed.notified() => true,
            _ = presence.refresh.notified() => false,
        };
        match presence.beat(announce).await {
            Ok(()) => status.set_commands_ok(true),
            Err(e) => {
                status.set_commands_ok(false);
                tracing::debug!(error = %e, "presence heartbeat failed");
            }
        }
    }
}
