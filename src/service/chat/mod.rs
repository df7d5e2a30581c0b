//! Conversations in motion: sending with the delivery guarantees, resuming, read cursors,
//! typing, routing, and the lifecycle from waiting to closed.

mod handover;
mod lifecycle;
mod routing;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub use handover::TransferTo;
pub use lifecycle::{can_move, check_move};

use super::authz::{Actor, Permission};
use super::{business_hours, ServiceError, ServiceResult};
use crate::cluster::{Bus, Event, EventKind, Presence};
use crate::store::{
    AssignOutcome, Conversation, ConversationFilter, ConversationState, Message, MessageKind,
    MessageWriter, NewMessage, Precondition, SenderKind, Store, StoreError,
};

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
fn own_message(
    who: &Participant,
    conversation_id: String,
    client_msg_id: &str,
    kind: MessageKind,
    body: &str,
) -> NewMessage {
    NewMessage {
        conversation_id,
        sender_kind: who.kind(),
        sender_id: Some(who.id().to_string()),
        sender_name: who.display_name(),
        client_msg_id: Some(client_msg_id.to_string()),
        kind,
        body: body.to_string(),
        precondition: may_write(who),
    }
}

/// Longest client message id accepted, in bytes.
const CLIENT_ID_MAX: usize = 64;
/// Most messages one resume page returns.
pub const RESUME_PAGE: u64 = 200;

/// Who takes part in a conversation over a realtime connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Participant {
    Visitor {
        tenant_id: String,
        visitor_id: String,
    },
    Agent {
        tenant_id: String,
        user_id: String,
        /// Shown to the visitor beside the agent's messages (their account name when they connected).
        name: Option<String>,
    },
}

impl Participant {
    pub fn tenant_id(&self) -> &str {
        match self {
            Participant::Visitor { tenant_id, .. } | Participant::Agent { tenant_id, .. } => {
                tenant_id
            }
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Participant::Visitor { visitor_id, .. } => visitor_id,
            Participant::Agent { user_id, .. } => user_id,
        }
    }

    /// The name stored with this participant's messages: agents sign theirs.
    pub fn display_name(&self) -> Option<String> {
        match self {
            Participant::Visitor { .. } => None,
            Participant::Agent { name, .. } => name.clone(),
        }
    }

    pub fn kind(&self) -> SenderKind {
        match self {
            Participant::Visitor { .. } => SenderKind::Visitor,
            Participant::Agent { .. } => SenderKind::Agent,
        }
    }
}

/// A stored message and the conversation it went to.
pub struct Sent {
    pub message: Message,
    /// True when this was a resend: the first copy is returned and nothing new was stored.
    pub duplicate: bool,
    pub conversation: Conversation,
}

pub struct ChatSettings {
    /// Longest message text, in characters.
    pub max_chars: usize,
    /// How long an agent may be without a connection before they count as offline.
    pub offline_grace: Duration,
    /// Cancelled when the server stops: an agent whose connection closed because of that is not
    /// taken offline (they reconnect to the next server), and no timer keeps the service alive.
    pub stopping: CancellationToken,
}

#[derive(Clone)]
pub struct ChatService {
    store: Store,
    writer: MessageWriter,
    bus: Arc<dyn Bus>,
    presence: Arc<dyn Presence>,
    max_chars: usize,
    offline_grace: Duration,
    stopping: CancellationToken,
    /// Round-robin position per tenant (per node: each node rotates on its own).
    turns: Arc<Mutex<HashMap<String, usize>>>,
}

impl ChatService {
    pub fn new(
        store: Store,
        writer: MessageWriter,
        bus: Arc<dyn Bus>,
        presence: Arc<dyn Presence>,
        settings: ChatSettings,
    ) -> Self {
        ChatService {
            store,
            writer,
            bus,
            presence,
            max_chars: settings.max_chars,
            offline_grace: settings.offline_grace,
            stopping: settings.stopping,
            turns: Arc::default(),
        }
    }

    /// The account behind `actor` as it takes part in conversations: only roles that chat, and
    /// only signed-in people (an API token has no one to sign the messages).
    pub async fn agent(&self, actor: &Actor) -> ServiceResult<Participant> {
        actor.require(Permission::Chat)?;
        let user = self
            .store
            .get_user(&actor.tenant_id, actor.require_user()?)
            .await?;
        Ok(Participant::Agent {
            tenant_id: user.tenant_id,
            user_id: user.id,
            name: Some(user.name).filter(|n| !n.trim().is_empty()),
        })
    }

    /// What every message and note a participant writes must be.
    fn check_own(&self, client_msg_id: &str, body: &str) -> ServiceResult<()> {
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
        let appended = match self.writer.append(who.tenant_id(), message(target)).await {
            Err(StoreError::Precondition(c)) => match who {
                Participant::Visitor {
                    tenant_id,
                    visitor_id,
                } if c.visitor_id == *visitor_id && c.state == ConversationState::Closed => {
                    // A closed conversation never reopens: the message starts a new one.
                    let next = self
                        .start_conversation(tenant_id, visitor_id, Some(&c.id))
                        .await?;
                    started = true;
                    self.writer.append(tenant_id, message(next.id)).await?
                }
                Participant::Visitor { .. } => return Err(ServiceError::NotFound("conversation")),
                Participant::Agent { .. } => {
                    return Err(ServiceError::Forbidden(
                        "accept the conversation before writing in it",
                    ))
                }
            },
            other => other?,
        };
        let conversation = appended.conversation.clone();
        if !appended.duplicate {
            // The conversation as the write left it: its first reply is recorded once.
            if who.kind() == SenderKind::Agent && conversation.first_response_at.is_none() {
                self.store
                    .mark_first_response(who.tenant_id(), &conversation.id)
                    .await?;
            }
            self.publish(&conversation, EventKind::Message(appended.message.clone()));
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
        let appended = match self.writer.append(who.tenant_id(), note).await {
            Err(StoreError::Precondition(_)) => {
                return Err(ServiceError::Forbidden(
                    "only the agent chatting in the conversation does this",
                ))
            }
            other => other?,
        };
        if !appended.duplicate {
            self.publish(
                &appended.conversation,
                EventKind::Message(appended.message.clone()),
            );
        }
        Ok(Sent {
            message: appended.message,
            duplicate: appended.duplicate,
            conversation: appended.conversation,
        })
    }

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
        self.visible(who, conversation_id).await?;
        let (tenant, page) = (who.tenant_id(), RESUME_PAGE);
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
        self.publish(
            &c,
            EventKind::Read {
                by: who.kind(),
                seq: cursor.last_read_seq,
            },
        );
        Ok(cursor.last_read_seq)
    }

    /// Relays a typing indicator; nothing is stored.
    pub async fn typing(
        &self,
        who: &Participant,
        conversation_id: &str,
        on: bool,
    ) -> ServiceResult<()> {
        let c = self.visible(who, conversation_id).await?;
        self.publish(
            &c,
            EventKind::Typing {
                from: who.kind(),
                on,
            },
        );
        Ok(())
    }

    /// An agent takes a waiting conversation, within their concurrency limit. Two agents
    /// accepting at once: the database lets exactly one win.
    pub async fn accept(
        &self,
        who: &Participant,
        conversation_id: &str,
    ) -> ServiceResult<Conversation> {
        let Participant::Agent {
            tenant_id, user_id, ..
        } = who
        else {
            return Err(ServiceError::Forbidden("only agents accept conversations"));
        };
        self.store
            .get_conversation(tenant_id, conversation_id)
            .await?;
        match self
            .store
            .assign_within_capacity(
                tenant_id,
                conversation_id,
                user_id,
                &[ConversationState::Waiting],
            )
            .await?
        {
            AssignOutcome::Assigned => {}
            AssignOutcome::Taken => {
                return Err(ServiceError::Conflict(
                    "the conversation is no longer waiting".into(),
                ))
            }
            AssignOutcome::AtCapacity => {
                return Err(ServiceError::Conflict(
                    "you are at your limit of concurrent conversations".into(),
                ))
            }
        }
        let agent = self.store.get_user(tenant_id, user_id).await?;
        self.joined(tenant_id, conversation_id, &agent).await
    }

    /// The conversation if the participant may see it; anything else is "not found".
    async fn visible(
        &self,
        who: &Participant,
        conversation_id: &str,
    ) -> ServiceResult<Conversation> {
        let c = self
            .store
            .get_conversation(who.tenant_id(), conversation_id)
            .await?;
        let allowed = match who {
            Participant::Visitor { visitor_id, .. } => &c.visitor_id == visitor_id,
            // Agents of the tenant see all its conversations (as the inbox lists them); only
            // the one holding a conversation writes in it.
            Participant::Agent { .. } => true,
        };
        if allowed {
            Ok(c)
        } else {
            Err(ServiceError::NotFound("conversation"))
        }
    }

    /// The conversation a visitor's first message (one that names none) goes to: their open
    /// one, or a new one that continues their last; and whether it was started for it.
    async fn visitor_conversation(
        &self,
        tenant_id: &str,
        visitor_id: &str,
    ) -> ServiceResult<(Conversation, bool)> {
        if let Some(open) = self
            .store
            .find_open_conversation(tenant_id, visitor_id)
            .await?
        {
            return Ok((open, false));
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
        let c = self
            .start_conversation(tenant_id, visitor_id, previous.as_deref())
            .await?;
        Ok((c, true))
    }

    /// A new conversation for the visitor (continuing `previous`), announced and welcomed.
    async fn start_conversation(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        previous: Option<&str>,
    ) -> ServiceResult<Conversation> {
        let c = self
            .store
            .create_conversation(tenant_id, visitor_id, None, previous)
            .await?;
        self.publish(&c, EventKind::Updated(c.clone()));
        let welcome = self.store.get_settings(tenant_id).await?.welcome_message;
        if !welcome.trim().is_empty() {
            self.bot_message(tenant_id, &c.id, &welcome).await?;
        }
        Ok(c)
    }

    /// Records a step of the conversation (joined, closed, …) as a message everyone sees.
    async fn system_message(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        text: &str,
    ) -> ServiceResult<()> {
        self.service_message(
            tenant_id,
            conversation_id,
            SenderKind::System,
            MessageKind::Event,
            text,
        )
        .await
    }

    /// The tenant's automatic texts, such as the welcome message.
    async fn bot_message(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        text: &str,
    ) -> ServiceResult<()> {
        self.service_message(
            tenant_id,
            conversation_id,
            SenderKind::Bot,
            MessageKind::Text,
            text,
        )
        .await
    }

    async fn service_message(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        sender_kind: SenderKind,
        kind: MessageKind,
        text: &str,
    ) -> ServiceResult<()> {
        let c = self
            .store
            .get_conversation(tenant_id, conversation_id)
            .await?;
        let appended = self
            .writer
            .append(
                tenant_id,
                NewMessage {
                    conversation_id: conversation_id.to_string(),
                    sender_kind,
                    sender_id: None,
                    sender_name: None,
                    client_msg_id: None,
                    kind,
                    body: text.to_string(),
                    precondition: Precondition::default(),
                },
            )
            .await?;
        self.publish(&c, EventKind::Message(appended.message));
        Ok(())
    }

    fn publish(&self, c: &Conversation, kind: EventKind) {
        self.bus.publish(Event {
            tenant_id: c.tenant_id.clone(),
            conversation_id: c.id.clone(),
            visitor_id: c.visitor_id.clone(),
            agent_id: c.agent_id.clone(),
            kind,
        });
    }
}
