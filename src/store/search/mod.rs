//! Full-text search over the tenant's messages (notes included) and visitor fields, newest first
//! with a keyset cursor (docs/search.md). Each backend finds candidates its own way (SQLite:
//! FTS5 trigram index plus the not yet indexed tail; PostgreSQL: pg_trgm GIN index; MySQL: a
//! newest-first scan); every backend then checks the text itself, so all answer the same.

mod indexer;
mod sql;
mod sqlite;
mod visitors;

use chrono::{DateTime, Utc};

use super::{Backend, ConversationState, Message, Store, StoreResult};

pub use indexer::INDEX_BATCH;
pub use visitors::VisitorHit;

/// What narrows a search besides its text.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Messages written at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Messages written before this time.
    pub to: Option<DateTime<Utc>>,
    /// Conversations assigned to this agent.
    pub agent_id: Option<String>,
    pub state: Option<ConversationState>,
}

/// Where a page starts: after this position, newest first. On SQLite the messages' rowid, on
/// the other backends the message id (ids sort by time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchCursor {
    Rowid(i64),
    Id(String),
}

impl SearchCursor {
    /// Reads a cursor this backend gave out; None when it is not one.
    pub fn parse(backend: Backend, text: &str) -> Option<SearchCursor> {
        let plain = !text.is_empty()
            && text.len() <= 64
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        match backend {
            Backend::Sqlite => text
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(SearchCursor::Rowid),
            _ if plain => Some(SearchCursor::Id(text.to_string())),
            _ => None,
        }
    }

    pub fn text(&self) -> String {
        match self {
            SearchCursor::Rowid(n) => n.to_string(),
            SearchCursor::Id(id) => id.clone(),
        }
    }
}

/// A message that contains the text, with its conversation's state and assignee.
#[derive(Debug, Clone)]
pub struct MessageHit {
    pub message: Message,
    pub state: ConversationState,
    pub agent_id: Option<String>,
    pub visitor_id: String,
}

/// Up to `limit` hits, and where the next page starts (None: nothing older matches). A page
/// may hold fewer than `limit` hits and still have a next one when a bounded scan (short
/// queries) stopped before the oldest message.
pub struct MessagePage {
    pub hits: Vec<MessageHit>,
    pub next: Option<SearchCursor>,
}

/// Messages longer than this many rows apart are not scanned in one request by the fallback
/// for queries too short for a trigram index (1–2 characters).
pub const SHORT_QUERY_WINDOW: i64 = 200_000;

impl Store {
    /// Messages of the tenant (not system events) whose body contains `text`, compared in
    /// lower case, newest first, after `cursor`.
    pub async fn search_message_page(
        &self,
        tenant_id: &str,
        text: &str,
        filter: &SearchFilter,
        cursor: Option<&SearchCursor>,
        limit: u64,
    ) -> StoreResult<MessagePage> {
        let needle = text.to_lowercase();
        match self.backend {
            Backend::Sqlite => {
                let before = match cursor {
                    Some(SearchCursor::Rowid(n)) => Some(*n),
                    _ => None,
                };
                sqlite::search(&self.db, tenant_id, &needle, filter, before, limit).await
            }
            Backend::Postgres | Backend::MySql => {
                let before = match cursor {
                    Some(SearchCursor::Id(id)) => Some(id.as_str()),
                    _ => None,
                };
                sql::search(&self.db, tenant_id, &needle, filter, before, limit).await
            }
        }
    }
}

/// `text` escaped for `LIKE … ESCAPE '!'` between two `%`.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('!', "!!")
        .replace('%', "!%")
        .replace('_', "!_");
    format!("%{escaped}%")
}
