//! SQLite only: copies new message bodies into the FTS5 table `message_search` after they are
//! committed, in batches, from the cursor in `search_cursor`. The batch writer's transactions
//! stay as they were (no trigger, no second table written per message); a message becomes
//! searchable through the index one indexer pass later, and until then the search reads it by
//! scanning the short tail beyond the cursor (sqlite.rs).

use sea_orm::{ConnectionTrait, Statement};

use crate::store::{Backend, Store, StoreResult};

/// Rows copied per transaction.
pub const INDEX_BATCH: i64 = 5_000;

impl Store {
    /// Indexes the next batch of messages after the cursor; returns how many rows it passed
    /// (0: up to date, or not SQLite).
    pub async fn index_search_batch(&self) -> StoreResult<u64> {
        if self.backend != Backend::Sqlite {
            return Ok(0);
        }
        let stmt = |sql: &str, values: Vec<sea_orm::Value>| {
            Statement::from_sql_and_values(sea_orm::DbBackend::Sqlite, sql, values)
        };
        // The write lock first: this transaction reads the cursor, then writes (write_txn.rs).
        let txn = self.begin_write().await?;
        let from: i64 = match txn
            .query_one(stmt(
                "SELECT last_rowid FROM search_cursor WHERE name = 'messages'",
                vec![],
            ))
            .await?
        {
            Some(row) => row.try_get_by_index(0)?,
            None => return Ok(0),
        };
        let upto: Option<i64> = match txn
            .query_one(stmt(
                "SELECT max(rowid) FROM (SELECT rowid FROM messages WHERE rowid > ? \
                 ORDER BY rowid LIMIT ?)",
                vec![from.into(), INDEX_BATCH.into()],
            ))
            .await?
        {
            Some(row) => row.try_get_by_index(0)?,
            None => None,
        };
        let Some(upto) = upto else {
            return Ok(0);
        };
        txn.execute(stmt(
            "INSERT INTO message_search (rowid, body) SELECT rowid, body FROM messages \
             WHERE rowid > ? AND rowid <= ? AND kind <> 'event'",
            vec![from.into(), upto.into()],
        ))
        .await?;
        txn.execute(stmt(
            "UPDATE search_cursor SET last_rowid = ? WHERE name = 'messages'",
            vec![upto.into()],
        ))
        .await?;
        txn.commit().await?;
        Ok((upto - from) as u64)
    }
}
