//! The retention sweep: deletes audit entries, finished webhook deliveries and agents' status
//! changes older than the `[retention]` settings, now and then, in `serve`.

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::config::RetentionConfig;
use crate::store::{Store, StoreResult};

/// What one sweep removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub audit_entries: u64,
    pub webhook_deliveries: u64,
    pub webhook_events: u64,
    pub agent_status_changes: u64,
}

/// One sweep with the settings as they are now.
pub async fn sweep(store: &Store, settings: &RetentionConfig) -> StoreResult<Swept> {
    let mut swept = Swept::default();
    if settings.audit_days > 0 {
        let cutoff = Utc::now() - chrono::Duration::days(settings.audit_days.into());
        swept.audit_entries = store.purge_audit_before(cutoff).await?;
    }
    if settings.webhook_deliveries_days > 0 {
        let cutoff = Utc::now() - chrono::Duration::days(settings.webhook_deliveries_days.into());
        let (deliveries, events) = store.purge_finished_deliveries_before(cutoff).await?;
        swept.webhook_deliveries = deliveries;
        swept.webhook_events = events;
    }
    if settings.agent_status_days > 0 {
        let cutoff = Utc::now() - chrono::Duration::days(settings.agent_status_days.into());
        swept.agent_status_changes = store.purge_status_changes_before(cutoff).await?;
    }
    Ok(swept)
}

/// Sweeps every `sweep_secs` (the first right at start) until `shutdown`.
pub fn spawn_sweeper(store: Store, settings: RetentionConfig, shutdown: CancellationToken) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(settings.sweep_secs));
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => {}
            }
            match sweep(&store, &settings).await {
                Ok(swept) if swept == Swept::default() => {}
                Ok(swept) => tracing::info!(?swept, "retention sweep"),
                Err(e) => tracing::warn!(error = %e, "retention sweep failed"),
            }
        }
    });
}
