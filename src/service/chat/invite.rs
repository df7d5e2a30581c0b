//! Proactive invitation: an agent starts a conversation with a visitor who is browsing. The
//! conversation is created already theirs, and their message is stored like any other.

use super::{ChatService, Participant, Sent};
use crate::cluster::EventKind;
use crate::service::{ServiceError, ServiceResult};
use crate::store::{AssignOutcome, ConversationFilter, ConversationState, StoreError};

impl ChatService {
    /// Starts a conversation held by the agent `who` with the visitor and sends `body` in it.
    /// `Conflict` when the visitor already has an open conversation or the agent is at their
    /// limit of concurrent conversations; `NotFound` for a visitor of another tenant.
    pub async fn invite(
        &self,
        who: &Participant,
        visitor_id: &str,
        client_msg_id: &str,
        body: &str,
    ) -> ServiceResult<Sent> {
        let Participant::Agent {
            tenant_id, user_id, ..
        } = who
        else {
            return Err(ServiceError::Forbidden("only agents invite visitors"));
        };
        self.check_own(client_msg_id, body)?;
        self.store
            .get_visitor(tenant_id, visitor_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => ServiceError::NotFound("visitor"),
                other => other.into(),
            })?;
        if self
            .store
            .find_open_conversation(tenant_id, visitor_id)
            .await?
            .is_some()
        {
            return Err(ServiceError::Conflict(
                "the visitor is already in a conversation".into(),
            ));
        }
        let agent = self.store.get_user(tenant_id, user_id).await?;
        if self.store.count_open_for_agent(tenant_id, user_id).await?
            >= agent.max_chats.max(0) as u64
        {
            return Err(ServiceError::Conflict(
                "you are at your limit of concurrent conversations".into(),
            ));
        }
        let last = ConversationFilter {
            visitor_id: Some(visitor_id.into()),
            ..Default::default()
        };
        let previous = self
            .store
            .list_conversations(tenant_id, last, 1)
            .await?
            .into_iter()
            .next()
            .map(|c| c.id);
        let event = self.on_created(tenant_id).await;
        let c = self
            .store
            .create_conversation_emitting(tenant_id, visitor_id, None, previous.as_deref(), event)
            .await?;
        let event = self.on_assigned(tenant_id).await;
        let outcome = self
            .store
            .assign_within_capacity_emitting(
                tenant_id,
                &c.id,
                user_id,
                &[ConversationState::Waiting],
                event,
            )
            .await?;
        if outcome != AssignOutcome::Assigned {
            // Another conversation reached the agent meanwhile: this one must not linger.
            self.close_as(&c, "invitation_failed").await?;
            return Err(ServiceError::Conflict(
                "you are at your limit of concurrent conversations".into(),
            ));
        }
        let c = self.store.get_conversation(tenant_id, &c.id).await?;
        self.publish(&c, EventKind::Updated(c.clone()));
        self.send(who, Some(&c.id), client_msg_id, body).await
    }
}
