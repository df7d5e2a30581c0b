//! The archive job in `serve`: one run every `retention.archive_secs` (the first at start),
//! only while this node holds the `archive` duty (once per cluster).

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{ArchiveService, RunOptions, TenantRun};
use crate::cluster::Duty;

pub fn spawn_job(
    service: ArchiveService,
    every: Duration,
    duty: Duty,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let options = RunOptions::default();
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => {}
            }
            if !duty.held() {
                continue;
            }
            // A run stops between conversations at shutdown: each one is done whole or not.
            tokio::select! {
                _ = shutdown.cancelled() => break,
                result = service.run(&options) => log(result),
            }
        }
    })
}

fn log(result: crate::service::ServiceResult<Vec<TenantRun>>) {
    match result {
        Ok(runs) => {
            for r in runs {
                if r.archived + r.deleted + r.skipped > 0 {
                    tracing::info!(
                        tenant = %r.tenant_id,
                        archived = r.archived,
                        deleted = r.deleted,
                        skipped = r.skipped,
                        "archive run"
                    );
                }
                crate::telemetry::metrics::archive_run(r.archived, r.deleted);
            }
        }
        Err(e) => tracing::warn!(error = %e, "archive run failed"),
    }
}
