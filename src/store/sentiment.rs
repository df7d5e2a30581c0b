//! The mood scores of visitor messages (message_sentiment).

use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};

use super::entities::message_sentiment::{self, Column};
use super::{Store, StoreError, StoreResult};

pub type MessageSentiment = message_sentiment::Model;

impl Store {
    /// Keeps a message's score; a second score of the same message (another node scored it
    /// too) changes nothing.
    pub async fn record_sentiment(&self, row: MessageSentiment) -> StoreResult<()> {
        match message_sentiment::Entity::insert(row.into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("message sentiment"))
        {
            Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

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
