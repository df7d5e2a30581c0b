//! Hybrid mode: with `config.hybrid` on, each visitor text in a conversation an agent holds
//! gets a reply drafted by the tenant's language model, off the message path. The draft is
//! pushed to the holding agent (a `draft` frame) and kept (reply_drafts); nothing reaches the
//! visitor until the agent approves it (drafts.rs). A model failure just means no draft.

mod drafts;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

pub use drafts::{DraftView, Outcome};

use super::BotService;
use crate::cluster::{Block, Event, EventKind, Notice, SessionsRevoked, Sink};
use crate::service::ServiceResult;
use crate::store::{ConversationState, Message, MessageKind, SenderKind};

/// Drafts being written at once, at most; a message arriving beyond that gets none.
const AT_ONCE: usize = 16;

/// How long a tenant's hybrid setting read on this node is trusted; this node's own change of
/// the settings applies at once, another node's within this time.
const FRESH: Duration = Duration::from_secs(5);

/// Whether each tenant has hybrid mode on, as last read: a visitor message of a tenant without
/// it costs no read of the settings (it is on the bus's path of every message).
#[derive(Clone, Default)]
pub(in crate::service::bots) struct HybridTenants(Arc<Mutex<HashMap<String, (bool, Instant)>>>);

impl HybridTenants {
    fn known_off(&self, tenant_id: &str) -> bool {
        let seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        matches!(seen.get(tenant_id), Some((false, at)) if at.elapsed() < FRESH)
    }

    pub(in crate::service::bots) fn note(&self, tenant_id: &str, on: bool) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        seen.insert(tenant_id.to_string(), (on, Instant::now()));
    }
}

/// Takes visitor texts of conversations an agent holds off the bus.
pub struct Intake {
    /// The service while its worker runs.
    pub(in crate::service::bots) running: Arc<Mutex<Option<BotService>>>,
    tenants: HybridTenants,
    slots: Arc<Semaphore>,
}

impl Intake {
    pub(in crate::service::bots) fn new(
        running: Arc<Mutex<Option<BotService>>>,
        tenants: HybridTenants,
    ) -> Self {
        Intake {
            running,
            tenants,
            slots: Arc::new(Semaphore::new(AT_ONCE)),
        }
    }
}

impl Sink for Intake {
    fn deliver(&self, event: &Event) {
        let EventKind::Message(m) = &event.kind else {
            return;
        };
        if m.sender_kind != SenderKind::Visitor
            || m.kind != MessageKind::Text
            || event.agent_id.is_none()
            || self.tenants.known_off(&m.tenant_id)
        {
            return;
        }
        let running = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(service) = running else { return };
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            tracing::warn!(conversation = %m.conversation_id, "too many drafts at once: none for this message");
            return;
        };
        let m = m.clone();
        tokio::spawn(async move {
            if let Err(e) = service.draft_for(&m).await {
                tracing::warn!(error = %e, conversation = %m.conversation_id, "no reply draft");
            }
            drop(slot);
        });
    }
    fn block(&self, _: &Block) {}
    fn notice(&self, _: &Notice) {}
    fn sessions_revoked(&self, _: &SessionsRevoked) {}
}

impl BotService {
    /// Drafts a reply to `m` when the tenant has hybrid mode on and an agent holds the
    /// conversation; one node per message (the database decides).
    pub(super) async fn draft_for(&self, m: &Message) -> ServiceResult<()> {
        let Some((config, key, _)) = self.settings_of(&m.tenant_id).await? else {
            self.hybrid_tenants.note(&m.tenant_id, false);
            return Ok(());
        };
        let on =
            config.hybrid && !config.model.base_url.is_empty() && !config.model.model.is_empty();
        self.hybrid_tenants.note(&m.tenant_id, on);
        if !on {
            return Ok(());
        }
        let c = self
            .chat
            .conversation_for_bot(&m.tenant_id, &m.conversation_id)
            .await?;
        if c.state != ConversationState::Chatting || c.agent_id.is_none() {
            return Ok(());
        }
        let Some(claim) = self
            .store
            .claim_reply_draft(&m.tenant_id, &c.id, &m.id)
            .await?
        else {
            return Ok(());
        };
        let text = match self.draft_reply(&c, m.seq, config, key).await {
            Ok(s) if !s.text.trim().is_empty() => s.text,
            outcome => {
                self.store.drop_reply_draft(&claim.id).await?;
                if let Err(e) = outcome {
                    tracing::info!(error = %e, conversation = %c.id, "the model wrote no draft");
                }
                return Ok(());
            }
        };
        if self.store.fill_reply_draft(&claim.id, &text).await? {
            // To whoever holds it now.
            let now = self.chat.conversation_for_bot(&m.tenant_id, &c.id).await?;
            self.chat.offer_draft(&now, &claim.id, &text);
        }
        Ok(())
    }
}
