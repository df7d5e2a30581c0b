//! Conversations in motion: sending with the delivery guarantees, resuming, read cursors,
//! typing, routing, and the lifecycle from waiting to closed.

mod automation;
mod external;
mod handover;
mod hooks;
mod invite;
mod lifecycle;
mod participant;
mod presence;
mod reading;
mod routing;
mod scripted;
mod sending;
mod sending_files;
mod service_texts;
mod writing;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub use automation::BotReply;
pub use external::Card;
pub use handover::TransferTo;
pub use lifecycle::{can_move, check_move};
pub use participant::Participant;
pub use writing::QueuedSend;

use super::archive::ArchiveReader;
use super::authz::{Actor, Permission};
use super::bots::routing_script::RoutingScriptService;
use super::mail::MailService;
use super::outbox::Subscriptions;
use super::{business_hours, ServiceError, ServiceResult};
use crate::cluster::{Bus, Event, EventKind, Presence};
use crate::store::{
    AssignOutcome, Conversation, ConversationFilter, ConversationState, Message, MessageWriter,
    Store,
};

/// Most messages one resume page returns.
pub const RESUME_PAGE: u64 = 200;

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
    /// The tenants' routing scripts, asked when a new conversation is queued.
    pub scripts: RoutingScriptService,
    /// Reads archived conversations' messages back from object storage.
    pub archive: ArchiveReader,
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
    scripts: RoutingScriptService,
    archive: ArchiveReader,
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
            scripts: settings.scripts,
            archive: settings.archive,
            turns: Arc::default(),
        }
    }

    /// Reads archived conversations back (for the other services that show messages).
    pub fn archive(&self) -> &ArchiveReader {
        &self.archive
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

    /// An agent takes a waiting conversation (or one the bots answer: they stop), within their
    /// concurrency limit. Two agents accepting at once: the database lets exactly one win.
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
                &[ConversationState::Waiting, ConversationState::Bot],
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
        crate::service::widget_text::prechat_gate::require_answers(
            &self.store,
            tenant_id,
            visitor_id,
        )
        .await?;
        let event = self.on_created(tenant_id).await;
        // A tenant whose bots are on lets them answer first (service/bots).
        let state = if self.store.bots_enabled(tenant_id).await? {
            ConversationState::Bot
        } else {
            ConversationState::Waiting
        };
        let c = self
            .store
            .create_conversation_in(tenant_id, visitor_id, (None, previous), state, event)
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
