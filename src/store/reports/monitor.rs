//! The live monitor's counts: the queue and the traffic of the last minutes.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::store::entities::{conversation, message};
use crate::store::{ConversationState, Store, StoreResult};

impl Store {
    /// Start times of the tenant's conversations waiting in the queue, oldest first (at most
    /// `limit`).
    pub async fn waiting_since(
        &self,
        tenant_id: &str,
        limit: u64,
    ) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
        Ok(conversation::Entity::find()
            .select_only()
            .column(conversation::Column::Id)
            .column(conversation::Column::CreatedAt)
            .filter(conversation::Column::TenantId.eq(tenant_id))
            .filter(conversation::Column::State.eq(ConversationState::Waiting))
            .order_by_asc(conversation::Column::CreatedAt)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// Messages of the tenant (any sender) stored at or after `since`.
    pub async fn count_messages_since(
        &self,
        tenant_id: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<u64> {
        Ok(message::Entity::find()
            .filter(message::Column::TenantId.eq(tenant_id))
            .filter(message::Column::CreatedAt.gte(since))
            .count(&self.db)
            .await?)
    }
}
