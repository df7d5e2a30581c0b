//! Agent search over the tenant's messages, internal notes and visitor fields (docs/search.md):
//! validation, the store's index-backed page, and a highlighted snippet for each hit.

mod highlight;

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

pub use highlight::Snippet;

use super::authz::{Actor, Permission};
use super::{page, ServiceError, ServiceResult};
use crate::store::{
    ConversationArchive, ConversationState, MessageHit, MessageKind, SearchCursor, SearchFilter,
    Store, Visitor, INDEX_BATCH,
};

/// Longest search text, in characters.
pub const QUERY_MAX: usize = 200;
/// Visitors listed with the first page.
const VISITORS_MAX: u64 = 10;
/// Archived conversations listed with the first page.
const ARCHIVED_MAX: u64 = 10;

/// A search as the agent asked for it.
#[derive(Debug, Default)]
pub struct SearchRequest {
    pub q: String,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub agent_id: Option<String>,
    pub state: Option<ConversationState>,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// Which part of a message matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageField {
    /// A message's text (visitor, agent or bot).
    Body,
    /// An internal note (agents only).
    Note,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitorField {
    Name,
    Email,
    Attributes,
}

pub struct MessageMatch {
    pub hit: MessageHit,
    pub field: MessageField,
    pub snippet: Snippet,
}

pub struct VisitorMatch {
    pub visitor: Visitor,
    pub field: VisitorField,
    pub snippet: Snippet,
}

/// An archived conversation whose summary matches (its messages are in object storage, not in
/// the message index: docs/retention.md).
pub struct ArchivedMatch {
    pub archive: ConversationArchive,
    pub snippet: Snippet,
}

pub struct SearchResults {
    pub messages: Vec<MessageMatch>,
    /// With the first page only (no cursor given).
    pub visitors: Vec<VisitorMatch>,
    /// With the first page only (no cursor given).
    pub archived: Vec<ArchivedMatch>,
    pub next_cursor: Option<String>,
}

fn filter_of(
    store: &Store,
    req: &SearchRequest,
) -> ServiceResult<(String, SearchFilter, Option<SearchCursor>)> {
    let q = req.q.trim();
    if q.is_empty() || q.chars().count() > QUERY_MAX {
        return Err(ServiceError::invalid(
            "q",
            format!("1 to {QUERY_MAX} characters"),
        ));
    }
    if let (Some(from), Some(to)) = (req.from, req.to) {
        if from >= to {
            return Err(ServiceError::invalid("to", "must be after from"));
        }
    }
    if let Some(agent) = &req.agent_id {
        if agent.is_empty() || agent.len() > 64 {
            return Err(ServiceError::invalid("agent_id", "not an id"));
        }
    }
    let cursor =
        match &req.cursor {
            Some(text) => Some(SearchCursor::parse(store.backend(), text).ok_or_else(|| {
                ServiceError::invalid("cursor", "not a cursor this search gave out")
            })?),
            None => None,
        };
    let filter = SearchFilter {
        from: req.from,
        to: req.to,
        agent_id: req.agent_id.clone(),
        state: req.state,
    };
    Ok((q.to_string(), filter, cursor))
}

/// Runs one search page for `actor` (any agent of the tenant).
pub async fn search(
    store: &Store,
    actor: &Actor,
    req: SearchRequest,
) -> ServiceResult<SearchResults> {
    actor.require(Permission::Chat)?;
    let (q, filter, cursor) = filter_of(store, &req)?;
    let limit = page::limit(req.limit)?;
    let page = store
        .search_message_page(&actor.tenant_id, &q, &filter, cursor.as_ref(), limit)
        .await?;
    let messages = page
        .hits
        .into_iter()
        .filter_map(|hit| {
            let snippet = highlight::snippet(&hit.message.body, &q)?;
            let field = match hit.message.kind {
                MessageKind::Note => MessageField::Note,
                _ => MessageField::Body,
            };
            Some(MessageMatch {
                hit,
                field,
                snippet,
            })
        })
        .collect();
    let visitors = match cursor {
        Some(_) => Vec::new(),
        None => store
            .search_visitors(&actor.tenant_id, &q, VISITORS_MAX)
            .await?
            .into_iter()
            .filter_map(|v| visitor_match(v, &q))
            .collect(),
    };
    let archived = match cursor {
        Some(_) => Vec::new(),
        None => store
            .search_archived(&actor.tenant_id, &q, ARCHIVED_MAX)
            .await?
            .into_iter()
            .filter_map(|archive| {
                let snippet = highlight::snippet(&archive.summary, &q)?;
                Some(ArchivedMatch { archive, snippet })
            })
            .collect(),
    };
    Ok(SearchResults {
        messages,
        visitors,
        archived,
        next_cursor: page.next.map(|c| c.text()),
    })
}

fn visitor_match(visitor: Visitor, q: &str) -> Option<VisitorMatch> {
    let fields = [
        (VisitorField::Name, visitor.name.clone().unwrap_or_default()),
        (
            VisitorField::Email,
            visitor.email.clone().unwrap_or_default(),
        ),
        (VisitorField::Attributes, visitor.attributes.clone()),
    ];
    fields.into_iter().find_map(|(field, text)| {
        highlight::snippet(&text, q).map(|snippet| VisitorMatch {
            visitor: visitor.clone(),
            field,
            snippet,
        })
    })
}

/// SQLite: keeps the full-text index up with the messages table, a batch at a time, until
/// shutdown (a message is in the index within about `IDLE` of its commit; until then search
/// scans it in the tail). Nothing to do on the other backends.
pub fn spawn_indexer(store: Store, shutdown: CancellationToken) {
    const IDLE: Duration = Duration::from_millis(500);
    if store.backend() != crate::store::Backend::Sqlite {
        return;
    }
    tokio::spawn(async move {
        let mut behind_logged = false;
        loop {
            let pause = match store.index_search_batch().await {
                Ok(n) if n >= INDEX_BATCH as u64 => {
                    if !behind_logged {
                        tracing::info!("search index catching up with the messages table");
                        behind_logged = true;
                    }
                    Duration::ZERO
                }
                Ok(_) => {
                    if behind_logged {
                        tracing::info!("search index up to date");
                        behind_logged = false;
                    }
                    IDLE
                }
                Err(e) => {
                    tracing::warn!(error = %e, "search indexing failed");
                    IDLE * 10
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(pause) => {}
            }
        }
    });
}
