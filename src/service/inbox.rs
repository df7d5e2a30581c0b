//! The agent's read side: conversation lists with unread counts, history, visitor profiles
//! (search: service/search/). Agents may read every conversation of their tenant; writing stays with the assignee.

use super::archive::{ArchiveReader, Span};
use super::authz::{Actor, Permission};
use super::page::{self, Page};
use super::{ServiceError, ServiceResult};
use crate::store::{
    Conversation, ConversationFilter, ConversationState, Message, SenderKind, Store, Visitor,
    VisitorEvent,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Waiting for an agent.
    Queue,
    /// Open and assigned to the caller.
    Mine,
    /// Every open conversation of the tenant.
    All,
    Closed,
}

pub struct InboxItem {
    pub conversation: Conversation,
    pub visitor: Visitor,
    /// Messages after the caller's read cursor, in conversations they hold or that wait in the
    /// queue; 0 in another agent's conversation.
    pub unread: i64,
    /// The newest message that is not a system event (notes included), its body cut to
    /// `PREVIEW_CHARS` characters; none before the first message.
    pub last_message: Option<Message>,
}

/// Longest message body in a list preview, in characters (then "…").
pub const PREVIEW_CHARS: usize = 120;

/// Cuts a body for a preview, on a character boundary, marking the cut with "…".
fn preview(body: &str) -> String {
    match body.char_indices().nth(PREVIEW_CHARS) {
        Some((at, _)) => format!("{}…", &body[..at]),
        None => body.to_string(),
    }
}

#[derive(Clone)]
pub struct InboxService {
    store: Store,
    archive: ArchiveReader,
}

impl InboxService {
    pub fn new(store: Store, archive: ArchiveReader) -> Self {
        InboxService { store, archive }
    }

    /// Conversations newest first, with the visitor and the caller's unread count.
    pub async fn list(
        &self,
        actor: &Actor,
        view: View,
        cursor: Option<String>,
        limit: Option<u64>,
    ) -> ServiceResult<Page<InboxItem>> {
        actor.require(Permission::Chat)?;
        let me = actor.require_user()?;
        let limit = page::limit(limit)?;
        let open = vec![
            ConversationState::Waiting,
            ConversationState::Bot,
            ConversationState::Chatting,
            ConversationState::Transferring,
        ];
        let filter = match view {
            View::Queue => ConversationFilter {
                states: vec![ConversationState::Waiting],
                ..Default::default()
            },
            View::Mine => ConversationFilter {
                states: vec![ConversationState::Chatting, ConversationState::Transferring],
                agent_id: Some(me.to_string()),
                ..Default::default()
            },
            View::All => ConversationFilter {
                states: open,
                ..Default::default()
            },
            View::Closed => ConversationFilter {
                states: vec![ConversationState::Closed],
                ..Default::default()
            },
        };
        let filter = ConversationFilter {
            before: cursor,
            ..filter
        };
        let rows = self
            .store
            .list_conversations(&actor.tenant_id, filter, limit + 1)
            .await?;
        let page = Page::from_rows(rows, limit, |c| c.id.clone());
        let ids: Vec<String> = page.items.iter().map(|c| c.id.clone()).collect();
        let cursors = self
            .store
            .read_cursors_of(&actor.tenant_id, SenderKind::Agent, me, &ids)
            .await?;
        let visitor_ids: Vec<String> = page.items.iter().map(|c| c.visitor_id.clone()).collect();
        let visitors = self
            .store
            .visitors_by_ids(&actor.tenant_id, &visitor_ids)
            .await?;
        let mut last = self.store.last_messages_of(&actor.tenant_id, &ids).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for c in page.items {
            let read = cursors
                .iter()
                .find(|r| r.conversation_id == c.id)
                .map_or(0, |r| r.last_read_seq);
            // One visitor may have several conversations on the page.
            let visitor = visitors
                .iter()
                .find(|v| v.id == c.visitor_id)
                .cloned()
                .ok_or(ServiceError::NotFound("visitor"))?;
            let last_message = last
                .iter()
                .position(|m| m.conversation_id == c.id)
                .map(|i| last.swap_remove(i))
                .map(|m| Message {
                    body: preview(&m.body),
                    ..m
                });
            // Only what the caller can read off counts: their own conversations and the queue.
            let theirs = c.agent_id.as_deref() == Some(me) || c.state == ConversationState::Waiting;
            items.push(InboxItem {
                unread: if theirs {
                    (c.last_seq - read).max(0)
                } else {
                    0
                },
                visitor,
                last_message,
                conversation: c,
            });
        }
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }

    /// A page of history: the `limit` messages before `before_seq` (the latest without it),
    /// oldest first. Agents see internal notes too.
    pub async fn history(
        &self,
        actor: &Actor,
        conversation_id: &str,
        before_seq: Option<i64>,
        limit: Option<u64>,
    ) -> ServiceResult<(Conversation, Vec<Message>)> {
        actor.require(Permission::Chat)?;
        let limit = page::limit(limit)?;
        let c = self
            .store
            .get_conversation(&actor.tenant_id, conversation_id)
            .await?;
        let before = before_seq.unwrap_or(c.last_seq + 1);
        if before < 1 {
            return Err(ServiceError::invalid("before_seq", "must be at least 1"));
        }
        let archived = self
            .archive
            .messages(&c, Span::Before(before), limit, false)
            .await?;
        let messages = match archived {
            Some(messages) => messages,
            None => {
                self.store
                    .list_messages_before(&actor.tenant_id, conversation_id, before, limit)
                    .await?
            }
        };
        Ok((c, messages))
    }

    /// What is known of a visitor, their conversations newest first, and their timeline.
    pub async fn visitor(
        &self,
        actor: &Actor,
        visitor_id: &str,
    ) -> ServiceResult<(Visitor, Vec<Conversation>, Vec<VisitorEvent>)> {
        actor.require(Permission::Chat)?;
        let visitor = self.store.get_visitor(&actor.tenant_id, visitor_id).await?;
        let filter = ConversationFilter {
            visitor_id: Some(visitor.id.clone()),
            ..Default::default()
        };
        let conversations = self
            .store
            .list_conversations(&actor.tenant_id, filter, 50)
            .await?;
        // Business events that found no open conversation (newest first).
        let timeline = self
            .store
            .visitor_timeline(&actor.tenant_id, &visitor.id, 50)
            .await?;
        Ok((visitor, conversations, timeline))
    }

    /// Messages, notes and visitors whose text contains the query (service/search/).
    pub async fn search(
        &self,
        actor: &Actor,
        req: super::search::SearchRequest,
    ) -> ServiceResult<super::search::SearchResults> {
        super::search::search(&self.store, actor, req).await
    }
}
