//! Conversations started in a range and what was said in them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use crate::store::entities::{conversation, message};
use crate::store::{Conversation, MessageKind, SenderKind, Store, StoreResult};

/// Messages that count as said in a conversation: by the visitor, an agent or a bot; not system
/// lines, integration event cards, internal notes or cards hidden from the visitor.
const SAID_BY: [SenderKind; 3] = [SenderKind::Visitor, SenderKind::Agent, SenderKind::Bot];

impl Store {
    /// The tenant's conversations with `created_at` in `[start, end)`, oldest first.
    pub async fn conversations_started(
        &self,
        tenant_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<Conversation>> {
        Ok(conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(tenant_id))
            .filter(conversation::Column::CreatedAt.gte(start))
            .filter(conversation::Column::CreatedAt.lt(end))
            .order_by_asc(conversation::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Per conversation started in `[start, end)`, how many messages were said in it (those
    /// with none are absent).
    pub async fn messages_per_conversation(
        &self,
        tenant_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<HashMap<String, i64>> {
        let started = conversation::Entity::find()
            .select_only()
            .column(conversation::Column::Id)
            .filter(conversation::Column::TenantId.eq(tenant_id))
            .filter(conversation::Column::CreatedAt.gte(start))
            .filter(conversation::Column::CreatedAt.lt(end))
            .into_query();
        let rows: Vec<(String, i64)> = said()
            .select_only()
            .column(message::Column::ConversationId)
            .column_as(message::Column::Id.count(), "n")
            .filter(message::Column::TenantId.eq(tenant_id))
            .filter(message::Column::ConversationId.in_subquery(started))
            .group_by(message::Column::ConversationId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Per agent, the messages they said with `created_at` in `[start, end)`.
    pub async fn messages_by_agent(
        &self,
        tenant_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<HashMap<String, i64>> {
        let rows: Vec<(Option<String>, i64)> = said()
            .select_only()
            .column(message::Column::SenderId)
            .column_as(message::Column::Id.count(), "n")
            .filter(message::Column::TenantId.eq(tenant_id))
            .filter(message::Column::SenderKind.eq(SenderKind::Agent))
            .filter(message::Column::CreatedAt.gte(start))
            .filter(message::Column::CreatedAt.lt(end))
            .group_by(message::Column::SenderId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(agent, n)| Some((agent?, n)))
            .collect())
    }
}

fn said() -> sea_orm::Select<message::Entity> {
    message::Entity::find()
        .filter(message::Column::SenderKind.is_in(SAID_BY))
        .filter(message::Column::Internal.eq(false))
        .filter(message::Column::Kind.ne(MessageKind::Note))
}
