//! Many messages in one transaction with a handful of statements, whatever the batch size:
//! the fast path of the group-commit writer.
//!
//! Statements per batch: lock the batch's conversations (an `UPDATE` that changes nothing),
//! read them, look up earlier copies of resent messages, store the new `last_seq`s (one
//! `UPDATE … CASE`), insert the new messages (multi-row `INSERT`). Seqs are handed out in
//! memory while the conversation rows are locked, so they stay gap-free and ordered as the
//! batch is; each message's precondition is checked against the locked row.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::sea_query::{CaseStatement, Expr, SimpleExpr};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::entities::{conversation, message};
use super::messages::{Appended, MessageHook, NewMessage};
use super::outbox::{insert_event, NewEvent};
use super::resends::{first_copies, ResendKey};
use super::{now, Conversation, Message, StoreError, StoreResult};
use crate::types::ids::new_id;

/// Rows per `INSERT`, well under every backend's limit on bound parameters.
const INSERT_CHUNK: usize = 500;

/// Only conversations of the sender's tenant count; another tenant's id is unknown.
fn owned_now(
    conversations: &HashMap<String, Conversation>,
    tenant_id: &str,
    m: &NewMessage,
) -> bool {
    conversations
        .get(&m.conversation_id)
        .is_some_and(|c| c.tenant_id == tenant_id)
}

/// Appends the batch inside `txn`; one result per message, in order. An `Err` of the whole
/// call means nothing of the batch may be kept (roll back).
pub(super) async fn append_batch(
    txn: &DatabaseTransaction,
    batch: &[(String, NewMessage)],
    hooks: &[Option<MessageHook>],
) -> StoreResult<Vec<StoreResult<Appended>>> {
    let at = now();
    // Every lookup goes by primary key or by the resend index: a filter on the tenant would
    // lead the planner to the tenant's index and a scan of all its conversations.
    let ids: BTreeSet<&str> = batch
        .iter()
        .map(|(_, m)| m.conversation_id.as_str())
        .collect();
    // A write that changes nothing, first: it takes the rows' write locks (the database's on
    // SQLite, where a transaction that starts by writing waits its turn instead of failing
    // busy), so nothing read below can change before the commit.
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::LastSeq,
            Into::<SimpleExpr>::into(Expr::col(conversation::Column::LastSeq)),
        )
        .filter(conversation::Column::Id.is_in(ids.iter().copied()))
        .exec(txn)
        .await?;
    let mut conversations: HashMap<String, Conversation> = conversation::Entity::find()
        .filter(conversation::Column::Id.is_in(ids.iter().copied()))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let owned = |tenant_id: &str, m: &NewMessage| owned_now(&conversations, tenant_id, m);

    // Earlier copies of messages that are resent (by sender and client id, in any of the
    // sender's conversations), in one query.
    let keys: Vec<ResendKey> = batch
        .iter()
        .filter(|(tenant_id, m)| owned(tenant_id, m))
        .filter_map(|(tenant_id, m)| ResendKey::of_new(tenant_id, m))
        .collect();
    let mut copies: HashMap<ResendKey, Message> = HashMap::new();
    for m in first_copies(txn, &keys).await? {
        if let Some(key) = ResendKey::of_stored(&m) {
            copies.insert(key, m);
        }
    }
    // A first copy may sit in another conversation of the sender (one since closed): the
    // duplicate's answer names that one.
    let elsewhere: BTreeSet<&str> = copies
        .values()
        .map(|m| m.conversation_id.as_str())
        .filter(|id| !conversations.contains_key(*id))
        .collect();
    let mut others: HashMap<String, Conversation> = HashMap::new();
    if !elsewhere.is_empty() {
        for c in conversation::Entity::find()
            .filter(conversation::Column::Id.is_in(elsewhere.iter().copied()))
            .all(txn)
            .await?
        {
            others.insert(c.id.clone(), c);
        }
    }

    let mut results = Vec::with_capacity(batch.len());
    let mut fresh: Vec<Message> = Vec::new();
    let mut events: Vec<(String, NewEvent)> = Vec::new();
    for (i, (tenant_id, new)) in batch.iter().enumerate() {
        if !owned_now(&conversations, tenant_id, new) {
            results.push(Err(StoreError::NotFound("conversation")));
            continue;
        }
        let key = ResendKey::of_new(tenant_id, new);
        if let Some(first) = key.as_ref().and_then(|k| copies.get(k)) {
            let home = others
                .get(&first.conversation_id)
                .or_else(|| conversations.get(&first.conversation_id));
            results.push(match home {
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
            results.push(Err(StoreError::NotFound("conversation")));
            continue;
        };
        if !new.precondition.holds(c) {
            results.push(Err(StoreError::Precondition(Box::new(c.clone()))));
            continue;
        }
        c.last_seq += 1;
        c.updated_at = at;
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
        fresh.push(model.clone());
        let appended = Appended {
            message: model,
            duplicate: false,
            conversation: c.clone(),
        };
        if let Some(Some(hook)) = hooks.get(i) {
            events.push((tenant_id.clone(), hook(&appended)));
        }
        results.push(Ok(appended));
    }
    if fresh.is_empty() {
        return Ok(results);
    }

    let mut reached: BTreeMap<&str, i64> = BTreeMap::new();
    for m in &fresh {
        reached.insert(&m.conversation_id, m.seq);
    }
    let case = reached
        .iter()
        .fold(CaseStatement::new(), |case, (id, seq)| {
            case.case(conversation::Column::Id.eq(*id), Expr::val(*seq))
        })
        .finally(Expr::col(conversation::Column::LastSeq));
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::LastSeq,
            Into::<SimpleExpr>::into(case),
        )
        .col_expr(conversation::Column::UpdatedAt, Expr::value(at))
        .filter(conversation::Column::Id.is_in(reached.keys().copied()))
        .exec(txn)
        .await?;
    for chunk in fresh.chunks(INSERT_CHUNK) {
        let rows = chunk
            .iter()
            .cloned()
            .map(sea_orm::IntoActiveModel::into_active_model);
        message::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await
            .map_err(StoreError::unique("message"))?;
    }
    // Outbox events for the new messages of tenants that receive them, in the same commit.
    for (tenant_id, event) in &events {
        insert_event(txn, tenant_id, event, false).await?;
    }
    Ok(results)
}
