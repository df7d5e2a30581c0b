//! `uniqchat bench seed`: writes generated rows straight into the normal tables, many rows per
//! statement and many statements per transaction, so a history of millions of messages takes
//! minutes. Only for benchmarks: nothing checks the rows beyond the database's constraints.

use sea_orm::{EntityTrait, TransactionTrait};

use super::entities::{conversation, message, visitor};
use super::{Conversation, Message, Store, StoreResult, Visitor};

/// Rows per INSERT statement, under every backend's limit of bound values (SQLite: 32,766;
/// PostgreSQL: 65,535; MySQL: 65,535) with the messages' 12 columns.
const ROWS_PER_STATEMENT: usize = 1_000;

/// One transaction's worth of generated rows, parents first.
#[derive(Default)]
pub struct SeedBatch {
    pub visitors: Vec<Visitor>,
    pub conversations: Vec<Conversation>,
    pub messages: Vec<Message>,
}

impl Store {
    /// Writes a batch in one transaction.
    pub async fn seed_batch(&self, batch: SeedBatch) -> StoreResult<()> {
        let txn = self.db.begin().await?;
        for chunk in batch.visitors.chunks(ROWS_PER_STATEMENT) {
            let rows = chunk.iter().cloned().map(visitor::ActiveModel::from);
            visitor::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
        }
        for chunk in batch.conversations.chunks(ROWS_PER_STATEMENT) {
            let rows = chunk.iter().cloned().map(conversation::ActiveModel::from);
            conversation::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
        }
        for chunk in batch.messages.chunks(ROWS_PER_STATEMENT) {
            let rows = chunk.iter().cloned().map(message::ActiveModel::from);
            message::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}
