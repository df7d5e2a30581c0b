//! Counts for the team list and the admin overview.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use super::entities::conversation::{self, Column};
use super::entities::webhook_delivery;
use super::{ConversationState, DeliveryStatus, Store, StoreResult};

impl Store {
    /// Conversations of the tenant in one of `states`, created at or after `since` if given.
    pub async fn count_conversations(
        &self,
        tenant_id: &str,
        states: &[ConversationState],
        since: Option<DateTime<Utc>>,
    ) -> StoreResult<u64> {
        let mut query = conversation::Entity::find().filter(Column::TenantId.eq(tenant_id));
        if !states.is_empty() {
            query = query.filter(Column::State.is_in(states.iter().copied()));
        }
        if let Some(since) = since {
            query = query.filter(Column::CreatedAt.gte(since));
        }
        Ok(query.count(&self.db).await?)
    }

    /// Per agent, the conversations they hold open (chatting or being transferred).
    pub async fn open_chats_by_agent(&self, tenant_id: &str) -> StoreResult<Vec<(String, i64)>> {
        let rows: Vec<(Option<String>, i64)> = conversation::Entity::find()
            .select_only()
            .column(Column::AgentId)
            .column_as(Column::Id.count(), "open")
            .filter(Column::TenantId.eq(tenant_id))
            .filter(
                Column::State.is_in([ConversationState::Chatting, ConversationState::Transferring]),
            )
            .filter(Column::AgentId.is_not_null())
            .group_by(Column::AgentId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(agent, n)| agent.map(|a| (a, n)))
            .collect())
    }

    /// Conversations waiting in a queue, across all tenants (the operations gauge).
    pub async fn count_waiting_everywhere(&self) -> StoreResult<u64> {
        Ok(conversation::Entity::find()
            .filter(Column::State.eq(ConversationState::Waiting))
            .count(&self.db)
            .await?)
    }

    /// Webhook deliveries neither delivered nor given up, across all tenants.
    pub async fn count_pending_deliveries(&self) -> StoreResult<u64> {
        Ok(webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
            .count(&self.db)
            .await?)
    }
}
