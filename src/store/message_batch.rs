//! Many messages in one transaction with a handful of statements, whatever the batch size:
//! the fast path of the group-commit writer.
//!
//! Statements per batch: lock the batch's conversations (an `UPDATE` of `updated_at`), read
//! their `last_seq`, look up earlier copies of resent messages, store the new `last_seq`s (one
//! `UPDATE … CASE`), insert the new messages (multi-row `INSERT`). Seqs are handed out in
//! memory while the conversation rows are locked, so they stay gap-free and ordered as the
//! batch is.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::sea_query::{CaseStatement, Expr, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};

use super::entities::{conversation, message};
use super::messages::{Appended, NewMessage};
use super::{now, Message, SenderKind, StoreError, StoreResult};
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
    let owners: HashMap<String, String> = conversation::Entity::find()
        .select_only()
        .columns([conversation::Column::Id, conversation::Column::TenantId])
        .filter(conversation::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(String, String)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    // Only conversations of the sender's tenant count; another tenant's id is unknown.
    let known: BTreeSet<&str> = batch
        .iter()
        .filter(|(tenant_id, m)| owners.get(&m.conversation_id) == Some(tenant_id))
        .map(|(_, m)| m.conversation_id.as_str())
        .collect();
    let mut last_seq: HashMap<String, i64> = HashMap::new();
    if !known.is_empty() {
        // Takes the rows' write locks before anything below is read.
        conversation::Entity::update_many()
            .col_expr(conversation::Column::UpdatedAt, Expr::value(at))
            .filter(conversation::Column::Id.is_in(known.iter().copied()))
            .exec(txn)
            .await?;
        last_seq = conversation::Entity::find()
            .select_only()
            .columns([conversation::Column::Id, conversation::Column::LastSeq])
            .filter(conversation::Column::Id.is_in(known.iter().copied()))
            .into_tuple::<(String, i64)>()
            .all(txn)
            .await?
            .into_iter()
            .collect();
    }

    // Earlier copies of messages that are resent, looked up one exact key at a time.
    let keys: Vec<&NewMessage> = batch
        .iter()
        .map(|(_, m)| m)
        .filter(|m| m.client_msg_id.is_some() && last_seq.contains_key(&m.conversation_id))
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
        let owned = owners.get(&new.conversation_id) == Some(tenant_id);
        let Some(seq) = last_seq.get_mut(&new.conversation_id).filter(|_| owned) else {
            results.push(Err(StoreError::NotFound("conversation")));
            continue;
        };
        let key = ResendKey::of_new(new);
        if let Some(first) = key.as_ref().and_then(|k| copies.get(k)) {
            results.push(Ok(Appended {
                message: first.clone(),
                duplicate: true,
            }));
            continue;
        }
        *seq += 1;
        let model = Message {
            id: new_id(),
            tenant_id: tenant_id.clone(),
            conversation_id: new.conversation_id.clone(),
            seq: *seq,
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
