//! Full-text search over message bodies that stays fast at millions of messages
//! (docs/search.md):
//! - SQLite: a contentless FTS5 table with the trigram tokenizer (substrings of 3+ characters,
//!   Chinese included), keyed by the messages' rowid and filled in the background from a cursor
//!   (store/search/indexer.rs), so the batch writer pays nothing per row; `search_cursor` holds
//!   the last rowid indexed.
//! - PostgreSQL: a pg_trgm GIN index on `lower(body)`, which `LIKE '%…%'` uses for 3+
//!   characters, Chinese included.
//! - MySQL/MariaDB: nothing. MariaDB 10.11 has no ngram full-text parser, and its built-in
//!   parser splits on spaces, so it cannot find Chinese substrings; search stays a scan there.
//!
//! And for the conversation lists at that scale: (tenant, state, id), so a list of one state
//! (closed, the long one) is read newest first straight from the index instead of sorting all
//! the tenant's closed conversations by id for every page. And visitors by (tenant, id), which
//! bounds the visitor-field part of a search to the newest visitors (store/search/visitors.rs).

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use super::schema::index;

/// SQLite: a deleted message (archive, privacy erasure, a deleted tenant) leaves the index — a
/// contentless FTS5 table forgets a row only when told its rowid and text — and, when the
/// deleted rows were the newest, the cursor comes back to the newest row left, because SQLite
/// gives their rowids to the next messages, which must then be indexed. Deletes are rare and
/// never on the message path; inserts pay nothing.
const FORGET_DELETED: &str = "CREATE TRIGGER message_search_forget AFTER DELETE ON messages BEGIN \
    INSERT INTO message_search (message_search, rowid, body) \
        SELECT 'delete', old.rowid, old.body \
        WHERE old.kind <> 'event' \
          AND old.rowid <= (SELECT last_rowid FROM search_cursor WHERE name = 'messages'); \
    UPDATE search_cursor SET last_rowid = (SELECT coalesce(max(rowid), 0) FROM messages) \
        WHERE name = 'messages' \
          AND last_rowid > (SELECT coalesce(max(rowid), 0) FROM messages); \
    END";

const LISTS: &str = "conversations";
const VISITORS: &str = "visitors";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE message_search USING fts5(body, content='', \
                     tokenize='trigram', detail='none')",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TABLE search_cursor (name TEXT PRIMARY KEY NOT NULL, \
                     last_rowid INTEGER NOT NULL)",
                )
                .await?;
                db.execute_unprepared(
                    "INSERT INTO search_cursor (name, last_rowid) VALUES ('messages', 0)",
                )
                .await?;
                db.execute_unprepared(FORGET_DELETED).await?;
            }
            DbBackend::Postgres => {
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    .await?;
                db.execute_unprepared(
                    "CREATE INDEX ix_messages_body_trgm ON messages \
                     USING gin (lower(body) gin_trgm_ops)",
                )
                .await?;
            }
            DbBackend::MySql => {}
        }
        manager
            .create_index(index(LISTS, "state_id", &["tenant_id", "state", "id"]))
            .await?;
        manager
            .create_index(index(VISITORS, "tenant_id", &["tenant_id", "id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(format!("ix_{VISITORS}_tenant_id"))
                    .table(Alias::new(VISITORS))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(format!("ix_{LISTS}_state_id"))
                    .table(Alias::new(LISTS))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared("DROP TRIGGER IF EXISTS message_search_forget")
                    .await?;
                db.execute_unprepared("DROP TABLE IF EXISTS message_search")
                    .await?;
                db.execute_unprepared("DROP TABLE IF EXISTS search_cursor")
                    .await?;
            }
            DbBackend::Postgres => {
                db.execute_unprepared("DROP INDEX IF EXISTS ix_messages_body_trgm")
                    .await?;
            }
            DbBackend::MySql => {}
        }
        Ok(())
    }
}
