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

/// Visitor messages that got no draft because `AT_ONCE` drafts were being written.
const DRAFTS_SKIPPED: &str = "uniqchat_reply_drafts_skipped_total";

/// How long a tenant's hybrid setting read on this node is trusted; this node's own change of
/// the settings applies at once, another node's within this time.
const FRESH: Duration = Duration::from_secs(5);

/// Whether each tenant has hybrid mode on, as last read: a visitor message of a tenant without
/// it costs no read of the settings (it is on the bus's path of every message). One read per
/// tenant is in flight at a time: a stale setting is used until the read that refreshes it
/// returns, and a tenant not read yet gets no drafts until its first read returns (the message
/// that starts that read is drafted if the setting is on).
#[derive(Clone, Default)]
pub(in crate::service::bots) struct HybridTenants(Arc<Mutex<HashMap<String, Seen>>>);

/// A tenant's hybrid setting as last read on this node.
struct Seen {
    /// `None` until the first read returns.
    on: Option<bool>,
    read_at: Instant,
    /// A read of the settings is in flight.
    reading: bool,
}

/// What to do with a visitor's message, as far as hybrid mode goes.
#[derive(Debug, PartialEq, Eq)]
enum Take {
    /// Draft a reply (the drafting reads the settings again).
    Draft,
    /// No draft.
    Skip,
}

impl HybridTenants {
    /// Whether the message is drafted; starts a read (by drafting) when none is in flight and
    /// the setting is unknown or stale.
    fn take(&self, tenant_id: &str) -> Take {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let tenant = seen.entry(tenant_id.to_string()).or_insert(Seen {
            on: None,
            read_at: Instant::now(),
            reading: false,
        });
        let fresh = tenant.on.is_some() && tenant.read_at.elapsed() < FRESH;
        if fresh || tenant.reading {
            return match tenant.on {
                Some(true) => Take::Draft,
                _ => Take::Skip,
            };
        }
        tenant.reading = true;
        Take::Draft
    }

    pub(in crate::service::bots) fn note(&self, tenant_id: &str, on: bool) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        seen.insert(
            tenant_id.to_string(),
            Seen {
                on: Some(on),
                read_at: Instant::now(),
                reading: false,
            },
        );
    }

    /// A drafting ended, whether or not it could read the settings: the next message may read
    /// them again.
    fn settled(&self, tenant_id: &str) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tenant) = seen.get_mut(tenant_id) {
            tenant.reading = false;
        }
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
        {
            return;
        }
        // The tenant's setting first: for a tenant without hybrid mode (most of them) this is
        // the only lock taken on the message's way through the bus.
        if self.tenants.take(&m.tenant_id) == Take::Skip {
            return;
        }
        let running = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(service) = running else {
            self.tenants.settled(&m.tenant_id);
            return;
        };
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            // Not a warning per message: under load that would be a line per message.
            metrics::counter!(DRAFTS_SKIPPED).increment(1);
            self.tenants.settled(&m.tenant_id);
            return;
        };
        let m = m.clone();
        let tenants = self.tenants.clone();
        tokio::spawn(async move {
            if let Err(e) = service.draft_for(&m).await {
                tracing::warn!(error = %e, conversation = %m.conversation_id, "no reply draft");
            }
            tenants.settled(&m.tenant_id);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_read_at_a_time_and_no_draft_while_the_first_is_out() {
        let tenants = HybridTenants::default();
        // Unknown: the first message reads (by drafting); the ones during that read do not.
        assert_eq!(tenants.take("t"), Take::Draft);
        assert_eq!(tenants.take("t"), Take::Skip);
        // The read failed: the next message tries again.
        tenants.settled("t");
        assert_eq!(tenants.take("t"), Take::Draft);
        tenants.note("t", false);
        assert_eq!(tenants.take("t"), Take::Skip);
        tenants.note("t", true);
        assert_eq!(tenants.take("t"), Take::Draft);
        assert_eq!(tenants.take("t"), Take::Draft);
        assert_eq!(tenants.take("other"), Take::Draft);
    }

    #[test]
    fn a_stale_setting_holds_while_one_read_refreshes_it() {
        let tenants = HybridTenants::default();
        tenants.note("t", false);
        let long_ago = Instant::now().checked_sub(FRESH * 2);
        if let Some(at) = long_ago {
            if let Some(seen) = tenants
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_mut("t")
            {
                seen.read_at = at;
            }
            // Stale: this message reads again; the next ones keep the old answer meanwhile.
            assert_eq!(tenants.take("t"), Take::Draft);
            assert_eq!(tenants.take("t"), Take::Skip);
            assert_eq!(tenants.take("t"), Take::Skip);
            tenants.note("t", false);
            assert_eq!(tenants.take("t"), Take::Skip);
        }
    }
}
