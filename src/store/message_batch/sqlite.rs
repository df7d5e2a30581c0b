//! The batch on SQLite, below the ORM: the writer thread keeps a connection of its own and
//! runs each batch as one `BEGIN IMMEDIATE … COMMIT` of statements prepared once and reused,
//! one small statement per row. SQLite runs in the process, so a statement is a function call,
//! not a round trip: per row this costs a few microseconds, where building, binding and
//! parsing one multi-row statement per batch through sea-orm and sqlx cost several times that
//! (docs/performance.md). Decisions are `plan`'s, exactly as on the other databases.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use rusqlite::{
    params, Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior,
};
use sea_orm::sqlx::sqlite::SqliteConnectOptions;

use super::super::messages::{Appended, MessageHook};
use super::super::resends::ResendKey;
use super::super::{now, Conversation, Message, StoreError, StoreResult};
use super::sqlite_rows::{self, time_text, CONVERSATION_COLUMNS, MESSAGE_COLUMNS};
use super::{by_key, conversation_ids, elsewhere, plan, resend_keys, Batch, Plan};
use crate::types::ids::new_id;

/// Statements kept prepared: the handful below, with room to spare.
const STATEMENT_CACHE: usize = 16;

/// The writer's own connection to a SQLite database file.
pub struct SqliteBatchWriter {
    conn: Connection,
}

fn failed(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::FromSqlConversionFailure(..) => StoreError::Corrupt(e.to_string()),
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Conflict("message")
        }
        other => StoreError::Write(other.to_string()),
    }
}

impl SqliteBatchWriter {
    /// Opens a connection to the file of `url` (a `sqlite:` URL the store already opened and
    /// migrated) with the store's settings; `None` for an in-memory database, which another
    /// connection would not see.
    pub fn open(url: &str) -> StoreResult<Option<SqliteBatchWriter>> {
        let options =
            SqliteConnectOptions::from_str(url).map_err(|e| StoreError::Connect(e.to_string()))?;
        let path = options.get_filename();
        if url.contains("mode=memory") || path == Path::new(":memory:") {
            return Ok(None);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::Connect(e.to_string()))?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(failed)?;
        // As the store's pool connections are set (store/mod.rs): a commit survives a power
        // loss before its messages are acknowledged.
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
            .map_err(failed)?;
        for (pragma, value) in [
            ("synchronous", "FULL"),
            ("foreign_keys", "ON"),
            ("temp_store", "MEMORY"),
        ] {
            conn.pragma_update(None, pragma, value).map_err(failed)?;
        }
        conn.pragma_update(None, "mmap_size", super::super::SQLITE_MMAP_BYTES)
            .map_err(failed)?;
        conn.pragma_update(None, "cache_size", super::super::SQLITE_CACHE_KIB)
            .map_err(failed)?;
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            super::super::SQLITE_WAL_AUTOCHECKPOINT,
        )
        .map_err(failed)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Some(SqliteBatchWriter { conn }))
    }

    /// Appends the batch in one transaction; one result per message, in order. An `Err` means
    /// nothing of the batch was kept.
    pub fn append(
        &mut self,
        batch: &Batch,
        hooks: &[Option<MessageHook>],
    ) -> StoreResult<Vec<StoreResult<Appended>>> {
        let at = now();
        // IMMEDIATE takes the database's write lock first (waiting up to the busy timeout for
        // another writer), so nothing read below can change before the commit.
        let txn = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        let conversations = read_conversations(&txn, conversation_ids(batch))?;
        let keys = resend_keys(batch, &conversations);
        let copies = by_key(first_copies(&txn, &keys)?);
        let others = read_conversations(&txn, elsewhere(&copies, &conversations))?;
        let plan = plan(batch, hooks, conversations, copies, &others, at);
        write(&txn, &plan).map_err(failed)?;
        txn.commit().map_err(failed)?;
        Ok(plan.results)
    }
}

fn read_conversations<S: AsRef<str>>(
    txn: &Transaction,
    ids: impl IntoIterator<Item = S>,
) -> StoreResult<HashMap<String, Conversation>> {
    let mut found = HashMap::new();
    let mut select = txn
        .prepare_cached(&format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ?1"
        ))
        .map_err(failed)?;
    for id in ids {
        let row = select
            .query_row([id.as_ref()], sqlite_rows::conversation)
            .optional()
            .map_err(failed)?;
        if let Some(c) = row {
            found.insert(c.id.clone(), c);
        }
    }
    Ok(found)
}

/// The stored first copies of these keys (by the sender's index, as `resends::first_copies`).
fn first_copies(txn: &Transaction, keys: &[ResendKey]) -> StoreResult<Vec<Message>> {
    let mut found = Vec::new();
    if keys.is_empty() {
        return Ok(found);
    }
    let mut by_sender = txn
        .prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE sender_id = ?1 AND client_msg_id = ?2 \
             AND sender_kind = ?3 AND tenant_id = ?4"
        ))
        .map_err(failed)?;
    let mut anonymous = txn
        .prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE sender_id IS NULL AND client_msg_id = ?1 \
             AND sender_kind = ?2 AND tenant_id = ?3"
        ))
        .map_err(failed)?;
    for key in keys {
        let (tenant_id, kind, sender_id, client_msg_id) = key.parts();
        let rows = match sender_id {
            Some(sender) => by_sender.query_map(
                params![sender, client_msg_id, kind.as_str(), tenant_id],
                sqlite_rows::message,
            ),
            None => anonymous.query_map(
                params![client_msg_id, kind.as_str(), tenant_id],
                sqlite_rows::message,
            ),
        }
        .map_err(failed)?;
        for row in rows {
            found.push(row.map_err(failed)?);
        }
    }
    Ok(found)
}

fn write(txn: &Transaction, plan: &Plan) -> rusqlite::Result<()> {
    if plan.fresh.is_empty() {
        return Ok(());
    }
    let at = time_text(&plan.at);
    let mut bump = txn
        .prepare_cached("UPDATE conversations SET last_seq = ?1, updated_at = ?2 WHERE id = ?3")?;
    for (id, seq) in &plan.reached {
        bump.execute(params![seq, at, id])?;
    }
    let mut insert = txn.prepare_cached(&format!(
        "INSERT INTO messages ({MESSAGE_COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?;
    for m in &plan.fresh {
        insert.execute(params![
            m.id,
            m.tenant_id,
            m.conversation_id,
            m.seq,
            m.sender_kind.as_str(),
            m.sender_id,
            m.sender_name,
            m.client_msg_id,
            m.kind.as_str(),
            m.body,
            m.internal,
            at,
        ])?;
    }
    // Outbox events for the new messages of tenants that receive them, in the same commit
    // (as `outbox::insert_event` writes them).
    if !plan.events.is_empty() {
        let mut event = txn.prepare_cached(
            "INSERT INTO outbox_events (id, tenant_id, event_type, payload, fanned_out, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (tenant_id, e) in &plan.events {
            let payload = e.payload.to_string();
            event.execute(params![
                new_id(),
                tenant_id,
                e.event_type,
                payload,
                false,
                at
            ])?;
        }
    }
    if !plan.sentiments.is_empty() {
        let mut mood = txn.prepare_cached(
            "INSERT INTO message_sentiment (message_id, tenant_id, conversation_id, score, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for r in &plan.sentiments {
            mood.execute(params![
                r.message_id,
                r.tenant_id,
                r.conversation_id,
                r.score,
                at
            ])?;
        }
    }
    Ok(())
}

impl super::super::Store {
    /// A connection for a message writer of its own, when the store is a SQLite file.
    pub fn sqlite_batch_writer(&self) -> StoreResult<Option<SqliteBatchWriter>> {
        match self.backend {
            super::super::Backend::Sqlite => SqliteBatchWriter::open(&self.url),
            _ => Ok(None),
        }
    }

    /// `append_messages_hooked` on the writer's own SQLite connection. Should the batch fail
    /// (a busy timeout, say), it is written again one message at a time through the pool.
    pub async fn append_messages_sqlite(
        &self,
        writer: &mut SqliteBatchWriter,
        batch: Vec<(String, super::super::NewMessage)>,
        hooks: Vec<Option<MessageHook>>,
    ) -> StoreResult<Vec<StoreResult<Appended>>> {
        match writer.append(&batch, &hooks) {
            Ok(results) => Ok(results),
            Err(e) => {
                tracing::warn!(error = %e, size = batch.len(), "batched append failed; appending one by one");
                self.append_each(batch, hooks).await
            }
        }
    }
}
