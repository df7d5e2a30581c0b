//! `[webhooks]`: how the outbox worker delivers webhook events.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhooksConfig {
    /// Run the delivery worker in this process.
    pub enabled: bool,
    /// Time limit for one call to a receiver (connect + answer), in seconds.
    pub timeout_secs: u64,
    /// Deliveries claimed (and sent side by side) in one round.
    pub batch: u64,
    /// How often the worker looks for due deliveries, in milliseconds.
    pub poll_ms: u64,
    /// The first retry waits this long; each further one twice as long (with ±20 % jitter).
    pub backoff_base_ms: u64,
    /// Longest wait between two attempts, in seconds.
    pub backoff_max_secs: u64,
    /// A delivery still failing this long after it was queued (or redelivered) is dead.
    pub max_age_secs: u64,
    /// An endpoint whose last this-many attempts all failed is disabled.
    pub disable_after: u32,
    /// Whether tenant admins may let an endpoint reach loopback, private, link-local or
    /// unique-local addresses (each endpoint must still ask for it). Off: never.
    pub allow_private_addresses: bool,
}

impl WebhooksConfig {
    /// The first setting that does not make sense, with the reason.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if self.timeout_secs == 0 || self.timeout_secs > 300 {
            return Some(("webhooks.timeout_secs", "must be 1 to 300"));
        }
        if self.batch == 0 || self.batch > 1000 {
            return Some(("webhooks.batch", "must be 1 to 1000"));
        }
        if self.poll_ms == 0 {
            return Some(("webhooks.poll_ms", "must be above 0"));
        }
        if self.backoff_base_ms == 0 || self.backoff_max_secs == 0 {
            return Some((
                "webhooks.backoff_base_ms",
                "backoff_base_ms and backoff_max_secs must be above 0",
            ));
        }
        if self.max_age_secs == 0 {
            return Some(("webhooks.max_age_secs", "must be above 0"));
        }
        if self.disable_after == 0 {
            return Some(("webhooks.disable_after", "must be above 0"));
        }
        None
    }
}
