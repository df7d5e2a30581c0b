//! The batch through sea-orm, with a handful of statements whatever its size: lock the
//! batch's conversations (an `UPDATE` that changes nothing), read them, look up earlier copies
//! of resent messages, store the new `last_seq`s (one `UPDATE … CASE`), insert the new messages
//! (multi-row `INSERT`). PostgreSQL and MySQL write their batches here.

use std::collections::HashMap;

use sea_orm::sea_query::{CaseStatement, Expr, SimpleExpr};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter};

use super::super::entities::{conversation, message, message_sentiment};
use super::super::messages::{Appended, MessageHook};
use super::super::outbox::insert_event;
use super::super::resends::first_copies;
use super::super::{now, Conversation, StoreError, StoreResult};
use super::{by_key, conversation_ids, elsewhere, plan, resend_keys, Batch, Plan};

/// Rows per `INSERT`, well under every backend's limit on bound parameters.
const INSERT_CHUNK: usize = 500;

/// Appends the batch inside `txn`; one result per message, in order. An `Err` of the whole
/// call means nothing of the batch may be kept (roll back).
pub(in crate::store) async fn append_batch(
    txn: &DatabaseTransaction,
    batch: &Batch,
    hooks: &[Option<MessageHook>],
) -> StoreResult<Vec<StoreResult<Appended>>> {
    let at = now();
    // Every lookup goes by primary key or by the resend index: a filter on the tenant would
    // lead the planner to the tenant's index and a scan of all its conversations.
    let ids = conversation_ids(batch);
    // A write that changes nothing, first: it takes the rows' write locks, so nothing read
    // below can change before the commit.
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::LastSeq,
            Into::<SimpleExpr>::into(Expr::col(conversation::Column::LastSeq)),
        )
        .filter(conversation::Column::Id.is_in(ids.iter().copied()))
        .exec(txn)
        .await?;
    let conversations = read_conversations(txn, ids).await?;
    let keys = resend_keys(batch, &conversations);
    let copies = by_key(first_copies(txn, &keys).await?);
    let others = read_conversations(txn, elsewhere(&copies, &conversations)).await?;
    let plan = plan(batch, hooks, conversations, copies, &others, at);
    write(txn, &plan).await?;
    Ok(plan.results)
}

async fn read_conversations<I, S>(
    txn: &DatabaseTransaction,
    ids: I,
) -> StoreResult<HashMap<String, Conversation>>
where
    I: IntoIterator<Item = S>,
    S: Into<sea_orm::Value>,
{
    let ids: Vec<sea_orm::Value> = ids.into_iter().map(Into::into).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(conversation::Entity::find()
        .filter(conversation::Column::Id.is_in(ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect())
}

async fn write(txn: &DatabaseTransaction, plan: &Plan) -> StoreResult<()> {
    if plan.fresh.is_empty() {
        return Ok(());
    }
    let case = plan
        .reached
        .iter()
        .fold(CaseStatement::new(), |case, (id, seq)| {
            case.case(conversation::Column::Id.eq(id.as_str()), Expr::val(*seq))
        })
        .finally(Expr::col(conversation::Column::LastSeq));
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::LastSeq,
            Into::<SimpleExpr>::into(case),
        )
        .col_expr(conversation::Column::UpdatedAt, Expr::value(plan.at))
        .filter(conversation::Column::Id.is_in(plan.reached.keys().map(String::as_str)))
        .exec(txn)
        .await?;
    insert_chunked::<message::Entity>(txn, &plan.fresh, "message").await?;
    // Outbox events for the new messages of tenants that receive them, in the same commit.
    for (tenant_id, event) in &plan.events {
        insert_event(txn, tenant_id, event, false).await?;
    }
    insert_chunked::<message_sentiment::Entity>(txn, &plan.sentiments, "message sentiment").await
}

/// Inserts `rows` with one statement per `INSERT_CHUNK`; a duplicate key is a conflict on `what`.
async fn insert_chunked<E>(
    txn: &DatabaseTransaction,
    rows: &[E::Model],
    what: &'static str,
) -> StoreResult<()>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone,
{
    for chunk in rows.chunks(INSERT_CHUNK) {
        let models = chunk
            .iter()
            .cloned()
            .map(IntoActiveModel::into_active_model);
        E::insert_many(models)
            .exec_without_returning(txn)
            .await
            .map_err(StoreError::unique(what))?;
    }
    Ok(())
}
