//! What a conversation list shows beside each conversation: its visitor and its last message,
//! read for a whole page at once (one query each, not one per conversation).

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::entities::{message, visitor};
use super::{Message, Store, StoreResult, Visitor};

/// The newest message of the same conversation that is not a system event: a correlated
/// subquery served by the `(conversation_id, seq)` index, portable to all three databases.
const LAST_NON_EVENT: &str = "messages.seq = (SELECT MAX(m2.seq) FROM messages m2 \
     WHERE m2.conversation_id = messages.conversation_id AND m2.kind <> 'event')";

impl Store {
    /// The last message other than a system event of each given conversation (notes included);
    /// conversations with none are missing from the answer.
    pub async fn last_messages_of(
        &self,
        tenant_id: &str,
        conversation_ids: &[String],
    ) -> StoreResult<Vec<Message>> {
        if conversation_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(message::Entity::find()
            .filter(message::Column::TenantId.eq(tenant_id))
            .filter(message::Column::ConversationId.is_in(conversation_ids.iter().cloned()))
            .filter(Expr::cust(LAST_NON_EVENT))
            .all(&self.db)
            .await?)
    }

    /// The tenant's visitors with these ids (unknown ids are left out).
    pub async fn visitors_by_ids(
        &self,
        tenant_id: &str,
        ids: &[String],
    ) -> StoreResult<Vec<Visitor>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(visitor::Entity::find()
            .filter(visitor::Column::TenantId.eq(tenant_id))
            .filter(visitor::Column::Id.is_in(ids.iter().cloned()))
            .all(&self.db)
            .await?)
    }
}
