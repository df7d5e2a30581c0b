//! Removing what is kept only for a while: old audit entries and finished webhook deliveries
//! with the events no delivery needs any more. Deletes go in chunks of ids so no single
//! statement holds locks over a whole table.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entities::{agent_status_change, audit_entry, outbox_event, webhook_delivery};
use super::{DeliveryStatus, Store, StoreResult};

/// Rows removed per statement.
const CHUNK: u64 = 500;

impl Store {
    /// Deletes agents' status changes made before `cutoff`, all tenants; returns how many.
    pub async fn purge_status_changes_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64> {
        let mut removed = 0;
        loop {
            let ids: Vec<String> = agent_status_change::Entity::find()
                .select_only()
                .column(agent_status_change::Column::Id)
                .filter(agent_status_change::Column::ChangedAt.lt(cutoff))
                .limit(CHUNK)
                .into_tuple()
                .all(&self.db)
                .await?;
            if ids.is_empty() {
                return Ok(removed);
            }
            removed += agent_status_change::Entity::delete_many()
                .filter(agent_status_change::Column::Id.is_in(ids))
                .exec(&self.db)
                .await?
                .rows_affected;
        }
    }

    /// Deletes audit entries created before `cutoff`, all tenants; returns how many.
    pub async fn purge_audit_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64> {
        let mut removed = 0;
        loop {
            let ids: Vec<String> = audit_entry::Entity::find()
                .select_only()
                .column(audit_entry::Column::Id)
                .filter(audit_entry::Column::CreatedAt.lt(cutoff))
                .limit(CHUNK)
                .into_tuple()
                .all(&self.db)
                .await?;
            if ids.is_empty() {
                return Ok(removed);
            }
            removed += audit_entry::Entity::delete_many()
                .filter(audit_entry::Column::Id.is_in(ids))
                .exec(&self.db)
                .await?
                .rows_affected;
        }
    }

    /// Deletes deliveries that were delivered or given up and created before `cutoff`, then
    /// the events of that age that no delivery refers to any more; returns (deliveries,
    /// events). Pending deliveries and their events are never touched.
    pub async fn purge_finished_deliveries_before(
        &self,
        cutoff: DateTime<Utc>,
    ) -> StoreResult<(u64, u64)> {
        let mut deliveries = 0;
        loop {
            let ids: Vec<String> = webhook_delivery::Entity::find()
                .select_only()
                .column(webhook_delivery::Column::Id)
                .filter(webhook_delivery::Column::Status.ne(DeliveryStatus::Pending))
                .filter(webhook_delivery::Column::CreatedAt.lt(cutoff))
                .limit(CHUNK)
                .into_tuple()
                .all(&self.db)
                .await?;
            if ids.is_empty() {
                break;
            }
            deliveries += webhook_delivery::Entity::delete_many()
                .filter(webhook_delivery::Column::Id.is_in(ids))
                .exec(&self.db)
                .await?
                .rows_affected;
        }
        let mut events = 0;
        loop {
            // Only events already fanned out: one not yet fanned out still owes deliveries.
            let ids: Vec<String> = outbox_event::Entity::find()
                .select_only()
                .column(outbox_event::Column::Id)
                .filter(outbox_event::Column::FannedOut.eq(true))
                .filter(outbox_event::Column::CreatedAt.lt(cutoff))
                .filter(
                    outbox_event::Column::Id.not_in_subquery(
                        Query::select()
                            .column(webhook_delivery::Column::EventId)
                            .from(webhook_delivery::Entity)
                            .to_owned(),
                    ),
                )
                .limit(CHUNK)
                .into_tuple()
                .all(&self.db)
                .await?;
            if ids.is_empty() {
                return Ok((deliveries, events));
            }
            events += outbox_event::Entity::delete_many()
                .filter(outbox_event::Column::Id.is_in(ids))
                .exec(&self.db)
                .await?
                .rows_affected;
        }
    }
}
