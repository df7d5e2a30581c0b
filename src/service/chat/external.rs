//! What integrations do in conversations (`/api/v1`): event cards, messages as an agent named by
//! id or as a named bot, transfer and close on the holder's behalf. Same writer path, same
//! guarantees as the realtime clients.

use super::{ChatService, Participant, Sent, TransferTo};
use crate::service::{ServiceError, ServiceResult};
use crate::store::{
    Appended, Conversation, ConversationState, MessageKind, NewMessage, Precondition, SenderKind,
    StoreError, StoreResult,
};

/// States in which a conversation takes new messages.
const OPEN: &[ConversationState] = &[
    ConversationState::Waiting,
    ConversationState::Bot,
    ConversationState::Chatting,
    ConversationState::Transferring,
];

/// An event card for a conversation.
pub struct Card<'a> {
    pub conversation_id: &'a str,
    /// The event's idempotency key, stored as the message's client id.
    pub key: &'a str,
    /// The card as JSON (`{type, title, fields, url}`).
    pub body: String,
    pub visible_to_visitor: bool,
}

impl ChatService {
    /// Stores an event card in an open conversation (returns once committed; announced live,
    /// to the visitor only when visible to them). A card with the same key in the tenant is
    /// the same card. `Precondition` when the conversation is closed.
    pub async fn post_card(&self, tenant_id: &str, card: Card<'_>) -> StoreResult<Appended> {
        self.append(
            tenant_id,
            NewMessage {
                sentiment: None,
                conversation_id: card.conversation_id.to_string(),
                sender_kind: SenderKind::Integration,
                sender_id: None,
                sender_name: None,
                client_msg_id: Some(card.key.to_string()),
                kind: MessageKind::Event,
                body: card.body,
                internal: !card.visible_to_visitor,
                precondition: Precondition {
                    states: OPEN,
                    ..Default::default()
                },
            },
        )
        .await
    }

    /// A text written by the agent with id `agent_id`, who must hold the conversation.
    pub async fn send_as_agent(
        &self,
        tenant_id: &str,
        agent_id: &str,
        conversation_id: &str,
        client_msg_id: &str,
        body: &str,
    ) -> ServiceResult<Sent> {
        let who = self.agent_by_id(tenant_id, agent_id).await?;
        self.send(&who, Some(conversation_id), client_msg_id, body)
            .await
    }

    /// A text from a bot with a name, in an open conversation; `bot_id` (the API token) keys
    /// the resends.
    pub async fn send_as_bot(
        &self,
        tenant_id: &str,
        bot_id: &str,
        bot_name: &str,
        conversation_id: &str,
        client_msg_id: &str,
        body: &str,
    ) -> ServiceResult<Sent> {
        self.check_own(client_msg_id, body)?;
        self.store
            .get_conversation(tenant_id, conversation_id)
            .await?;
        let appended = self
            .append(
                tenant_id,
                NewMessage {
                    sentiment: None,
                    conversation_id: conversation_id.to_string(),
                    sender_kind: SenderKind::Bot,
                    sender_id: Some(bot_id.to_string()),
                    sender_name: Some(bot_name.to_string()),
                    client_msg_id: Some(client_msg_id.to_string()),
                    kind: MessageKind::Text,
                    body: body.to_string(),
                    internal: false,
                    precondition: Precondition {
                        states: OPEN,
                        ..Default::default()
                    },
                },
            )
            .await
            .map_err(|e| match e {
                StoreError::Precondition(_) => {
                    ServiceError::Conflict("the conversation is closed".into())
                }
                other => other.into(),
            })?;
        Ok(Sent {
            message: appended.message,
            duplicate: appended.duplicate,
            conversation: appended.conversation,
        })
    }

    /// Hands the conversation on in the name of the agent who holds it.
    pub async fn transfer_for_holder(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        to: TransferTo,
        note: Option<&str>,
    ) -> ServiceResult<Conversation> {
        let c = self
            .store
            .get_conversation(tenant_id, conversation_id)
            .await?;
        let Some(holder) = c.agent_id.as_deref() else {
            return Err(ServiceError::Conflict(
                "only a conversation an agent holds can be transferred".into(),
            ));
        };
        if c.state != ConversationState::Chatting {
            return Err(ServiceError::Conflict(format!(
                "a {} conversation cannot be transferred",
                c.state
            )));
        }
        let who = self.agent_by_id(tenant_id, holder).await?;
        self.transfer(&who, conversation_id, to, note).await
    }

    /// Closes an open conversation (reason `api`).
    pub async fn close_by_integration(
        &self,
        tenant_id: &str,
        conversation_id: &str,
    ) -> ServiceResult<Conversation> {
        let c = self
            .store
            .get_conversation(tenant_id, conversation_id)
            .await?;
        self.close_as(&c, "api").await
    }

    async fn agent_by_id(&self, tenant_id: &str, agent_id: &str) -> ServiceResult<Participant> {
        let user = self
            .store
            .get_user(tenant_id, agent_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => ServiceError::NotFound("agent"),
                other => other.into(),
            })?;
        if user.disabled {
            return Err(ServiceError::Conflict("this account is disabled".into()));
        }
        Ok(Participant::Agent {
            tenant_id: user.tenant_id,
            user_id: user.id,
            name: Some(user.name).filter(|n| !n.trim().is_empty()),
        })
    }
}
