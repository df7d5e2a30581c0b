//! Handing messages to the group-commit writer. `append` returns once the message is
//! committed. `queue_send` returns as soon as a participant's message is queued, so a
//! connection can have several messages in flight: they share a batch (and the pages it
//! writes) instead of each waiting for the commit of the one before. `finish_send` answers
//! them one by one, in the order they were queued, which is their commit order.

use super::sending::own_message;
use super::{ChatService, Participant, Sent};
use crate::cluster::{Event, EventKind};
use crate::service::bots::sentiment::mood;
use crate::service::ServiceResult;
use crate::store::{
    Announce, Appended, MessageKind, NewMessage, PendingAppend, StoreError, StoreResult,
};

/// A participant's text message queued to the writer, not yet answered.
pub struct QueuedSend {
    conversation_id: String,
    client_msg_id: String,
    body: String,
    pending: PendingAppend,
}

impl QueuedSend {
    /// Waits until the writer has committed or refused the message. Cancel-safe.
    pub async fn committed(&mut self) {
        self.pending.committed().await;
    }
}

impl ChatService {
    /// Stores a message through the writer; once committed, and only if it is new, it is
    /// published from the writer in commit order (before its sender hears back).
    pub(super) async fn append(
        &self,
        tenant_id: &str,
        mut message: NewMessage,
    ) -> StoreResult<Appended> {
        message.sentiment = mood(&message);
        let hook = self.on_message(tenant_id, &message).await;
        self.writer
            .append_hooked(tenant_id, message, self.announcer(), hook)
            .await
    }

    /// Queues a text message to a conversation the participant names and returns before its
    /// commit. `None` when the message needs the full path of `send` first (an agent's
    /// `/shortcut`, looked up before the message is known). What the writer refuses is sent
    /// again by `finish_send` through `send`, which knows what a refusal means.
    pub async fn queue_send(
        &self,
        who: &Participant,
        conversation_id: &str,
        client_msg_id: &str,
        body: &str,
    ) -> ServiceResult<Option<QueuedSend>> {
        self.check_own(client_msg_id, body)?;
        if matches!(who, Participant::Agent { .. }) && body.trim_start().starts_with('/') {
            return Ok(None);
        }
        let tenant_id = who.tenant_id();
        let mut message = own_message(
            who,
            conversation_id.to_string(),
            client_msg_id,
            MessageKind::Text,
            body,
        );
        message.sentiment = mood(&message);
        let hook = self.on_message(tenant_id, &message).await;
        let pending = self
            .writer
            .queue_hooked(tenant_id, message, self.announcer(), hook)
            .await?;
        Ok(Some(QueuedSend {
            conversation_id: conversation_id.to_string(),
            client_msg_id: client_msg_id.to_string(),
            body: body.to_string(),
            pending,
        }))
    }

    /// The answer to a queued message, as `send` would have given it.
    pub async fn finish_send(&self, who: &Participant, queued: QueuedSend) -> ServiceResult<Sent> {
        match queued.pending.answer().await {
            Ok(appended) => self.settle(who, appended, false).await,
            // Refused by the conversation's state (closed, not held): the full path decides
            // what that means, e.g. a visitor's message to a closed conversation starts a new one.
            Err(StoreError::Precondition(_)) => {
                let conversation_id = Some(queued.conversation_id.as_str());
                self.send(who, conversation_id, &queued.client_msg_id, &queued.body)
                    .await
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Publishes a newly stored message, called by the writer right after its commit.
    fn announcer(&self) -> Announce {
        let bus = self.bus.clone();
        Box::new(move |a: &Appended| {
            bus.publish(Event {
                tenant_id: a.conversation.tenant_id.clone(),
                conversation_id: a.conversation.id.clone(),
                visitor_id: a.conversation.visitor_id.clone(),
                agent_id: a.conversation.agent_id.clone(),
                kind: EventKind::Message(a.message.clone()),
            })
        })
    }
}
