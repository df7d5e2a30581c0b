//! `[retention]`: how long records kept only for a while are kept (docs/retention.md).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Audit entries older than this many days are deleted. 0: kept forever.
    pub audit_days: u32,
    /// Webhook deliveries that were delivered or given up, and events no delivery needs any
    /// more, are deleted this many days after they were queued. 0: kept forever.
    pub webhook_deliveries_days: u32,
    /// Agents' status changes (reports' status history) older than this many days are
    /// deleted. 0: kept forever.
    pub agent_status_days: u32,
    /// How often the sweep runs, in seconds.
    pub sweep_secs: u64,
    /// How often the archive job (archive and delete conversations by the tenants' settings)
    /// runs, in seconds.
    pub archive_secs: u64,
}

impl RetentionConfig {
    /// The first setting that does not make sense, with the reason.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if self.sweep_secs == 0 {
            return Some(("retention.sweep_secs", "must be above 0"));
        }
        if self.archive_secs == 0 {
            return Some(("retention.archive_secs", "must be above 0"));
        }
        None
    }
}
