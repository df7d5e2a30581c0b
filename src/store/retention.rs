//! Removing what is kept only for a while: old audit entries and finished webhook deliveries
//! with the events no delivery needs any more. Deletes go in chunks of ids so no single
//! statement holds locks over a whole table.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};

use super::entities::{agent_status_change, audit_entry, outbox_event, webhook_delivery};
use super::{DeliveryStatus, Store, StoreResult};

/// Rows removed per statement.
const CHUNK: u64 = 500;

impl Store {
    /// Deletes the rows of `E` that match `which`, `CHUNK` ids (`id`) at a time; returns how
    /// many.
    async fn delete_in_chunks<E, C>(&self, id: C, which: Condition) -> StoreResult<u64>
    where
        E: EntityTrait,
        C: ColumnTrait,
    {
        let mut removed = 0;
        loop {
            let ids: Vec<String> = E::find()
                .select_only()
                .column(id)
                .filter(which.clone())
                .limit(CHUNK)
                .into_tuple()
                .all(&self.db)
                .await?;
            if ids.is_empty() {
                return Ok(removed);
            }
            removed += E::delete_many()
                .filter(id.is_in(ids))
                .exec(&self.db)
                .await?
                .rows_affected;
        }
    }

    /// Deletes agents' status changes made before `cutoff`, all tenants; returns how many.
    pub async fn purge_status_changes_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64> {
        self.delete_in_chunks::<agent_status_change::Entity, _>(
            agent_status_change::Column::Id,
            Condition::all().add(agent_status_change::Column::ChangedAt.lt(cutoff)),
        )
        .await
    }

    /// Deletes audit entries created before `cutoff`, all tenants; returns how many.
    pub async fn purge_audit_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64> {
        self.delete_in_chunks::<audit_entry::Entity, _>(
            audit_entry::Column::Id,
            Condition::all().add(audit_entry::Column::CreatedAt.lt(cutoff)),
        )
        .await
    }

    /// Deletes deliveries that were delivered or given up and created before `cutoff`, then
    /// the events of that age that no delivery refers to any more; returns (deliveries,
    /// events). Pending deliveries and their events are never touched.
    pub async fn purge_finished_deliveries_before(
        &self,
        cutoff: DateTime<Utc>,
    ) -> StoreResult<(u64, u64)> {
        let deliveries = self
            .delete_in_chunks::<webhook_delivery::Entity, _>(
                webhook_delivery::Column::Id,
                Condition::all()
                    .add(webhook_delivery::Column::Status.ne(DeliveryStatus::Pending))
                    .add(webhook_delivery::Column::CreatedAt.lt(cutoff)),
            )
            .await?;
        // Only events already fanned out: one not yet fanned out still owes deliveries.
        let events = self
            .delete_in_chunks::<outbox_event::Entity, _>(
                outbox_event::Column::Id,
                Condition::all()
                    .add(outbox_event::Column::FannedOut.eq(true))
                    .add(outbox_event::Column::CreatedAt.lt(cutoff))
                    .add(
                        outbox_event::Column::Id.not_in_subquery(
                            Query::select()
                                .column(webhook_delivery::Column::EventId)
                                .from(webhook_delivery::Entity)
                                .to_owned(),
                        ),
                    ),
            )
            .await?;
        Ok((deliveries, events))
    }
}
