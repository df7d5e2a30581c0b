//! The hot/cold archive's rows: which closed conversations are due, what an archived
//! conversation is made of, and the one transaction that swaps its hot rows for an archive
//! row. The object itself is written by the service (`service::archive`) before that
//! transaction, never after.

mod search;
mod settings;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use super::entities::{
    attachment, conversation, conversation_archive, message, read_cursor, visitor,
};
use super::{
    now, Attachment, Conversation, ConversationState, Message, ReadCursor, Store, StoreResult,
};

pub use settings::ArchiveSettings;

pub type ConversationArchive = conversation_archive::Model;

/// Everything of one conversation that leaves the hot tables, read at one moment.
pub struct ArchiveContents {
    pub conversation: Conversation,
    pub visitor: Option<visitor::Model>,
    pub messages: Vec<Message>,
    pub attachments: Vec<Attachment>,
    pub read_cursors: Vec<ReadCursor>,
}

/// The archive row to write with the swap.
pub struct NewArchive<'a> {
    pub object_key: &'a str,
    pub summary: &'a str,
    pub message_count: i64,
}

impl Store {
    /// Closed conversations of the tenant closed before `cutoff`, by id, those after
    /// `after_id` only.
    fn closed_before(
        tenant_id: &str,
        cutoff: DateTime<Utc>,
        after_id: Option<&str>,
    ) -> sea_orm::Select<conversation::Entity> {
        conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(tenant_id))
            .filter(conversation::Column::State.eq(ConversationState::Closed))
            .filter(conversation::Column::ClosedAt.lt(cutoff))
            .filter(after_id.map_or(Condition::all(), |a| {
                Condition::all().add(conversation::Column::Id.gt(a))
            }))
            .order_by_asc(conversation::Column::Id)
    }

    /// Closed conversations of the tenant closed before `cutoff` and not archived yet, by id,
    /// those after `after_id` only.
    pub async fn due_for_archive(
        &self,
        tenant_id: &str,
        cutoff: DateTime<Utc>,
        after_id: Option<&str>,
        limit: u64,
    ) -> StoreResult<Vec<Conversation>> {
        use sea_orm::sea_query::Query;
        Ok(Self::closed_before(tenant_id, cutoff, after_id)
            .filter(
                conversation::Column::Id.not_in_subquery(
                    Query::select()
                        .column(conversation_archive::Column::ConversationId)
                        .from(conversation_archive::Entity)
                        .and_where(conversation_archive::Column::TenantId.eq(tenant_id))
                        .to_owned(),
                ),
            )
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Closed conversations of the tenant closed before `cutoff` (archived or not), by id,
    /// those after `after_id` only.
    pub async fn due_for_deletion(
        &self,
        tenant_id: &str,
        cutoff: DateTime<Utc>,
        after_id: Option<&str>,
        limit: u64,
    ) -> StoreResult<Vec<Conversation>> {
        Ok(Self::closed_before(tenant_id, cutoff, after_id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// The conversation with its messages, attachments and read cursors, read in one
    /// transaction so they agree with each other.
    pub async fn archive_contents(
        &self,
        tenant_id: &str,
        conversation_id: &str,
    ) -> StoreResult<ArchiveContents> {
        let txn = self.db.begin().await?;
        let conversation = conversation::Entity::find_by_id(conversation_id)
            .filter(conversation::Column::TenantId.eq(tenant_id))
            .one(&txn)
            .await?
            .ok_or(super::StoreError::NotFound("conversation"))?;
        let visitor = visitor::Entity::find_by_id(&conversation.visitor_id)
            .one(&txn)
            .await?;
        let messages = message::Entity::find()
            .filter(message::Column::TenantId.eq(tenant_id))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .order_by_asc(message::Column::Seq)
            .all(&txn)
            .await?;
        let attachments = self
            .attachments_of(&txn, tenant_id, conversation_id)
            .await?;
        let read_cursors = read_cursor::Entity::find()
            .filter(read_cursor::Column::TenantId.eq(tenant_id))
            .filter(read_cursor::Column::ConversationId.eq(conversation_id))
            .all(&txn)
            .await?;
        txn.commit().await?;
        Ok(ArchiveContents {
            conversation,
            visitor,
            messages,
            attachments,
            read_cursors,
        })
    }

    async fn attachments_of<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        tenant_id: &str,
        conversation_id: &str,
    ) -> StoreResult<Vec<Attachment>> {
        Ok(attachment::Entity::find()
            .filter(attachment::Column::TenantId.eq(tenant_id))
            .filter(attachment::Column::ConversationId.eq(conversation_id))
            .order_by_asc(attachment::Column::Id)
            .all(db)
            .await?)
    }

    /// In one transaction: records the conversation as archived and deletes its messages and
    /// read cursors, but only while it is still closed with `last_seq` messages and not
    /// archived yet. Returns false (and changes nothing) otherwise. Attachment rows stay:
    /// files keep their keys and links until the conversation is deleted.
    pub async fn commit_archive(&self, c: &Conversation, new: NewArchive<'_>) -> StoreResult<bool> {
        let txn = self.begin_write().await?;
        let current = conversation::Entity::find_by_id(&c.id)
            .filter(conversation::Column::TenantId.eq(&c.tenant_id))
            .one(&txn)
            .await?;
        let unchanged = current.is_some_and(|cur| {
            cur.state == ConversationState::Closed && cur.last_seq == c.last_seq
        });
        let archived = conversation_archive::Entity::find_by_id(&c.id)
            .one(&txn)
            .await?
            .is_some();
        if !unchanged || archived {
            txn.rollback().await?;
            return Ok(false);
        }
        conversation_archive::Entity::insert(
            conversation_archive::Model {
                conversation_id: c.id.clone(),
                tenant_id: c.tenant_id.clone(),
                object_key: new.object_key.to_string(),
                message_count: new.message_count,
                summary: new.summary.to_string(),
                archived_at: now(),
            }
            .into_active_model(),
        )
        .exec_without_returning(&txn)
        .await?;
        message::Entity::delete_many()
            .filter(message::Column::TenantId.eq(&c.tenant_id))
            .filter(message::Column::ConversationId.eq(&c.id))
            .exec(&txn)
            .await?;
        read_cursor::Entity::delete_many()
            .filter(read_cursor::Column::TenantId.eq(&c.tenant_id))
            .filter(read_cursor::Column::ConversationId.eq(&c.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// The archive row of a conversation of the tenant, if it is archived.
    pub async fn get_archive(
        &self,
        tenant_id: &str,
        conversation_id: &str,
    ) -> StoreResult<Option<ConversationArchive>> {
        Ok(conversation_archive::Entity::find_by_id(conversation_id)
            .filter(conversation_archive::Column::TenantId.eq(tenant_id))
            .one(&self.db)
            .await?)
    }

    /// The attachments of a conversation (their objects go with it at deletion).
    pub async fn conversation_attachments(
        &self,
        tenant_id: &str,
        conversation_id: &str,
    ) -> StoreResult<Vec<Attachment>> {
        self.attachments_of(&self.db, tenant_id, conversation_id)
            .await
    }

    /// Deletes the conversation row; its messages, attachments, read cursors, archive row and
    /// the rest go with it (foreign keys). Returns whether it was there.
    pub async fn delete_conversation(
        &self,
        tenant_id: &str,
        conversation_id: &str,
    ) -> StoreResult<bool> {
        let txn = self.db.begin().await?;
        // Spelled out rather than left to the cascade, so the order is the same everywhere.
        conversation_archive::Entity::delete_many()
            .filter(conversation_archive::Column::TenantId.eq(tenant_id))
            .filter(conversation_archive::Column::ConversationId.eq(conversation_id))
            .exec(&txn)
            .await?;
        let gone = conversation::Entity::delete_many()
            .filter(conversation::Column::TenantId.eq(tenant_id))
            .filter(conversation::Column::Id.eq(conversation_id))
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
        Ok(gone > 0)
    }
}
