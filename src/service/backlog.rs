//! The backlog the operations gauges show: conversations waiting in a queue and webhook
//! deliveries still to make, read from the database now and then (not on every scrape, so
//! a scraper polling fast costs the database nothing).

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::store::{Store, StoreResult};
use crate::telemetry::metrics;

/// Samples the backlog every `every` until `shutdown`.
pub fn spawn_sampler(store: Store, every: Duration, shutdown: CancellationToken) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => {}
            }
            if let Err(e) = sample(&store).await {
                tracing::warn!(error = %e, "cannot sample the backlog gauges");
            }
        }
    });
}

async fn sample(store: &Store) -> StoreResult<()> {
    let waiting = store.count_waiting_everywhere().await?;
    let pending = store.count_pending_deliveries().await?;
    metrics::backlog(waiting, pending);
    Ok(())
}
