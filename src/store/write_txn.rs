//! Transactions that read before they write.
//!
//! SQLite in WAL mode starts a transaction as a reader; its first write then needs the
//! database's write lock, and if any other connection (the message writer, the search indexer,
//! another process such as `uniqchat archive` beside `serve`) committed since the transaction's
//! first read, SQLite answers SQLITE_BUSY at once: the busy timeout cannot help, because the
//! snapshot already read is stale. Taking the write lock first makes such a transaction wait
//! its turn instead. PostgreSQL and MySQL lock rows as they are written and need nothing.

use sea_orm::{ConnectionTrait, DatabaseTransaction, Statement, TransactionTrait};

use super::{Backend, Store, StoreResult};

/// A write that changes nothing but takes SQLite's write lock (the statement's write
/// transaction starts before its WHERE clause is looked at).
const TAKE_WRITE_LOCK: &str = "UPDATE tenants SET id = id WHERE 0";

impl Store {
    /// A transaction holding the write lock from its start on SQLite (a plain one elsewhere).
    pub(super) async fn begin_write(&self) -> StoreResult<DatabaseTransaction> {
        let txn = self.db.begin().await?;
        if self.backend == Backend::Sqlite {
            txn.execute(Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                TAKE_WRITE_LOCK,
            ))
            .await?;
        }
        Ok(txn)
    }
}
