//! The holding agent's side of hybrid mode: the conversation's pending drafts, and approving
//! (sent as the agent's own message, through the usual send path) or dismissing one.

use serde::Serialize;

use super::super::BotService;
use crate::service::authz::{Actor, Permission};
use crate::service::{ServiceError, ServiceResult};
use crate::store::{Conversation, DraftStatus, Message, NewAudit, ReplyDraft};

/// A draft as the agent sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DraftView {
    pub id: String,
    pub conversation_id: String,
    /// The visitor message it answers.
    pub message_id: String,
    pub body: String,
    /// `pending`, `approved` or `dismissed`.
    pub status: String,
    pub final_body: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<ReplyDraft> for DraftView {
    fn from(d: ReplyDraft) -> Self {
        DraftView {
            id: d.id,
            conversation_id: d.conversation_id,
            message_id: d.message_id,
            body: d.body,
            status: d.status,
            final_body: d.final_body,
            created_at: d.created_at,
            decided_at: d.decided_at,
        }
    }
}

/// An approved draft and the message it became.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub draft: DraftView,
    pub message: Message,
}

impl BotService {
    /// The pending drafts of a conversation the agent holds, oldest first.
    pub async fn pending_drafts(
        &self,
        actor: &Actor,
        conversation_id: &str,
    ) -> ServiceResult<Vec<DraftView>> {
        let (c, _) = self.held(actor, conversation_id).await?;
        let drafts = self
            .store
            .list_reply_drafts(&c.tenant_id, &c.id, DraftStatus::Pending)
            .await?;
        Ok(drafts.into_iter().map(DraftView::from).collect())
    }

    /// Sends `body` (the draft, edited or not) as the agent's message and marks the draft
    /// approved, with an audit entry.
    pub async fn approve_draft(
        &self,
        actor: &Actor,
        draft_id: &str,
        body: &str,
    ) -> ServiceResult<Outcome> {
        let draft = self.pending(actor, draft_id).await?;
        let (c, agent) = self.held(actor, &draft.conversation_id).await?;
        // Keyed by the draft: approving twice at once stores one message.
        let sent = self
            .chat
            .send_as_agent(
                &c.tenant_id,
                &agent,
                &c.id,
                &format!("draft:{}", draft.id),
                body,
            )
            .await?;
        let body = sent.message.body.clone();
        if !self
            .store
            .decide_reply_draft(
                &c.tenant_id,
                &draft.id,
                DraftStatus::Approved,
                &agent,
                Some(&body),
            )
            .await?
        {
            // Decided meanwhile by a second request (its resend stored nothing new).
            return Err(ServiceError::Conflict(
                "the draft was decided already".into(),
            ));
        }
        self.store
            .append_audit(
                &c.tenant_id,
                NewAudit {
                    actor_id: Some(&agent),
                    action: "reply_draft.approved",
                    target_kind: "reply_draft",
                    target_id: Some(&draft.id),
                    details: serde_json::json!({
                        "conversation_id": c.id,
                        "message_id": sent.message.id,
                        "edited": body != draft.body,
                    }),
                },
            )
            .await?;
        let decided = self.store.get_reply_draft(&c.tenant_id, &draft.id).await?;
        Ok(Outcome {
            draft: decided.into(),
            message: sent.message,
        })
    }

    /// Drops a draft: nothing is sent.
    pub async fn dismiss_draft(&self, actor: &Actor, draft_id: &str) -> ServiceResult<DraftView> {
        let draft = self.pending(actor, draft_id).await?;
        let (c, agent) = self.held(actor, &draft.conversation_id).await?;
        if !self
            .store
            .decide_reply_draft(
                &c.tenant_id,
                &draft.id,
                DraftStatus::Dismissed,
                &agent,
                None,
            )
            .await?
        {
            return Err(ServiceError::Conflict(
                "the draft was decided already".into(),
            ));
        }
        Ok(self
            .store
            .get_reply_draft(&c.tenant_id, &draft.id)
            .await?
            .into())
    }

    /// The tenant's pending draft.
    async fn pending(&self, actor: &Actor, draft_id: &str) -> ServiceResult<ReplyDraft> {
        actor.require(Permission::Chat)?;
        let draft = self
            .store
            .get_reply_draft(&actor.tenant_id, draft_id)
            .await?;
        match draft.status.as_str() {
            "pending" => Ok(draft),
            "drafting" => Err(ServiceError::NotFound("draft")),
            _ => Err(ServiceError::Conflict(
                "the draft was decided already".into(),
            )),
        }
    }

    /// The conversation, when the actor is the agent holding it; and the agent's id.
    async fn held(
        &self,
        actor: &Actor,
        conversation_id: &str,
    ) -> ServiceResult<(Conversation, String)> {
        actor.require(Permission::Chat)?;
        let agent = actor.require_user()?.to_string();
        let c = self
            .chat
            .conversation_for_bot(&actor.tenant_id, conversation_id)
            .await?;
        if c.agent_id.as_deref() != Some(agent.as_str()) {
            return Err(ServiceError::Forbidden(
                "only the agent holding the conversation sees and decides its drafts",
            ));
        }
        Ok((c, agent))
    }
}
