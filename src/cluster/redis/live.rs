//! The live visitors of every node, in Redis: one hash per tenant, `<prefix>:live:<tenant>`, with
//! a field per node and visitor (`<node>|<visitor>`) holding what agents see (`LiveVisitor` as
//! JSON). A node writes only its own fields, as its visitors arrive, move and leave. A reader
//! keeps the fields of nodes that are alive (the `nodes` set that presence refreshes) and
//! deletes the others, so the visitors of a node that died vanish once its presence expires.
//!
//! Writes never wait on Redis: they go to a map of what is still to be written, one entry per
//! visitor (the latest state wins), which a task flushes as one pipeline. While Redis is down
//! the map keeps the latest state of each of this node's visitors that changed — bounded by
//! those visitors, not by the number of changes — and is flushed when Redis is back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use redis::aio::ConnectionManager;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::Names;
use crate::cluster::{LiveDirectory, LiveVisitor};

/// (tenant, visitor) → the visitor as JSON to write, or None to delete.
type Unwritten = HashMap<(String, String), Option<String>>;

/// How long to wait before writing again after Redis failed a write.
const RETRY: Duration = Duration::from_secs(1);

pub struct RedisLiveDirectory {
    unwritten: Mutex<Unwritten>,
    wake: Notify,
    conn: ConnectionManager,
    names: Names,
}

impl RedisLiveDirectory {
    pub(super) fn start(
        conn: ConnectionManager,
        names: Names,
        shutdown: CancellationToken,
    ) -> Arc<RedisLiveDirectory> {
        let directory = Arc::new(RedisLiveDirectory {
            unwritten: Mutex::new(Unwritten::new()),
            wake: Notify::new(),
            conn,
            names,
        });
        tokio::spawn(writer(directory.clone(), shutdown));
        directory
    }

    fn field(&self, visitor_id: &str) -> String {
        format!("{}|{visitor_id}", self.names.node)
    }

    fn stage(&self, tenant_id: &str, visitor_id: &str, value: Option<String>) {
        self.unwritten
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((tenant_id.to_string(), visitor_id.to_string()), value);
        self.wake.notify_one();
    }

    /// Writes what is staged; on failure puts back what no newer change replaced meanwhile.
    async fn flush(&self) -> redis::RedisResult<()> {
        let batch = std::mem::take(&mut *self.unwritten.lock().unwrap_or_else(|e| e.into_inner()));
        if batch.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        for ((tenant, visitor), value) in &batch {
            let key = self.names.live_key(tenant);
            match value {
                Some(json) => pipe.hset(key, self.field(visitor), json).ignore(),
                None => pipe.hdel(key, self.field(visitor)).ignore(),
            };
        }
        let mut conn = self.conn.clone();
        let written: redis::RedisResult<()> = pipe.query_async(&mut conn).await;
        if written.is_err() {
            let mut unwritten = self.unwritten.lock().unwrap_or_else(|e| e.into_inner());
            for (key, value) in batch {
                unwritten.entry(key).or_insert(value);
            }
        }
        written
    }

    async fn read(&self, tenant_id: &str) -> redis::RedisResult<Vec<LiveVisitor>> {
        let mut conn = self.conn.clone();
        let key = self.names.live_key(tenant_id);
        let now_ms = chrono::Utc::now().timestamp_millis();
        let (alive, fields): (Vec<String>, HashMap<String, String>) = redis::pipe()
            .cmd("ZRANGEBYSCORE")
            .arg(self.names.nodes_key())
            .arg(now_ms)
            .arg("+inf")
            .hgetall(&key)
            .query_async(&mut conn)
            .await?;
        let mut visitors = Vec::new();
        let mut dead = Vec::new();
        for (field, json) in fields {
            let Some((node, _)) = field.split_once('|') else {
                dead.push(field);
                continue;
            };
            if node == self.names.node {
                continue; // this node's own: the registry has them first-hand
            }
            if !alive.iter().any(|n| n == node) {
                dead.push(field);
                continue;
            }
            match serde_json::from_str::<LiveVisitor>(&json) {
                Ok(v) => visitors.push(v),
                Err(_) => dead.push(field),
            }
        }
        if !dead.is_empty() {
            let _: redis::RedisResult<()> = redis::cmd("HDEL")
                .arg(&key)
                .arg(&dead)
                .query_async(&mut conn)
                .await;
        }
        Ok(visitors)
    }
}

impl LiveDirectory for RedisLiveDirectory {
    fn put(&self, tenant_id: &str, visitor: &LiveVisitor) {
        match serde_json::to_string(visitor) {
            Ok(json) => self.stage(tenant_id, &visitor.visitor_id, Some(json)),
            Err(e) => tracing::warn!(error = %e, "live: cannot encode a visitor"),
        }
    }

    fn remove(&self, tenant_id: &str, visitor_id: &str) {
        self.stage(tenant_id, visitor_id, None);
    }

    fn others<'a>(&'a self, tenant_id: &'a str) -> BoxFuture<'a, Vec<LiveVisitor>> {
        Box::pin(async move {
            self.read(tenant_id).await.unwrap_or_else(|e| {
                tracing::debug!(error = %e, "live: cannot read the other nodes' visitors");
                Vec::new()
            })
        })
    }
}

/// Flushes staged changes as they come, until shutdown; retries after a failure.
async fn writer(directory: Arc<RedisLiveDirectory>, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = directory.wake.notified() => {}
        }
        while let Err(e) = directory.flush().await {
            tracing::debug!(error = %e, "live: cannot write this node's visitors; retrying");
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(RETRY) => {}
            }
        }
    }
}
