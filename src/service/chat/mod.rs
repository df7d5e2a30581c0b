//! Conversations in motion: sending with the delivery guarantees, resuming, read cursors,
//! typing, routing, and the lifecycle from waiting to closed.

mod external;
mod handover;
mod hooks;
mod invite;
mod lifecycle;
mod presence;
mod routing;
mod sending;
mod sending_files;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub use external::Card;
pub use handover::TransferTo;
pub use lifecycle::{can_move, check_move};

use super::authz::{Actor, Permission};
use super::mail::MailService;
use super::outbox::Subscriptions;
use super::{business_hours, widget_text, ServiceError, ServiceResult};
use crate::cluster::{Bus, Event, EventKind, Presence};
use crate::store::{
    AssignOutcome, Conversation, ConversationFilter, ConversationState, Message, MessageWriter,
    SenderKind, Store,
};

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
    /// Which webhook events each tenant receives.
    pub hooks: Subscriptions,
    /// Queues the mails that conversations cause (alerts, replies, transcripts).
    pub mail: MailService,
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
    hooks: Subscriptions,
    mail: MailService,
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
            hooks: settings.hooks,
            mail: settings.mail,
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
        let event = self.on_assigned(tenant_id).await;
        match self
            .store
            .assign_within_capacity_emitting(
                tenant_id,
                conversation_id,
                user_id,
                &[ConversationState::Waiting],
                event,
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

    /// Whether `who` may watch the conversation live: agents, any conversation of their tenant.
    pub async fn watchable(&self, who: &Participant, conversation_id: &str) -> ServiceResult<()> {
        let Participant::Agent { .. } = who else {
            return Err(ServiceError::Forbidden("only agents watch conversations"));
        };
        self.visible(who, conversation_id).await.map(|_| ())
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
        let event = self.on_created(tenant_id).await;
        let c = self
            .store
            .create_conversation_emitting(tenant_id, visitor_id, None, previous, event)
            .await?;
        self.publish(&c, EventKind::Updated(c.clone()));
        let welcome = self.store.get_settings(tenant_id).await?.welcome_message;
        if !welcome.trim().is_empty() {
            self.bot_message(tenant_id, &c.id, &welcome).await?;
        }
        Ok(c)
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
