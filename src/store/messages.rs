use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use super::entities::{conversation, message};
use super::resends::{first_copies, ResendKey};
use super::{
    now, Conversation, ConversationState, Message, MessageKind, SenderKind, Store, StoreError,
    StoreResult,
};
use crate::types::ids::new_id;

#[derive(Clone)]
pub struct NewMessage {
    pub conversation_id: String,
    pub sender_kind: SenderKind,
    pub sender_id: Option<String>,
    pub sender_name: Option<String>,
    pub client_msg_id: Option<String>,
    pub kind: MessageKind,
    pub body: String,
    /// For agents only: never sent to the visitor.
    pub internal: bool,
    /// What the conversation must look like for the message to be stored.
    pub precondition: Precondition,
    /// The mood score stored with a new message in the same transaction (`message_sentiment`);
    /// the service sets it for what visitors write.
    pub sentiment: Option<f64>,
}

/// A conditional write: the conversation is checked in the transaction that stores the
/// message, after its row is locked, so it cannot change between the check and the write.
/// An unmet condition stores nothing and answers `StoreError::Precondition`. A resend of a
/// message already stored is answered as a duplicate whatever the conversation is now.
#[derive(Clone, Debug, Default)]
pub struct Precondition {
    /// The conversation's visitor must be this one.
    pub visitor_id: Option<String>,
    /// The conversation must be held by this agent.
    pub agent_id: Option<String>,
    /// The conversation's state must be one of these (any, when empty).
    pub states: &'static [ConversationState],
}

impl Precondition {
    pub(super) fn holds(&self, c: &Conversation) -> bool {
        self.visitor_id.as_ref().is_none_or(|v| *v == c.visitor_id)
            && self
                .agent_id
                .as_ref()
                .is_none_or(|a| c.agent_id.as_ref() == Some(a))
            && (self.states.is_empty() || self.states.contains(&c.state))
    }
}

/// Builds the outbox event for a newly stored message, inside the transaction that stores it.
pub type MessageHook = fn(&Appended) -> super::NewEvent;

/// The stored message, whether it was stored earlier under the same `client_msg_id`, and its
/// conversation as the write left it.
#[derive(Debug, Clone)]
pub struct Appended {
    pub message: Message,
    pub duplicate: bool,
    pub conversation: Conversation,
}

impl Store {
    /// Stores a message with the next gap-free `seq` of its conversation, once per
    /// `(sender, client_msg_id)`: a resend returns the first copy and stores nothing.
    ///
    /// The conversation row is bumped first, which takes its write lock (a row lock on
    /// PostgreSQL/MySQL, the database lock on SQLite); every later read in the transaction
    /// therefore sees all messages committed before it, so neither seq nor duplicates can race.
    pub async fn append_message(&self, tenant_id: &str, new: NewMessage) -> StoreResult<Appended> {
        let txn = self.db.begin().await?;
        let appended = append_in(&txn, tenant_id, new).await?;
        if appended.duplicate {
            txn.rollback().await?;
        } else {
            txn.commit().await?;
        }
        Ok(appended)
    }

    /// Stores many messages in one transaction, so one commit (one fsync) covers them all: the
    /// group commit behind the message writer. An unknown conversation or a resend costs that
    /// message only. The batch is written with a few statements in all (message_batch.rs);
    /// should that fail (a lock conflict between nodes, say), it is written again one message
    /// at a time, each in its own savepoint.
    pub async fn append_messages(
        &self,
        batch: Vec<(String, NewMessage)>,
    ) -> StoreResult<Vec<StoreResult<Appended>>> {
        let hooks = vec![None; batch.len()];
        self.append_messages_hooked(batch, hooks).await
    }

    /// Like `append_messages`; a message with a hook that is newly stored also gets the outbox
    /// event the hook builds, in the same transaction.
    pub async fn append_messages_hooked(
        &self,
        batch: Vec<(String, NewMessage)>,
        hooks: Vec<Option<MessageHook>>,
    ) -> StoreResult<Vec<StoreResult<Appended>>> {
        let txn = self.db.begin().await?;
        match super::message_batch::append_batch(&txn, &batch, &hooks).await {
            Ok(results) => {
                txn.commit().await?;
                return Ok(results);
            }
            Err(e) => {
                txn.rollback().await?;
                tracing::warn!(error = %e, size = batch.len(), "batched append failed; appending one by one");
            }
        }
        self.append_each(batch, hooks).await
    }

    pub(super) async fn append_each(
        &self,
        batch: Vec<(String, NewMessage)>,
        hooks: Vec<Option<MessageHook>>,
    ) -> StoreResult<Vec<StoreResult<Appended>>> {
        let txn = self.db.begin().await?;
        let mut results = Vec::with_capacity(batch.len());
        for ((tenant_id, new), hook) in batch.into_iter().zip(hooks) {
            let savepoint = txn.begin().await?;
            match append_in(&savepoint, &tenant_id, new).await {
                Ok(appended) if !appended.duplicate => {
                    if let Some(hook) = hook {
                        super::outbox::insert_event(
                            &savepoint,
                            &tenant_id,
                            &hook(&appended),
                            false,
                        )
                        .await?;
                    }
                    savepoint.commit().await?;
                    results.push(Ok(appended));
                }
                other => {
                    savepoint.rollback().await?;
                    results.push(other);
                }
            }
        }
        txn.commit().await?;
        Ok(results)
    }

    /// Messages with `seq` above `after_seq`, oldest first.
    pub async fn list_messages_after(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        after_seq: i64,
        limit: u64,
    ) -> StoreResult<Vec<Message>> {
        Ok(message::Entity::find()
            .filter(message::Column::TenantId.eq(tenant_id))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::Seq.gt(after_seq))
            .order_by_asc(message::Column::Seq)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// The `limit` messages just below `before_seq`, oldest first (for loading older history).
    pub async fn list_messages_before(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        before_seq: i64,
        limit: u64,
    ) -> StoreResult<Vec<Message>> {
        let mut page = message::Entity::find()
            .filter(message::Column::TenantId.eq(tenant_id))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::Seq.lt(before_seq))
            .order_by_desc(message::Column::Seq)
            .limit(limit)
            .all(&self.db)
            .await?;
        page.reverse();
        Ok(page)
    }
}

async fn append_in(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    new: NewMessage,
) -> StoreResult<Appended> {
    let at = now();
    let bumped = conversation::Entity::update_many()
        .col_expr(
            conversation::Column::LastSeq,
            Expr::col(conversation::Column::LastSeq).add(1),
        )
        .col_expr(conversation::Column::UpdatedAt, Expr::value(at))
        .filter(conversation::Column::TenantId.eq(tenant_id))
        .filter(conversation::Column::Id.eq(&new.conversation_id))
        .exec(txn)
        .await?;
    if bumped.rows_affected == 0 {
        return Err(StoreError::NotFound("conversation"));
    }

    let mut c = conversation::Entity::find_by_id(&new.conversation_id)
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound("conversation"))?;

    if let Some(key) = ResendKey::of_new(tenant_id, &new) {
        if let Some(first) = first_copies(txn, &[key]).await?.into_iter().next() {
            // The bump above is rolled back with the rest of a duplicate's transaction.
            c.last_seq -= 1;
            if first.conversation_id != c.id {
                c = conversation::Entity::find_by_id(&first.conversation_id)
                    .one(txn)
                    .await?
                    .ok_or(StoreError::NotFound("conversation"))?;
            }
            return Ok(Appended {
                message: first,
                duplicate: true,
                conversation: c,
            });
        }
    }
    if !new.precondition.holds(&c) {
        return Err(StoreError::Precondition(Box::new(c)));
    }

    let seq = c.last_seq;
    let model = message::Model {
        id: new_id(),
        tenant_id: tenant_id.to_string(),
        conversation_id: new.conversation_id,
        seq,
        sender_kind: new.sender_kind,
        sender_id: new.sender_id,
        sender_name: new.sender_name,
        client_msg_id: new.client_msg_id,
        kind: new.kind,
        body: new.body,
        internal: new.internal,
        created_at: at,
    };
    message::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(txn)
        .await
        .map_err(StoreError::unique("message"))?;
    Ok(Appended {
        message: model,
        duplicate: false,
        conversation: c,
    })
}

impl Store {
    /// Like `list_messages_after`, without internal notes and agent-only event cards: what a
    /// visitor may see.
    pub async fn list_public_messages_after(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        after_seq: i64,
        limit: u64,
    ) -> StoreResult<Vec<Message>> {
        Ok(message::Entity::find()
            .filter(message::Column::TenantId.eq(tenant_id))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::Seq.gt(after_seq))
            .filter(message::Column::Kind.ne(MessageKind::Note))
            .filter(message::Column::Internal.eq(false))
            .order_by_asc(message::Column::Seq)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
