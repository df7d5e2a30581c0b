//! Leases for work that must run on one node of the cluster at a time (inactivity close, the
//! webhook outbox): Redis `SET key node NX PX ttl`, renewed by its holder only while the key
//! still names it, released at shutdown, and taken by another node once its holder stops
//! renewing (the key expires).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use tokio_util::sync::CancellationToken;

use super::ClusterStatus;

/// Renews the lease if this node still holds it: 1 renewed, 0 not ours.
const RENEW: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"#;

/// Deletes the lease if this node holds it.
const RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// Whether this node may do a piece of once-per-cluster work right now.
#[derive(Clone)]
pub struct Duty {
    held: Arc<AtomicBool>,
}

impl Duty {
    /// One node alone: the work is always ours.
    pub fn always() -> Duty {
        Duty {
            held: Arc::new(AtomicBool::new(true)),
        }
    }

    pub fn held(&self) -> bool {
        self.held.load(Ordering::Relaxed)
    }
}

pub(crate) struct LeaseSettings {
    /// The duty's name (`inactivity`, `webhooks`, …), a metrics label.
    pub name: String,
    pub key: String,
    pub node: String,
    pub ttl: Duration,
    pub every: Duration,
}

/// Keeps trying to hold the lease until shutdown, then releases it. The returned task ends
/// once the lease is released.
pub(crate) fn spawn(
    conn: ConnectionManager,
    settings: LeaseSettings,
    status: ClusterStatus,
    shutdown: CancellationToken,
) -> (Duty, tokio::task::JoinHandle<()>) {
    let duty = Duty {
        held: Arc::new(AtomicBool::new(false)),
    };
    let held = duty.held.clone();
    crate::telemetry::metrics::cluster_lease(&settings.name, false);
    let task = tokio::spawn(async move {
        let mut lease = Lease {
            conn,
            settings,
            held,
            renewed: None,
        };
        let mut tick = tokio::time::interval(lease.settings.every);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => {}
            }
            match lease.step().await {
                Ok(()) => status.set_commands_ok(true),
                Err(e) => {
                    status.set_commands_ok(false);
                    tracing::debug!(error = %e, lease = %lease.settings.key, "lease step failed");
                    lease.expire_if_stale();
                }
            }
        }
        lease.release().await;
    });
    (duty, task)
}

struct Lease {
    conn: ConnectionManager,
    settings: LeaseSettings,
    held: Arc<AtomicBool>,
    /// When the lease was last taken or renewed.
    renewed: Option<Instant>,
}

impl Lease {
    async fn step(&mut self) -> redis::RedisResult<()> {
        let ttl_ms = self.settings.ttl.as_millis() as u64;
        if self.held.load(Ordering::Relaxed) {
            let renewed: i64 = redis::Script::new(RENEW)
                .key(&self.settings.key)
                .arg(&self.settings.node)
                .arg(ttl_ms)
                .invoke_async(&mut self.conn)
                .await?;
            if renewed == 1 {
                self.renewed = Some(Instant::now());
            } else {
                self.set_held(false);
            }
            return Ok(());
        }
        let taken: Option<String> = redis::cmd("SET")
            .arg(&self.settings.key)
            .arg(&self.settings.node)
            .arg("NX")
            .arg("PX")
            .arg(ttl_ms)
            .query_async(&mut self.conn)
            .await?;
        if taken.is_some() {
            self.renewed = Some(Instant::now());
            self.set_held(true);
        }
        Ok(())
    }

    /// Without a renewal the lease runs out in Redis: stop before another node may take it.
    fn expire_if_stale(&mut self) {
        let margin = self.settings.every;
        if self
            .renewed
            .is_some_and(|at| at.elapsed() + margin >= self.settings.ttl)
        {
            self.set_held(false);
        }
    }

    fn set_held(&self, held: bool) {
        if self.held.swap(held, Ordering::Relaxed) != held {
            tracing::info!(lease = %self.settings.key, held, "lease changed hands");
            crate::telemetry::metrics::cluster_lease(&self.settings.name, held);
        }
    }

    async fn release(&mut self) {
        if !self.held.swap(false, Ordering::Relaxed) {
            return;
        }
        crate::telemetry::metrics::cluster_lease(&self.settings.name, false);
        let released: redis::RedisResult<i64> = redis::Script::new(RELEASE)
            .key(&self.settings.key)
            .arg(&self.settings.node)
            .invoke_async(&mut self.conn)
            .await;
        if let Err(e) = released {
            tracing::warn!(error = %e, lease = %self.settings.key, "could not release a lease");
        }
    }
}
