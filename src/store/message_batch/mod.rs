//! Many messages in one transaction: the group-commit writer's batch.
//!
//! What a batch decides is the same on every database and lives here, free of I/O: which
//! conversations it touches, which messages are resends of stored ones, each message's
//! precondition against its locked conversation, the gap-free `seq`s handed out in batch order,
//! and the outbox events and mood scores of the new messages. How the rows are locked, read and written is the
//! backend's: `orm` (PostgreSQL and MySQL, a handful of multi-row statements through sea-orm)
//! and `sqlite` (statements prepared once and reused, on the writer's own connection).

mod orm;
pub(super) mod sqlite;
mod sqlite_rows;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::messages::{Appended, MessageHook, NewMessage};
use super::outbox::NewEvent;
use super::resends::ResendKey;
use super::{Conversation, Message, MessageSentiment, StoreError, StoreResult};
use crate::types::ids::new_id;

pub(super) use orm::append_batch;

/// A batch as the writer hands it over: each message with its sender's tenant.
pub(super) type Batch = [(String, NewMessage)];

/// What the batch writes, and what each message's sender is answered.
pub(super) struct Plan {
    /// One per message of the batch, in order.
    pub results: Vec<StoreResult<Appended>>,
    /// The messages to insert, in `seq` order per conversation.
    pub fresh: Vec<Message>,
    /// Each conversation that got messages, with its new `last_seq`.
    pub reached: BTreeMap<String, i64>,
    /// Outbox events of the new messages, with their tenants.
    pub events: Vec<(String, NewEvent)>,
    /// The mood scores of the new messages that carry one.
    pub sentiments: Vec<MessageSentiment>,
    /// The time stamp of the batch.
    pub at: DateTime<Utc>,
}

/// The conversations the batch writes in, each once (sorted: rows are locked in one order).
pub(super) fn conversation_ids(batch: &Batch) -> BTreeSet<&str> {
    batch
        .iter()
        .map(|(_, m)| m.conversation_id.as_str())
        .collect()
}

/// Only conversations of the sender's tenant count; another tenant's id is unknown.
fn owned(conversations: &HashMap<String, Conversation>, tenant_id: &str, m: &NewMessage) -> bool {
    conversations
        .get(&m.conversation_id)
        .is_some_and(|c| c.tenant_id == tenant_id)
}

/// The keys under which earlier copies of the batch's messages would be stored.
pub(super) fn resend_keys(
    batch: &Batch,
    conversations: &HashMap<String, Conversation>,
) -> Vec<ResendKey> {
    batch
        .iter()
        .filter(|(tenant_id, m)| owned(conversations, tenant_id, m))
        .filter_map(|(tenant_id, m)| ResendKey::of_new(tenant_id, m))
        .collect()
}

/// Earlier copies by their keys.
pub(super) fn by_key(copies: Vec<Message>) -> HashMap<ResendKey, Message> {
    copies
        .into_iter()
        .filter_map(|m| ResendKey::of_stored(&m).map(|k| (k, m)))
        .collect()
}

/// A first copy may sit in another conversation of the sender (one since closed): the
/// duplicate's answer names that one, which must be read too.
pub(super) fn elsewhere(
    copies: &HashMap<ResendKey, Message>,
    conversations: &HashMap<String, Conversation>,
) -> BTreeSet<String> {
    copies
        .values()
        .map(|m| &m.conversation_id)
        .filter(|id| !conversations.contains_key(*id))
        .cloned()
        .collect()
}

/// Decides the batch against the locked conversations and the earlier copies found.
pub(super) fn plan(
    batch: &Batch,
    hooks: &[Option<MessageHook>],
    mut conversations: HashMap<String, Conversation>,
    mut copies: HashMap<ResendKey, Message>,
    others: &HashMap<String, Conversation>,
    at: DateTime<Utc>,
) -> Plan {
    let mut plan = Plan {
        results: Vec::with_capacity(batch.len()),
        fresh: Vec::with_capacity(batch.len()),
        reached: BTreeMap::new(),
        events: Vec::new(),
        sentiments: Vec::new(),
        at,
    };
    for (i, (tenant_id, new)) in batch.iter().enumerate() {
        if !owned(&conversations, tenant_id, new) {
            plan.results.push(Err(StoreError::NotFound("conversation")));
            continue;
        }
        let key = ResendKey::of_new(tenant_id, new);
        if let Some(first) = key.as_ref().and_then(|k| copies.get(k)) {
            let home = others
                .get(&first.conversation_id)
                .or_else(|| conversations.get(&first.conversation_id));
            plan.results.push(match home {
                Some(home) => Ok(Appended {
                    message: first.clone(),
                    duplicate: true,
                    conversation: home.clone(),
                }),
                None => Err(StoreError::NotFound("conversation")),
            });
            continue;
        }
        let Some(c) = conversations.get_mut(&new.conversation_id) else {
            plan.results.push(Err(StoreError::NotFound("conversation")));
            continue;
        };
        if !new.precondition.holds(c) {
            plan.results
                .push(Err(StoreError::Precondition(Box::new(c.clone()))));
            continue;
        }
        c.last_seq += 1;
        c.updated_at = at;
        plan.reached.insert(c.id.clone(), c.last_seq);
        let model = Message {
            id: new_id(),
            tenant_id: tenant_id.clone(),
            conversation_id: new.conversation_id.clone(),
            seq: c.last_seq,
            sender_kind: new.sender_kind,
            sender_id: new.sender_id.clone(),
            sender_name: new.sender_name.clone(),
            client_msg_id: new.client_msg_id.clone(),
            kind: new.kind,
            body: new.body.clone(),
            internal: new.internal,
            created_at: at,
        };
        if let Some(key) = key {
            // A resend within the same batch is a duplicate of this one.
            copies.insert(key, model.clone());
        }
        if let Some(score) = new.sentiment {
            plan.sentiments.push(MessageSentiment {
                message_id: model.id.clone(),
                tenant_id: tenant_id.clone(),
                conversation_id: model.conversation_id.clone(),
                score,
                created_at: at,
            });
        }
        plan.fresh.push(model.clone());
        let appended = Appended {
            message: model,
            duplicate: false,
            conversation: c.clone(),
        };
        if let Some(Some(hook)) = hooks.get(i) {
            plan.events.push((tenant_id.clone(), hook(&appended)));
        }
        plan.results.push(Ok(appended));
    }
    plan
}
