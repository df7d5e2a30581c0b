//! The mood scores of visitor messages (message_sentiment), written with the messages by the
//! writer's batch (message_batch) and read here.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::message_sentiment::{self, Column};
use super::{Store, StoreResult};

pub type MessageSentiment = message_sentiment::Model;

impl Store {
    /// The conversation's latest scores, newest first.
    pub async fn recent_sentiment(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        limit: u64,
    ) -> StoreResult<Vec<MessageSentiment>> {
        Ok(message_sentiment::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::ConversationId.eq(conversation_id))
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::MessageId)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
