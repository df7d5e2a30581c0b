//! Handing a conversation on: transfer to an agent or a group, internal notes, blocking.

use super::lifecycle::check_move;
use super::{ChatService, Participant};
use crate::cluster::{Block, EventKind};
use crate::service::{ServiceError, ServiceResult};
use crate::store::{
    AssignOutcome, BlacklistKind, Conversation, ConversationState, Message, MessageKind,
    NewMessage, Precondition, StoreError,
};

/// Where a transfer goes.
pub enum TransferTo {
    Agent(String),
    Group(String),
}

const NOTE_MAX: usize = 2000;

impl ChatService {
    /// Hands the conversation to another agent (online, with room) or to a skill group's queue,
    /// with an optional note only agents see.
    pub async fn transfer(
        &self,
        who: &Participant,
        conversation_id: &str,
        to: TransferTo,
        note: Option<&str>,
    ) -> ServiceResult<Conversation> {
        let c = self.held_by(who, conversation_id).await?;
        let tenant_id = &c.tenant_id;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > NOTE_MAX) {
            return Err(ServiceError::invalid(
                "note",
                format!("at most {NOTE_MAX} characters"),
            ));
        }
        match to {
            TransferTo::Agent(agent_id) => {
                if agent_id == who.id() {
                    return Err(ServiceError::invalid("to_agent_id", "is you"));
                }
                let target =
                    self.store
                        .get_user(tenant_id, &agent_id)
                        .await
                        .map_err(|e| match e {
                            StoreError::NotFound(_) => ServiceError::NotFound("agent"),
                            other => other.into(),
                        })?;
                if target.disabled || !self.presence.online_agents(tenant_id).contains(&target.id) {
                    return Err(ServiceError::Conflict(format!(
                        "{} is not online",
                        target.name
                    )));
                }
                check_move(c.state, ConversationState::Transferring)?;
                if !self
                    .store
                    .set_conversation_state(
                        tenant_id,
                        &c.id,
                        ConversationState::Chatting,
                        ConversationState::Transferring,
                        None,
                    )
                    .await?
                {
                    return Err(ServiceError::Conflict(
                        "the conversation changed meanwhile".into(),
                    ));
                }
                let event = self.on_transferred(tenant_id).await;
                let outcome = self
                    .store
                    .assign_within_capacity_emitting(
                        tenant_id,
                        &c.id,
                        &target.id,
                        &[ConversationState::Transferring],
                        event,
                    )
                    .await?;
                if outcome != AssignOutcome::Assigned {
                    // Back to the agent who had it.
                    self.store
                        .set_conversation_state(
                            tenant_id,
                            &c.id,
                            ConversationState::Transferring,
                            ConversationState::Chatting,
                            None,
                        )
                        .await?;
                    return Err(ServiceError::Conflict(format!(
                        "{} has no room for another conversation",
                        target.name
                    )));
                }
                self.system_message(tenant_id, &c.id, &format!("Transferred to {}", target.name))
                    .await?;
            }
            TransferTo::Group(group_id) => {
                let group = self.store.get_group(tenant_id, &group_id).await?;
                check_move(c.state, ConversationState::Waiting)?;
                let event = self.on_transferred(tenant_id).await;
                if !self
                    .store
                    .set_conversation_state_emitting(
                        tenant_id,
                        &c.id,
                        ConversationState::Chatting,
                        ConversationState::Waiting,
                        Some(&group.id),
                        event,
                    )
                    .await?
                {
                    return Err(ServiceError::Conflict(
                        "the conversation changed meanwhile".into(),
                    ));
                }
                self.system_message(tenant_id, &c.id, &format!("Transferred to {}", group.name))
                    .await?;
            }
        }
        // Stored after the move, so the agent (or group) receiving the conversation hears it, in
        // `seq` order after the notice of the transfer.
        if let Some(text) = note {
            self.note(who, &c, text).await?;
        }
        let moved = self.store.get_conversation(tenant_id, &c.id).await?;
        self.publish(&moved, EventKind::Updated(moved.clone()));
        if moved.state == ConversationState::Waiting {
            self.route(&moved).await?;
            self.publish_queue(tenant_id).await?;
        }
        Ok(self.store.get_conversation(tenant_id, &c.id).await?)
    }

    /// Blocks the conversation's visitor: a blacklist entry, the conversation closed, and their
    /// open connections cut.
    pub async fn block_visitor(
        &self,
        who: &Participant,
        conversation_id: &str,
        reason: Option<&str>,
    ) -> ServiceResult<Conversation> {
        let c = self.held_by(who, conversation_id).await?;
        let reason = reason.unwrap_or("blocked by an agent");
        if reason.chars().count() > 500 {
            return Err(ServiceError::invalid("reason", "at most 500 characters"));
        }
        let entry = self
            .store
            .create_blacklist_entry(
                &c.tenant_id,
                BlacklistKind::Visitor,
                &c.visitor_id,
                reason,
                None,
                Some(who.id()),
            )
            .await?;
        let closed = self.close_as(&c, "blocked").await?;
        self.bus.block(Block {
            tenant_id: entry.tenant_id,
            kind: entry.kind,
            value: entry.value,
        });
        Ok(closed)
    }

    /// The conversation if `who` is the agent holding it.
    pub(super) async fn held_by(
        &self,
        who: &Participant,
        conversation_id: &str,
    ) -> ServiceResult<Conversation> {
        let Participant::Agent { .. } = who else {
            return Err(ServiceError::Forbidden("only agents do this"));
        };
        let c = self.visible(who, conversation_id).await?;
        if c.agent_id.as_deref() != Some(who.id()) || c.state != ConversationState::Chatting {
            return Err(ServiceError::Forbidden(
                "only the agent chatting in the conversation does this",
            ));
        }
        Ok(c)
    }

    /// Stores an internal note (agents only), delivered to the conversation's agents.
    async fn note(
        &self,
        who: &Participant,
        c: &Conversation,
        text: &str,
    ) -> ServiceResult<Message> {
        let appended = self
            .append(
                &c.tenant_id,
                NewMessage {
                    sentiment: None,
                    conversation_id: c.id.clone(),
                    sender_kind: who.kind(),
                    sender_id: Some(who.id().to_string()),
                    sender_name: who.display_name(),
                    client_msg_id: None,
                    kind: MessageKind::Note,
                    body: text.to_string(),
                    internal: false,
                    precondition: Precondition::default(),
                },
            )
            .await?;
        Ok(appended.message)
    }
}
