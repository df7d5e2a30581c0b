//! Following conversations: their messages, the open ones to follow, read cursors and typing.

use super::{ChatService, Participant, RESUME_PAGE};
use crate::cluster::EventKind;
use crate::service::archive::Span;
use crate::service::{widget_text, ServiceError, ServiceResult};
use crate::store::{Conversation, ConversationFilter, ConversationState, Message};

impl ChatService {
    /// Messages after `after_seq`, oldest first, at most one page.
    pub async fn messages_after(
        &self,
        who: &Participant,
        conversation_id: &str,
        after_seq: i64,
    ) -> ServiceResult<Vec<Message>> {
        if after_seq < 0 {
            return Err(ServiceError::invalid("seq", "must not be negative"));
        }
        let c = self.visible(who, conversation_id).await?;
        let (tenant, page) = (who.tenant_id(), RESUME_PAGE);
        let public = matches!(who, Participant::Visitor { .. });
        // An archived conversation is read back from its object, read-only.
        let span = Span::After(after_seq);
        if let Some(archived) = self.archive.messages(&c, span, page, public).await? {
            return Ok(archived);
        }
        Ok(match who {
            // Visitors never see internal notes; their seqs skip those.
            Participant::Visitor { .. } => {
                self.store
                    .list_public_messages_after(tenant, conversation_id, after_seq, page)
                    .await?
            }
            Participant::Agent { .. } => {
                self.store
                    .list_messages_after(tenant, conversation_id, after_seq, page)
                    .await?
            }
        })
    }

    /// The conversations a participant should follow on connecting: the visitor's open one; an
    /// agent's own open ones and the tenant's queue.
    pub async fn open_conversations(&self, who: &Participant) -> ServiceResult<Vec<Conversation>> {
        match who {
            Participant::Visitor {
                tenant_id,
                visitor_id,
            } => Ok(self
                .store
                .find_open_conversation(tenant_id, visitor_id)
                .await?
                .into_iter()
                .collect()),
            Participant::Agent {
                tenant_id, user_id, ..
            } => {
                let mine = ConversationFilter {
                    agent_id: Some(user_id.clone()),
                    states: vec![ConversationState::Chatting, ConversationState::Transferring],
                    ..Default::default()
                };
                let queue = ConversationFilter {
                    states: vec![ConversationState::Waiting],
                    ..Default::default()
                };
                let mut list = self.store.list_conversations(tenant_id, mine, 500).await?;
                list.extend(self.store.list_conversations(tenant_id, queue, 500).await?);
                Ok(list)
            }
        }
    }

    /// Moves the participant's read cursor and tells the other side.
    pub async fn mark_read(
        &self,
        who: &Participant,
        conversation_id: &str,
        seq: i64,
    ) -> ServiceResult<i64> {
        let c = self.visible(who, conversation_id).await?;
        if seq < 0 || seq > c.last_seq {
            return Err(ServiceError::invalid(
                "seq",
                format!("must be between 0 and {}", c.last_seq),
            ));
        }
        let cursor = self
            .store
            .advance_read_cursor(who.tenant_id(), conversation_id, who.kind(), who.id(), seq)
            .await?;
        // The visitor hears "seen" from the agent who holds the conversation only, not from a
        // colleague or supervisor looking in.
        let holder = match who {
            Participant::Visitor { .. } => true,
            Participant::Agent { user_id, .. } => c.agent_id.as_ref() == Some(user_id),
        };
        if holder {
            self.publish(
                &c,
                EventKind::Read {
                    by: who.kind(),
                    seq: cursor.last_read_seq,
                },
            );
        }
        Ok(cursor.last_read_seq)
    }

    /// Relays a typing indicator; nothing is stored. A visitor's `draft` goes on to agents
    /// only while the tenant has the typing preview on; otherwise it is dropped here.
    pub async fn typing(
        &self,
        who: &Participant,
        conversation_id: &str,
        on: bool,
        draft: Option<&str>,
    ) -> ServiceResult<()> {
        let c = self.visible(who, conversation_id).await?;
        let draft = match draft.filter(|_| on).and_then(widget_text::clean_draft) {
            Some(d) if matches!(who, Participant::Visitor { .. }) => {
                // Unknown (the database did not answer): dropped, the signal still goes.
                let preview = widget_text::typing_preview(&self.store, &c.tenant_id)
                    .await
                    .unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "typing preview setting unreadable");
                        false
                    });
                preview.then_some(d)
            }
            _ => None,
        };
        self.publish(
            &c,
            EventKind::Typing {
                from: who.kind(),
                on,
                draft,
            },
        );
        Ok(())
    }
}
