//! Persistence: entities, migrations and the repository functions the services call.
//!
//! Every query takes the tenant id in its key or filter, so no code path can read across tenants.
//! SQL lives here and nowhere else.

mod api_tokens;
mod archive;
mod attachments;
mod audit;
mod availability;
mod blacklist;
mod bots;
mod conversation_events;
mod conversations;
mod deliveries;
pub mod entities;
mod error;
mod file_limits;
mod groups;
mod identity;
mod knowledge;
mod mail;
mod mail_digest;
mod message_batch;
pub use message_batch::sqlite::SqliteBatchWriter;
mod messages;
mod migrations;
mod outbox;
mod presence;
mod previews;
mod privacy;
mod quick_replies;
mod read_cursors;
mod refresh_tokens;
mod reply_drafts;
pub mod reports;
mod resends;
mod retention;
mod routing_scripts;
mod search;
mod seed;
mod sentiment;
mod settings;
mod sso;
mod stats;
mod tenants;
mod triggers;
mod two_factor;
mod users;
mod visitor_events;
mod visitors;
mod webhooks;
mod widget_options;
mod write_txn;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;

pub use archive::{ArchiveContents, ArchiveSettings, ConversationArchive, NewArchive};
pub use audit::NewAudit;
pub use bots::{BotSettingsRow, BotTurn, TurnEnd};
pub use conversation_events::EventFor;
pub use conversations::{AssignOutcome, ConversationFilter};
pub use entities::enums::*;
pub use error::{StoreError, StoreResult};
pub use file_limits::TenantFileLimits;
pub use knowledge::{KnowledgeEntry, KnowledgeInput};
pub use mail::{MailRow, MailSettings, NewMail, MAIL_DEAD, MAIL_PENDING, MAIL_SENT};
pub use messages::{Appended, MessageHook, NewMessage, Precondition};
pub use outbox::{Attempt, Claimed, NewEvent};
pub use privacy::{ErasedRows, VisitorRecords};
pub use reply_drafts::{DraftStatus, ReplyDraft};
pub use routing_scripts::RoutingScript;
pub use search::{MessageHit, MessagePage, SearchCursor, SearchFilter, VisitorHit, INDEX_BATCH};
pub use seed::SeedBatch;
pub use sentiment::MessageSentiment;
pub use sso::{SsoLogin, SsoLoginKind, SsoProvider};
pub use tenants::NewTenant;
pub use triggers::TriggerInput;
pub use two_factor::TwoFactor;
pub use users::{NewUser, UserFilter, UserPatch};
pub use visitor_events::VisitorEvent;
pub use visitors::NewVisitor;
pub use webhooks::{EndpointPatch, NewEndpoint};
pub use widget_options::WidgetOptions;
pub use writer::{Announce, MessageWriter, PendingAppend};

pub type Tenant = entities::tenant::Model;
pub type User = entities::user::Model;
pub type Group = entities::group::Model;
pub type Visitor = entities::visitor::Model;
pub type Conversation = entities::conversation::Model;
pub type Message = entities::message::Model;
pub type ReadCursor = entities::read_cursor::Model;
pub type QuickReply = entities::quick_reply::Model;
pub type BlacklistEntry = entities::blacklist_entry::Model;
pub type TenantSettings = entities::tenant_settings::Model;
pub type RefreshToken = entities::refresh_token::Model;
pub type ApiToken = entities::api_token::Model;
pub type Trigger = entities::trigger::Model;
pub type Attachment = entities::attachment::Model;
pub type AuditEntry = entities::audit_entry::Model;
pub type WebhookEndpoint = entities::webhook_endpoint::Model;
pub type WebhookDelivery = entities::webhook_delivery::Model;
pub type OutboxEvent = entities::outbox_event::Model;

use migrations::Migrator;

/// Address space SQLite may map per connection (virtual; pages come from the OS cache).
const SQLITE_MMAP_BYTES: u64 = 1 << 30;
/// Each connection's own page cache, in KiB (SQLite takes a negative size as KiB).
const SQLITE_CACHE_KIB: i64 = -8192;
/// WAL pages after which a commit copies the log back into the database file (SQLite's default
/// is 1,000). A batch of messages rewrites the same index leaves batch after batch; a longer log
/// copies each of them once per checkpoint instead of every few batches (docs/performance.md).
const SQLITE_WAL_AUTOCHECKPOINT: u32 = 8_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Backend> {
        let scheme = url.split_once("://")?.0;
        match scheme {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            "mysql" | "mariadb" => Some(Backend::MySql),
            _ => None,
        }
    }
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct ConnectSettings {
    pub url: String,
    pub max_connections: u32,
    pub connect_timeout: Duration,
}

#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    backend: Backend,
    /// The URL the store opened, for a connection of the message writer's own (SQLite).
    url: Arc<str>,
    blacklists: Arc<blacklist::BlacklistCache>,
}

impl Store {
    pub async fn connect(settings: &ConnectSettings) -> StoreResult<Store> {
        let backend = Backend::from_url(&settings.url)
            .ok_or_else(|| StoreError::Connect("unsupported database URL scheme".into()))?;
        // sqlx knows MariaDB by the mysql scheme only.
        let url = match settings.url.strip_prefix("mariadb://") {
            Some(rest) => format!("mysql://{rest}"),
            None => settings.url.clone(),
        };
        if backend == Backend::Sqlite {
            ensure_sqlite_dir(&url)?;
        }
        let mut opts = ConnectOptions::new(url);
        opts.max_connections(settings.max_connections)
            .min_connections(1)
            .connect_timeout(settings.connect_timeout)
            .acquire_timeout(settings.connect_timeout)
            .sqlx_logging(false);
        opts.map_sqlx_sqlite_opts(|o| {
            // WAL lets readers run beside the writer; FULL keeps a commit across power loss,
            // which is what "stored before acknowledged" promises.
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .create_if_missing(true)
                // Reads through a memory map share the OS page cache instead of copying
                // pages into each connection's small private cache with a syscall apiece;
                // the message indexes are read at random by conversation.
                .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
                .pragma("cache_size", SQLITE_CACHE_KIB.to_string())
                // A batch's multi-row statements keep a statement journal (to undo half a
                // statement); past 64 KiB SQLite spills it to a temporary file, which a batch
                // of a hundred messages did every time: open, write, close, unlink.
                .pragma("temp_store", "memory")
                .pragma("wal_autocheckpoint", SQLITE_WAL_AUTOCHECKPOINT.to_string())
        });
        let db = Database::connect(opts)
            .await
            .map_err(|e| StoreError::Connect(e.to_string()))?;
        Ok(Store {
            db,
            backend,
            url: settings.url.as_str().into(),
            blacklists: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every pending migration; returns the names applied.
    pub async fn migrate(&self) -> StoreResult<Vec<String>> {
        let pending = self.pending_migrations().await?;
        Migrator::up(&self.db, None).await?;
        Ok(pending)
    }

    pub async fn pending_migrations(&self) -> StoreResult<Vec<String>> {
        Ok(Migrator::get_pending_migrations(&self.db)
            .await?
            .iter()
            .map(|m| m.name().to_string())
            .collect())
    }

    /// Drops every table and applies all migrations again.
    pub async fn reset(&self) -> StoreResult<()> {
        // Each migration's `down` drops children before parents, which SQLite's foreign keys
        // require; dropping tables in catalogue order (`fresh`) fails there.
        Migrator::refresh(&self.db).await?;
        Ok(())
    }

    /// Answers whether the database is reachable now.
    pub async fn ping(&self) -> StoreResult<()> {
        self.db.ping().await?;
        Ok(())
    }

    pub async fn close(self) -> StoreResult<()> {
        self.db.close().await?;
        Ok(())
    }
}

fn ensure_sqlite_dir(url: &str) -> StoreResult<()> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError::Connect(format!("cannot create directory {}: {e}", parent.display()))
            })?;
        }
    }
    Ok(())
}

/// The current time at the precision every backend keeps (microseconds), so a row read back
/// equals the row written.
fn now() -> chrono::DateTime<chrono::Utc> {
    micros(chrono::Utc::now())
}

/// `at` cut to microseconds, the precision every backend stores.
fn micros(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    at.trunc_subsecs(6)
}
