use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::entities::read_cursor::{self, Column};
use super::{now, ReadCursor, SenderKind, Store, StoreError, StoreResult};

impl Store {
    /// Moves a participant's read cursor forward to `seq`; it never moves back.
    pub async fn advance_read_cursor(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        kind: SenderKind,
        participant_id: &str,
        seq: i64,
    ) -> StoreResult<ReadCursor> {
        self.get_conversation(tenant_id, conversation_id).await?;
        if !self
            .move_cursor(tenant_id, conversation_id, kind, participant_id, seq)
            .await?
        {
            let cursor = read_cursor::Model {
                conversation_id: conversation_id.to_string(),
                participant_kind: kind,
                participant_id: participant_id.to_string(),
                tenant_id: tenant_id.to_string(),
                last_read_seq: seq,
                updated_at: now(),
            };
            let inserted = read_cursor::Entity::insert(cursor.into_active_model())
                .exec_without_returning(&self.db)
                .await
                .map_err(StoreError::unique("read cursor"));
            match inserted {
                Ok(_) => {}
                // Either it exists and is already at or past `seq`, or a concurrent insert won.
                Err(StoreError::Conflict(_)) => {
                    self.move_cursor(tenant_id, conversation_id, kind, participant_id, seq)
                        .await?;
                }
                Err(e) => return Err(e),
            }
        }
        self.get_read_cursor(tenant_id, conversation_id, kind, participant_id)
            .await?
            .ok_or(StoreError::NotFound("read cursor"))
    }

    pub async fn get_read_cursor(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        kind: SenderKind,
        participant_id: &str,
    ) -> StoreResult<Option<ReadCursor>> {
        Ok(read_cursor::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::ConversationId.eq(conversation_id))
            .filter(Column::ParticipantKind.eq(kind))
            .filter(Column::ParticipantId.eq(participant_id))
            .one(&self.db)
            .await?)
    }

    pub async fn list_read_cursors(
        &self,
        tenant_id: &str,
        conversation_id: &str,
    ) -> StoreResult<Vec<ReadCursor>> {
        Ok(read_cursor::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::ConversationId.eq(conversation_id))
            .all(&self.db)
            .await?)
    }

    /// True when the row exists and was moved or was already at or past `seq`.
    async fn move_cursor(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        kind: SenderKind,
        participant_id: &str,
        seq: i64,
    ) -> StoreResult<bool> {
        read_cursor::Entity::update_many()
            .col_expr(Column::LastReadSeq, Expr::value(seq))
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::ConversationId.eq(conversation_id))
            .filter(Column::ParticipantKind.eq(kind))
            .filter(Column::ParticipantId.eq(participant_id))
            .filter(Column::LastReadSeq.lt(seq))
            .exec(&self.db)
            .await?;
        Ok(self
            .get_read_cursor(tenant_id, conversation_id, kind, participant_id)
            .await?
            .is_some())
    }
}

impl Store {
    /// One participant's cursors in the given conversations.
    pub async fn read_cursors_of(
        &self,
        tenant_id: &str,
        kind: SenderKind,
        participant_id: &str,
        conversation_ids: &[String],
    ) -> StoreResult<Vec<ReadCursor>> {
        Ok(read_cursor::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::ParticipantKind.eq(kind))
            .filter(Column::ParticipantId.eq(participant_id))
            .filter(Column::ConversationId.is_in(conversation_ids.iter().cloned()))
            .all(&self.db)
            .await?)
    }
}
