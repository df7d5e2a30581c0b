//! What the digest mail needs: the tenants that send mail and their unanswered conversations.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::{conversation, mail_settings};
use super::{micros, Conversation, ConversationState, Store, StoreResult};

impl Store {
    /// The tenants with SMTP settings.
    pub async fn tenants_sending_mail(&self) -> StoreResult<Vec<String>> {
        Ok(mail_settings::Entity::find()
            .select_only()
            .column(mail_settings::Column::TenantId)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// The tenant's conversations still waiting for an agent, started in `[from, to)`, oldest
    /// first, at most `limit`.
    pub async fn waiting_started_between(
        &self,
        tenant_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u64,
    ) -> StoreResult<Vec<Conversation>> {
        Ok(conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(tenant_id))
            .filter(conversation::Column::State.eq(ConversationState::Waiting))
            .filter(conversation::Column::CreatedAt.gte(micros(from)))
            .filter(conversation::Column::CreatedAt.lt(micros(to)))
            .order_by_asc(conversation::Column::CreatedAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
