//! `[cluster]`: several nodes sharing the database and one Redis (docs/cluster.md).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// `redis://host:port[/db]`; empty: one node, with the in-process bus and presence.
    pub redis_url: String,
    /// Put before every Redis key and channel name.
    pub prefix: String,
    /// How often presence and leases are refreshed and the other nodes' presence read.
    pub heartbeat_ms: u64,
    /// How long a node's presence outlives its last refresh.
    pub presence_ttl_ms: u64,
    /// How long a lease outlives its holder's last renewal.
    pub lease_ttl_ms: u64,
    /// Bus messages waiting for Redis before new ones are dropped.
    pub publish_queue: usize,
}

impl ClusterConfig {
    /// Whether this node is one of several (a Redis URL is set).
    pub fn enabled(&self) -> bool {
        !self.redis_url.trim().is_empty()
    }

    /// The first setting that does not make sense, with the reason.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if !self.enabled() {
            return None;
        }
        let url = self.redis_url.trim();
        if url.starts_with("rediss://") {
            return Some((
                "cluster.redis_url",
                "rediss:// (TLS) is not built in: use redis:// over a private network or a local \
                 TLS tunnel"
                    .to_string(),
            ));
        }
        if !url.starts_with("redis://") {
            return Some((
                "cluster.redis_url",
                format!(
                    "'{}' must start with redis://",
                    crate::config::mask_url(url)
                ),
            ));
        }
        if self.prefix.is_empty()
            || !self
                .prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c))
        {
            return Some((
                "cluster.prefix",
                "must be letters, digits, '_', '-', '.' or ':' (not empty)".into(),
            ));
        }
        if self.heartbeat_ms < 50 {
            return Some(("cluster.heartbeat_ms", "must be at least 50".into()));
        }
        if self.presence_ttl_ms < self.heartbeat_ms * 2 {
            return Some((
                "cluster.presence_ttl_ms",
                "must be at least twice heartbeat_ms".into(),
            ));
        }
        if self.lease_ttl_ms < self.heartbeat_ms * 2 {
            return Some((
                "cluster.lease_ttl_ms",
                "must be at least twice heartbeat_ms".into(),
            ));
        }
        if self.publish_queue == 0 {
            return Some(("cluster.publish_queue", "must be above 0".into()));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> ClusterConfig {
        ClusterConfig {
            redis_url: url.into(),
            prefix: "uniqchat".into(),
            heartbeat_ms: 1000,
            presence_ttl_ms: 5000,
            lease_ttl_ms: 5000,
            publish_queue: 16,
        }
    }

    #[test]
    fn checks_only_what_cluster_mode_uses() {
        assert!(!settings("").enabled());
        assert_eq!(settings("").problem(), None);
        assert_eq!(settings("redis://127.0.0.1:6379").problem(), None);
        let key = |c: ClusterConfig| c.problem().map(|(k, _)| k);
        assert_eq!(key(settings("http://x")), Some("cluster.redis_url"));
        let tls = settings("rediss://h:6380").problem();
        assert!(tls.is_some_and(|(k, m)| k == "cluster.redis_url" && m.contains("TLS")));
        let mut c = settings("redis://h");
        c.prefix = "a b".into();
        assert_eq!(key(c), Some("cluster.prefix"));
        let mut c = settings("redis://h");
        c.presence_ttl_ms = 1500;
        assert_eq!(key(c), Some("cluster.presence_ttl_ms"));
        let mut c = settings("redis://h");
        c.lease_ttl_ms = 10;
        assert_eq!(key(c), Some("cluster.lease_ttl_ms"));
        let mut c = settings("redis://h");
        c.publish_queue = 0;
        assert_eq!(key(c), Some("cluster.publish_queue"));
    }
}
