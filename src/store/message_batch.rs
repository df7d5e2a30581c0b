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
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter};

use super::entities::{conversation, message};
use super::messages::{Appended, NewMessage};
use super::{now, Conversation, Message, SenderKind, StoreError, StoreResult};
use crate::types::ids::new_id;

/// Rows per `INSERT`, well under every backend's limit on bound parameters.
const INSERT_CHUNK: usize = 500;

/// What makes two messages the same message: a resend carries the same client id.
#[derive(Hash, PartialEq, Eq)]
struct ResendKey {
    conversation_id: String,
    sender_kind: SenderKind,
    sender_id: Option<String>,
    client_msg_id: String,
}

impl ResendKey {
    fn of_new(m: &NewMessage) -> Option<ResendKey> {
        Some(ResendKey {
            conversation_id: m.conversation_id.clone(),
            sender_kind: m.sender_kind,
            sender_id: m.sender_id.clone(),
            client_msg_id: m.client_msg_id.clone()?,
        })
    }

    fn of_stored(m: &Message) -> Option<ResendKey> {
        Some(ResendKey {
            conversation_id: m.conversation_id.clone(),
            sender_kind: m.sender_kind,
            sender_id: m.sender_id.clone(),
            client_msg_id: m.client_msg_id.clone()?,
        })
    }
}

/// Appends the batch inside `txn`; one result per message, in order. An `Err` of the whole
/// call means nothing of the batch may be kept (roll back).
pub(super) async fn append_batch(
    txn: &DatabaseTransaction,
    batch: &[(String, NewMessage)],
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
    // Only conversations of the sender's tenant count; another tenant's id is unknown.
    let owned = |tenant_id: &str, m: &NewMessage| {
        conversations
            .get(&m.conversation_id)
            .is_some_and(|c| c.tenant_id == tenant_id)
    };

    // Earlier copies of messages that are resent, looked up one exact key at a time.
    let keys: Vec<&NewMessage> = batch
        .iter()
        .filter(|(tenant_id, m)| m.client_msg_id.is_some() && owned(tenant_id, m))
        .map(|(_, m)| m)
        .collect();
    let mut copies: HashMap<ResendKey, Message> = HashMap::new();
    if !keys.is_empty() {
        let exact = keys.iter().fold(Condition::any(), |any, m| {
            let sender = match &m.sender_id {
                Some(id) => message::Column::SenderId.eq(id.as_str()),
                None => message::Column::SenderId.is_null(),
            };
            any.add(
                Condition::all()
                    .add(message::Column::ConversationId.eq(m.conversation_id.as_str()))
                    .add(message::Column::SenderKind.eq(m.sender_kind))
                    .add(sender)
                    .add(message::Column::ClientMsgId.eq(m.client_msg_id.as_deref())),
            )
        });
        for m in message::Entity::find().filter(exact).all(txn).await? {
            if let Some(key) = ResendKey::of_stored(&m) {
                copies.insert(key, m);
            }
        }
    }

    let mut results = Vec::with_capacity(batch.len());
    let mut fresh: Vec<Message> = Vec::new();
    for (tenant_id, new) in batch {
        let Some(c) = conversations
            .get_mut(&new.conversation_id)
            .filter(|c| c.tenant_id == *tenant_id)
        else {
            results.push(Err(StoreError::NotFound("conversation")));
            continue;
        };
        let key = ResendKey::of_new(new);
        if let Some(first) = key.as_ref().and_then(|k| copies.get(k)) {
            results.push(Ok(Appended {
                message: first.clone(),
                duplicate: true,
                conversation: c.clone(),
            }));
            continue;
        }
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
            created_at: at,
        };
        if let Some(key) = key {
            // A resend within the same batch is a duplicate of this one.
            copies.insert(key, model.clone());
        }
        fresh.push(model.clone());
        results.push(Ok(Appended {
            message: model,
            duplicate: false,
            conversation: c.clone(),
        }));
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
    Ok(results)
}
