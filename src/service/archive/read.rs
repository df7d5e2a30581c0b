//! Reading archived conversations back: the messages of a conversation whose hot rows were
//! archived come from its object, with the same paging as the hot tables.

use super::format::ArchiveDoc;
use crate::service::{ServiceError, ServiceResult};
use crate::storage::{Storage, StorageError};
use crate::store::{Conversation, ConversationState, Message, MessageKind, Store};

/// Which page of messages to read.
#[derive(Debug, Clone, Copy)]
pub enum Span {
    /// `seq` above this, oldest first.
    After(i64),
    /// The last `limit` below this `seq`, oldest first.
    Before(i64),
}

#[derive(Clone)]
pub struct ArchiveReader {
    store: Store,
    storage: Storage,
}

impl ArchiveReader {
    pub fn new(store: Store, storage: Storage) -> ArchiveReader {
        ArchiveReader { store, storage }
    }

    /// The archive document of a conversation, or None when it is not archived (open
    /// conversations never are: they are not even looked up).
    pub async fn document(&self, c: &Conversation) -> ServiceResult<Option<ArchiveDoc>> {
        if c.state != ConversationState::Closed {
            return Ok(None);
        }
        let Some(row) = self.store.get_archive(&c.tenant_id, &c.id).await? else {
            return Ok(None);
        };
        let bytes = self
            .storage
            .get(&row.object_key)
            .await
            .map_err(|e| match e {
                StorageError::NotFound => {
                    ServiceError::Internal(format!("archive object {} is missing", row.object_key))
                }
                other => ServiceError::Internal(other.to_string()),
            })?;
        Ok(Some(ArchiveDoc::decode(&bytes)?))
    }

    /// A page of an archived conversation's messages, or None when it is not archived (read
    /// the hot tables then). `public`: what a visitor may see (no notes, nothing internal).
    pub async fn messages(
        &self,
        c: &Conversation,
        span: Span,
        limit: u64,
        public: bool,
    ) -> ServiceResult<Option<Vec<Message>>> {
        let Some(doc) = self.document(c).await? else {
            return Ok(None);
        };
        let shown = doc
            .messages
            .into_iter()
            .filter(|m| !public || (m.kind != MessageKind::Note && !m.internal));
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        Ok(Some(match span {
            Span::After(after) => shown.filter(|m| m.seq > after).take(limit).collect(),
            Span::Before(before) => {
                let below: Vec<Message> = shown.filter(|m| m.seq < before).collect();
                let skip = below.len().saturating_sub(limit);
                below.into_iter().skip(skip).collect()
            }
        }))
    }
}
