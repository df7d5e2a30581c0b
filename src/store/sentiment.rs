//! The mood scores of visitor messages (message_sentiment).

use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};

use super::entities::message_sentiment::{self, Column};
use super::{Store, StoreError, StoreResult};

pub type MessageSentiment = message_sentiment::Model;

/// Scores written by one statement, at most (5 parameters each, under every backend's limit).
const INSERT_CHUNK: usize = 500;

impl Store {
    /// Keeps many messages' scores with one statement per few hundred, so scoring never costs
    /// a commit per message; scores stored already (another node scored them too) are skipped.
    pub async fn record_sentiments(&self, rows: Vec<MessageSentiment>) -> StoreResult<()> {
        for chunk in rows.chunks(INSERT_CHUNK) {
            let ids: Vec<&str> = chunk.iter().map(|r| r.message_id.as_str()).collect();
            let known: std::collections::HashSet<String> = message_sentiment::Entity::find()
                .select_only()
                .column(Column::MessageId)
                .filter(Column::MessageId.is_in(ids))
                .into_tuple::<String>()
                .all(&self.db)
                .await?
                .into_iter()
                .collect();
            let fresh: Vec<&MessageSentiment> = chunk
                .iter()
                .filter(|r| !known.contains(&r.message_id))
                .collect();
            if fresh.is_empty() {
                continue;
            }
            let models = fresh.iter().map(|r| (*r).clone().into_active_model());
            match message_sentiment::Entity::insert_many(models)
                .exec_without_returning(&self.db)
                .await
                .map_err(StoreError::unique("message sentiment"))
            {
                Ok(_) => {}
                // Another node stored one of them meanwhile: one at a time, skipping those.
                Err(StoreError::Conflict(_)) => {
                    for r in fresh {
                        self.record_sentiment(r.clone()).await?;
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

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
