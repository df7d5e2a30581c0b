//! The message path: a participant's own messages and notes (the service's own texts are in
//! service_texts.rs). Every message is stored by the group-commit writer and announced from
//! it, in commit order, so each connection receives a conversation's messages in `seq` order.

use super::{business_hours, ChatService, Participant, Sent};
use crate::cluster::EventKind;
use crate::service::outbox::events;
use crate::service::{ServiceError, ServiceResult};
use crate::store::{
    Appended, Conversation, ConversationState, Message, MessageKind, NewMessage, Precondition,
    SenderKind, StoreError,
};

/// Longest client message id accepted, in bytes.
pub(super) const CLIENT_ID_MAX: usize = 64;

/// What a participant's own message requires of its conversation: a visitor writes in their
/// own conversation until it is closed; an agent writes in one they hold and are chatting in.
fn may_write(who: &Participant) -> Precondition {
    use ConversationState::*;
    match who {
        Participant::Visitor { visitor_id, .. } => Precondition {
            visitor_id: Some(visitor_id.clone()),
            states: &[Waiting, Bot, Chatting, Transferring],
            ..Default::default()
        },
        Participant::Agent { user_id, .. } => Precondition {
            agent_id: Some(user_id.clone()),
            states: &[Chatting],
            ..Default::default()
        },
    }
}

/// A participant's own message (a text, or an agent's note), stored only where `may_write`
/// lets them write.
pub(super) fn own_message(
    who: &Participant,
    conversation_id: String,
    client_msg_id: &str,
    kind: MessageKind,
    body: &str,
) -> NewMessage {
    NewMessage {
        sentiment: None,
        conversation_id,
        sender_kind: who.kind(),
        sender_id: Some(who.id().to_string()),
        sender_name: who.display_name(),
        client_msg_id: Some(client_msg_id.to_string()),
        kind,
        body: body.to_string(),
        internal: false,
        precondition: may_write(who),
    }
}

impl ChatService {
    /// What every message and note a participant writes must be.
    pub(super) fn check_own(&self, client_msg_id: &str, body: &str) -> ServiceResult<()> {
        if client_msg_id.is_empty() || client_msg_id.len() > CLIENT_ID_MAX {
            return Err(ServiceError::invalid(
                "client_msg_id",
                format!("must be 1 to {CLIENT_ID_MAX} bytes"),
            ));
        }
        if body.trim().is_empty() || body.chars().count() > self.max_chars {
            return Err(ServiceError::invalid(
                "body",
                format!("must be 1 to {} characters", self.max_chars),
            ));
        }
        Ok(())
    }

    /// Stores a message and returns once it is committed, then tells the other side.
    /// A visitor without an open conversation starts one; a closed conversation never reopens:
    /// the visitor's message starts a new one linked to it.
    pub async fn send(
        &self,
        who: &Participant,
        conversation_id: Option<&str>,
        client_msg_id: &str,
        body: &str,
    ) -> ServiceResult<Sent> {
        self.check_own(client_msg_id, body)?;
        let body = match who {
            Participant::Agent {
                tenant_id, user_id, ..
            } => self.expand_shortcut(tenant_id, user_id, body).await?,
            Participant::Visitor { .. } => body.to_string(),
        };
        let (target, mut started) = match (who, conversation_id) {
            // The usual case goes straight to the writer, which checks the conversation in the
            // transaction that stores the message: no read before it, no race after it.
            (_, Some(id)) => (id.to_string(), false),
            (
                Participant::Visitor {
                    tenant_id,
                    visitor_id,
                },
                None,
            ) => {
                if let Some(sent) = self.resent(who, client_msg_id).await? {
                    return Ok(sent);
                }
                let (c, started) = self.visitor_conversation(tenant_id, visitor_id).await?;
                (c.id, started)
            }
            (Participant::Agent { .. }, None) => {
                return Err(ServiceError::invalid("conversation_id", "is required"))
            }
        };
        let message = |conversation_id| {
            own_message(
                who,
                conversation_id,
                client_msg_id,
                MessageKind::Text,
                &body,
            )
        };
        let appended = match self.append(who.tenant_id(), message(target)).await {
            Err(StoreError::Precondition(c)) => match who {
                Participant::Visitor {
                    tenant_id,
                    visitor_id,
                } if c.visitor_id == *visitor_id && c.state == ConversationState::Closed => {
                    // A closed conversation never reopens: the message goes to the visitor's
                    // open one (another tab's, or one an earlier message in flight started),
                    // else it starts a new one linked to it.
                    let next = match self
                        .store
                        .find_open_conversation(tenant_id, visitor_id)
                        .await?
                    {
                        Some(open) => open,
                        None => {
                            started = true;
                            self.start_conversation(tenant_id, visitor_id, Some(&c.id))
                                .await?
                        }
                    };
                    self.append(tenant_id, message(next.id)).await?
                }
                Participant::Visitor { .. } => return Err(ServiceError::NotFound("conversation")),
                Participant::Agent { .. } => {
                    if self.store.get_archive(&c.tenant_id, &c.id).await?.is_some() {
                        return Err(ServiceError::Archived);
                    }
                    return Err(ServiceError::Forbidden(
                        "accept the conversation before writing in it",
                    ));
                }
            },
            other => other?,
        };
        self.settle(who, appended, started).await
    }

    /// What follows a participant's stored message: an agent's first reply is recorded and
    /// mailed to a visitor who left; a conversation it started is routed.
    pub(super) async fn settle(
        &self,
        who: &Participant,
        appended: Appended,
        started: bool,
    ) -> ServiceResult<Sent> {
        let conversation = appended.conversation.clone();
        if !appended.duplicate {
            // The conversation as the write left it: its first reply is recorded once.
            if who.kind() == SenderKind::Agent && conversation.first_response_at.is_none() {
                self.store
                    .mark_first_response(who.tenant_id(), &conversation.id)
                    .await?;
            }
        }
        if !appended.duplicate && who.kind() == SenderKind::Agent {
            if let Err(e) = self
                .mail
                .reply_if_absent(&conversation, &appended.message)
                .await
            {
                tracing::warn!(error = %e, conversation = %conversation.id, "cannot queue a reply mail");
            }
        }
        if started {
            let taken = self.route(&conversation).await?;
            self.publish_queue(who.tenant_id()).await?;
            if taken.is_none() {
                self.notify_if_offline(&conversation, &appended.message)
                    .await?;
            }
        }
        Ok(Sent {
            message: appended.message,
            duplicate: appended.duplicate,
            conversation,
        })
    }

    /// A conversation that starts while nobody can answer (no agent online, or outside business
    /// hours) waits in the queue; notification channels hear of it so someone can follow up.
    async fn notify_if_offline(&self, c: &Conversation, first: &Message) -> ServiceResult<()> {
        let settings = self.store.get_settings(&c.tenant_id).await?;
        let hours = serde_json::from_str(&settings.business_hours).unwrap_or_default();
        let within_hours = business_hours::is_open(&hours, &settings.timezone, chrono::Utc::now());
        if within_hours && !self.presence.online_agents(&c.tenant_id).is_empty() {
            return Ok(());
        }
        tracing::info!(
            target: "uniqchat::notify",
            tenant = %c.tenant_id,
            conversation = %c.id,
            visitor = %c.visitor_id,
            within_hours,
            "offline message"
        );
        self.publish(c, EventKind::OfflineMessage(first.clone()));
        if self
            .hooks
            .wants(&c.tenant_id, events::OFFLINE_MESSAGE_CREATED)
            .await
        {
            let event = events::offline_message(c, first, within_hours);
            self.store.record_event(&c.tenant_id, &event).await?;
        }
        if let Err(e) = self.mail.offline_alert(c).await {
            tracing::warn!(error = %e, conversation = %c.id, "cannot queue an offline alert");
        }
        Ok(())
    }

    /// An agent's `/shortcut` becomes the quick reply it names (their own or the tenant's);
    /// anything else is sent as typed.
    async fn expand_shortcut(
        &self,
        tenant_id: &str,
        user_id: &str,
        body: &str,
    ) -> ServiceResult<String> {
        let typed = body.trim();
        let Some(shortcut) = typed.strip_prefix('/') else {
            return Ok(body.to_string());
        };
        if shortcut.is_empty() || shortcut.contains(char::is_whitespace) {
            return Ok(body.to_string());
        }
        let shortcut = shortcut.to_lowercase();
        let replies = self
            .store
            .list_quick_replies(tenant_id, Some(user_id))
            .await?;
        // A personal reply wins over a shared one with the same shortcut.
        let found = replies
            .iter()
            .filter(|q| q.shortcut == shortcut)
            .max_by_key(|q| q.owner_id.is_some());
        Ok(found.map_or_else(|| body.to_string(), |q| q.body.clone()))
    }

    /// An internal note in a conversation the agent holds: stored like a message (with the same
    /// guarantees) but delivered to agents only.
    pub async fn send_note(
        &self,
        who: &Participant,
        conversation_id: &str,
        client_msg_id: &str,
        body: &str,
    ) -> ServiceResult<Sent> {
        self.check_own(client_msg_id, body)?;
        let Participant::Agent { .. } = who else {
            return Err(ServiceError::Forbidden("only agents do this"));
        };
        // Like a message, checked by the writer against the locked conversation.
        let note = own_message(
            who,
            conversation_id.to_string(),
            client_msg_id,
            MessageKind::Note,
            body,
        );
        let appended = match self.append(who.tenant_id(), note).await {
            Err(StoreError::Precondition(_)) => {
                return Err(ServiceError::Forbidden(
                    "only the agent chatting in the conversation does this",
                ))
            }
            other => other?,
        };
        Ok(Sent {
            message: appended.message,
            duplicate: appended.duplicate,
            conversation: appended.conversation,
        })
    }

    /// A message this participant already sent under `client_msg_id`, in any of their
    /// conversations: the answer to a resend, which never starts a conversation.
    async fn resent(&self, who: &Participant, client_msg_id: &str) -> ServiceResult<Option<Sent>> {
        let Some(message) = self
            .store
            .find_sent_message(who.tenant_id(), who.kind(), who.id(), client_msg_id)
            .await?
        else {
            return Ok(None);
        };
        let conversation = self
            .store
            .get_conversation(who.tenant_id(), &message.conversation_id)
            .await?;
        Ok(Some(Sent {
            message,
            duplicate: true,
            conversation,
        }))
    }
}
