//! Everything stored about one visitor: read whole for an export, deleted whole for an erasure.
//! Always within the tenant.

use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::entities::{
    attachment, bot_turn, conversation, mail_outbox, message, message_sentiment, outbox_event,
    reply_draft, trigger_fire, visitor, visitor_event,
};
use super::{Attachment, Conversation, Message, Store, StoreError, StoreResult, Visitor};

/// The rows that are about one visitor.
pub struct VisitorRecords {
    pub visitor: Visitor,
    pub conversations: Vec<Conversation>,
    /// In conversation, then seq order.
    pub messages: Vec<Message>,
    pub attachments: Vec<Attachment>,
    pub sentiment: Vec<message_sentiment::Model>,
    pub bot_turns: Vec<bot_turn::Model>,
    pub reply_drafts: Vec<reply_draft::Model>,
    pub events: Vec<visitor_event::Model>,
    pub trigger_fires: Vec<trigger_fire::Model>,
    pub mails: Vec<mail_outbox::Model>,
}

/// What an erasure removed; the file objects are for the caller to delete from storage.
#[derive(Debug, Default)]
pub struct ErasedRows {
    pub conversation_ids: Vec<String>,
    pub messages: u64,
    /// Object keys (originals and thumbnails) of the visitor's files.
    pub object_keys: Vec<String>,
    pub files: u64,
    pub events: u64,
    pub mails: u64,
    pub webhook_events: u64,
}

impl Store {
    /// Every row about the visitor; NotFound when the tenant has no such visitor.
    pub async fn visitor_records(
        &self,
        tenant_id: &str,
        visitor_id: &str,
    ) -> StoreResult<VisitorRecords> {
        let visitor = self.get_visitor(tenant_id, visitor_id).await?;
        let conversations = conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(tenant_id))
            .filter(conversation::Column::VisitorId.eq(visitor_id))
            .order_by_asc(conversation::Column::CreatedAt)
            .order_by_asc(conversation::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<String> = conversations.iter().map(|c| c.id.clone()).collect();
        let messages = message::Entity::find()
            .filter(message::Column::TenantId.eq(tenant_id))
            .filter(message::Column::ConversationId.is_in(ids.clone()))
            .order_by_asc(message::Column::ConversationId)
            .order_by_asc(message::Column::Seq)
            .all(&self.db)
            .await?;
        let attachments = attachment::Entity::find()
            .filter(attachment::Column::TenantId.eq(tenant_id))
            .filter(attachment::Column::ConversationId.is_in(ids.clone()))
            .order_by_asc(attachment::Column::Id)
            .all(&self.db)
            .await?;
        let sentiment = message_sentiment::Entity::find()
            .filter(message_sentiment::Column::TenantId.eq(tenant_id))
            .filter(message_sentiment::Column::ConversationId.is_in(ids.clone()))
            .order_by_asc(message_sentiment::Column::MessageId)
            .all(&self.db)
            .await?;
        let bot_turns = bot_turn::Entity::find()
            .filter(bot_turn::Column::TenantId.eq(tenant_id))
            .filter(bot_turn::Column::ConversationId.is_in(ids.clone()))
            .order_by_asc(bot_turn::Column::Id)
            .all(&self.db)
            .await?;
        let reply_drafts = reply_draft::Entity::find()
            .filter(reply_draft::Column::TenantId.eq(tenant_id))
            .filter(reply_draft::Column::ConversationId.is_in(ids.clone()))
            .order_by_asc(reply_draft::Column::Id)
            .all(&self.db)
            .await?;
        let events = visitor_event::Entity::find()
            .filter(visitor_event::Column::TenantId.eq(tenant_id))
            .filter(visitor_event::Column::VisitorId.eq(visitor_id))
            .order_by_asc(visitor_event::Column::Id)
            .all(&self.db)
            .await?;
        let trigger_fires = trigger_fire::Entity::find()
            .filter(trigger_fire::Column::TenantId.eq(tenant_id))
            .filter(trigger_fire::Column::VisitorId.eq(visitor_id))
            .order_by_asc(trigger_fire::Column::Id)
            .all(&self.db)
            .await?;
        let mails = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::TenantId.eq(tenant_id))
            .filter(mail_outbox::Column::ConversationId.is_in(ids))
            .order_by_asc(mail_outbox::Column::Id)
            .all(&self.db)
            .await?;
        Ok(VisitorRecords {
            visitor,
            conversations,
            messages,
            attachments,
            sentiment,
            bot_turns,
            reply_drafts,
            events,
            trigger_fires,
            mails,
        })
    }

    /// Deletes the visitor and every row about them in one transaction: conversations with
    /// their messages, notes, files, sentiment, bot turns, drafts and read cursors (through the
    /// foreign keys), business events, trigger fires, queued or sent mail about their
    /// conversations, and webhook events (with their deliveries) whose payload names the
    /// visitor or one of their conversations. NotFound when the tenant has no such visitor.
    pub async fn erase_visitor(
        &self,
        tenant_id: &str,
        visitor_id: &str,
    ) -> StoreResult<ErasedRows> {
        let txn = self.begin_write().await?;
        let found = visitor::Entity::find()
            .filter(visitor::Column::TenantId.eq(tenant_id))
            .filter(visitor::Column::Id.eq(visitor_id))
            .one(&txn)
            .await?;
        if found.is_none() {
            return Err(StoreError::NotFound("visitor"));
        }
        let conversation_ids: Vec<String> = conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(tenant_id))
            .filter(conversation::Column::VisitorId.eq(visitor_id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let files = attachment::Entity::find()
            .filter(attachment::Column::TenantId.eq(tenant_id))
            .filter(attachment::Column::ConversationId.is_in(conversation_ids.clone()))
            .all(&txn)
            .await?;
        let messages = message::Entity::find()
            .filter(message::Column::TenantId.eq(tenant_id))
            .filter(message::Column::ConversationId.is_in(conversation_ids.clone()))
            .count(&txn)
            .await?;
        let mut named = Condition::any().add(outbox_event::Column::Payload.contains(visitor_id));
        for id in &conversation_ids {
            named = named.add(outbox_event::Column::Payload.contains(id.as_str()));
        }
        let webhook_events = outbox_event::Entity::delete_many()
            .filter(outbox_event::Column::TenantId.eq(tenant_id))
            .filter(named)
            .exec(&txn)
            .await?
            .rows_affected;
        let mails = mail_outbox::Entity::delete_many()
            .filter(mail_outbox::Column::TenantId.eq(tenant_id))
            .filter(mail_outbox::Column::ConversationId.is_in(conversation_ids.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        trigger_fire::Entity::delete_many()
            .filter(trigger_fire::Column::TenantId.eq(tenant_id))
            .filter(trigger_fire::Column::VisitorId.eq(visitor_id))
            .exec(&txn)
            .await?;
        let events = visitor_event::Entity::delete_many()
            .filter(visitor_event::Column::TenantId.eq(tenant_id))
            .filter(visitor_event::Column::VisitorId.eq(visitor_id))
            .exec(&txn)
            .await?
            .rows_affected;
        // Conversations go with the visitor, and their messages, files and the rest with them.
        visitor::Entity::delete_many()
            .filter(visitor::Column::TenantId.eq(tenant_id))
            .filter(visitor::Column::Id.eq(visitor_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        let object_keys = files
            .iter()
            .flat_map(|f| std::iter::once(f.object_key.clone()).chain(f.thumbnail_key.clone()))
            .collect();
        Ok(ErasedRows {
            conversation_ids,
            messages,
            object_keys,
            files: files.len() as u64,
            events,
            mails,
            webhook_events,
        })
    }
}
