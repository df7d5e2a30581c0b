//! The conversation state machine, in one place, and the moves that end a conversation.

use chrono::{Duration, Utc};

use super::{ChatService, Participant};
use crate::cluster::EventKind;
use crate::service::{ServiceError, ServiceResult};
use crate::store::{Conversation, ConversationState, SenderKind};

/// Whether a conversation may move from `from` to `to`. Closed is final: a closed conversation
/// never reopens.
pub fn can_move(from: ConversationState, to: ConversationState) -> bool {
    use ConversationState::*;
    matches!(
        (from, to),
        (Waiting, Chatting | Bot | Closed)
            | (Bot, Waiting | Chatting | Closed)
            | (Chatting, Transferring | Waiting | Closed)
            | (Transferring, Chatting | Waiting | Closed)
    )
}

/// Checks a move against the state machine.
pub fn check_move(from: ConversationState, to: ConversationState) -> ServiceResult<()> {
    if can_move(from, to) {
        Ok(())
    } else {
        Err(ServiceError::Conflict(format!(
            "a {from} conversation cannot become {to}"
        )))
    }
}

impl ChatService {
    /// Closes a conversation: the visitor's own, or one the agent holds.
    pub async fn close(
        &self,
        who: &Participant,
        conversation_id: &str,
    ) -> ServiceResult<Conversation> {
        let c = self.visible(who, conversation_id).await?;
        if let Participant::Agent { user_id, .. } = who {
            if c.agent_id.as_deref() != Some(user_id) {
                return Err(ServiceError::Forbidden(
                    "only the conversation's agent closes it",
                ));
            }
        }
        let reason = match who.kind() {
            SenderKind::Visitor => "visitor",
            _ => "agent",
        };
        self.close_as(&c, reason).await
    }

    /// The visitor rates a closed conversation, 1 to 5, with an optional comment.
    pub async fn rate(
        &self,
        who: &Participant,
        conversation_id: &str,
        rating: i32,
        comment: Option<&str>,
    ) -> ServiceResult<Conversation> {
        let Participant::Visitor { tenant_id, .. } = who else {
            return Err(ServiceError::Forbidden(
                "only the visitor rates a conversation",
            ));
        };
        if !(1..=5).contains(&rating) {
            return Err(ServiceError::invalid("rating", "must be 1 to 5"));
        }
        if comment.is_some_and(|c| c.chars().count() > 1000) {
            return Err(ServiceError::invalid(
                "comment",
                "must be at most 1000 characters",
            ));
        }
        let c = self.visible(who, conversation_id).await?;
        if c.state != ConversationState::Closed {
            return Err(ServiceError::Conflict(
                "only a closed conversation can be rated".into(),
            ));
        }
        let event = self.on_rated(tenant_id).await;
        if !self
            .store
            .rate_conversation_emitting(tenant_id, &c.id, rating, comment, event)
            .await?
        {
            return Err(ServiceError::Conflict(
                "the conversation was rated already".into(),
            ));
        }
        let c = self.store.get_conversation(tenant_id, &c.id).await?;
        self.publish(&c, EventKind::Updated(c.clone()));
        Ok(c)
    }

    /// Closes every conversation of every tenant that has been silent for `idle`.
    pub async fn close_inactive(&self, idle: Duration) -> ServiceResult<usize> {
        let before = Utc::now() - idle;
        let mut closed = 0;
        let mut after: Option<String> = None;
        loop {
            let tenants = self.store.list_tenants(after.as_deref(), 100).await?;
            let Some(last) = tenants.last() else { break };
            after = Some(last.id.clone());
            for tenant in &tenants {
                for c in self
                    .store
                    .stale_conversations(&tenant.id, before, 500)
                    .await?
                {
                    if self.close_as(&c, "inactivity").await.is_ok() {
                        closed += 1;
                    }
                }
            }
        }
        Ok(closed)
    }

    pub(super) async fn close_as(
        &self,
        c: &Conversation,
        reason: &str,
    ) -> ServiceResult<Conversation> {
        check_move(c.state, ConversationState::Closed)?;
        let event = self.on_closed(&c.tenant_id).await;
        if !self
            .store
            .close_conversation_emitting(&c.tenant_id, &c.id, reason, event)
            .await?
        {
            return Err(ServiceError::Conflict(
                "the conversation is already closed".into(),
            ));
        }
        let text = match reason {
            "inactivity" => "The conversation was closed after a period of inactivity".to_string(),
            "blocked" => "The conversation was closed and the visitor blocked".to_string(),
            "visitor" => "The visitor closed the conversation".to_string(),
            "api" => "The conversation was closed".to_string(),
            _ => "The agent closed the conversation".to_string(),
        };
        self.system_message(&c.tenant_id, &c.id, &text).await?;
        let closed = self.store.get_conversation(&c.tenant_id, &c.id).await?;
        self.publish(&closed, EventKind::Updated(closed.clone()));
        if let Err(e) = self.mail.transcript_on_close(&closed).await {
            tracing::warn!(error = %e, conversation = %c.id, "cannot queue a transcript");
        }
        if c.state == ConversationState::Waiting {
            self.publish_queue(&c.tenant_id).await?;
        } else if c.agent_id.is_some() {
            // The agent has room for one more now.
            self.route_queue(&c.tenant_id).await?;
        }
        Ok(closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConversationState::*;

    #[test]
    fn closed_is_final_and_moves_are_explicit() {
        for to in [Waiting, Bot, Chatting, Transferring, Closed] {
            assert!(!can_move(Closed, to), "closed → {to}");
        }
        assert!(can_move(Waiting, Chatting));
        assert!(can_move(Chatting, Transferring));
        assert!(can_move(Transferring, Waiting));
        assert!(!can_move(Waiting, Transferring));
        assert!(check_move(Closed, Chatting).is_err());
    }
}
