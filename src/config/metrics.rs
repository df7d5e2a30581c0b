//! `[metrics]`: the Prometheus scrape endpoint, `GET /metrics` (docs/metrics.md).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Record metrics and answer `GET /metrics`. Off: the route answers 404.
    pub enabled: bool,
    /// A scrape must send `Authorization: Bearer <token>`. Empty: only scrapes whose TCP peer
    /// is a loopback address are answered (a proxy in front does not make one local).
    pub token: String,
    /// How often the database backlog gauges are sampled, in seconds.
    pub sample_secs: u64,
}

impl MetricsConfig {
    /// The first setting that does not make sense, with the reason.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if !self.token.is_empty() && self.token.len() < 16 {
            return Some(("metrics.token", "must be empty or at least 16 characters"));
        }
        if self.sample_secs == 0 {
            return Some(("metrics.sample_secs", "must be above 0"));
        }
        None
    }
}
