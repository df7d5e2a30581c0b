//! Automation: the tenant's chain of bots answers conversations in state `bot` (local
//! knowledge first, then a language model reached by URL) and hands them to a human when it
//! should or cannot answer. Nothing here runs on the message path's acknowledgement
//! (worker.rs). Sentiment and routing scripts live in their own modules beside these.

mod admin;
mod assist;
mod bot;
mod chain;
mod handover;
pub mod hybrid;
pub mod knowledge;
mod model;
pub mod routing_script;
pub mod sentiment;
pub mod settings;
mod suggest;
mod sweep;
mod visitor;
mod worker;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

pub use admin::{BotSettingsView, KeyChange, Unanswered};
pub use bot::{Bot, BotFailure, Reply, Turn};
pub use knowledge::{Entry, EntryDraft};
pub use settings::BotConfig;
pub use suggest::Suggestion;

use super::chat::ChatService;
use super::sealing::Sealer;
use super::ServiceResult;
use crate::cluster::Bus;
use crate::store::{Message, Store};

/// How long the model client waits for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct BotService {
    store: Store,
    chat: ChatService,
    sealer: Sealer,
    http: reqwest::Client,
    /// The worker's end of the queue, until it starts.
    rx: Arc<Mutex<Option<mpsc::Receiver<Message>>>>,
    /// What the bus's intake hands over with when the queue is full: this service while the
    /// worker runs, None before and after (so the bus does not keep the service, and with it
    /// the message writer, alive past shutdown).
    overflow: Arc<Mutex<Option<BotService>>>,
    /// Tenants with hybrid mode on or off, as last read (hybrid/mod.rs).
    hybrid_tenants: hybrid::HybridTenants,
}

impl BotService {
    /// The service, with its intake subscribed to the bus (the worker starts with
    /// `spawn_worker`).
    pub fn new(
        store: Store,
        chat: ChatService,
        sealer: Sealer,
        bus: &Arc<dyn Bus>,
    ) -> ServiceResult<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| super::ServiceError::Internal(format!("bot HTTP client: {e}")))?;
        let (tx, rx) = mpsc::channel(worker::QUEUE);
        let overflow = Arc::new(Mutex::new(None));
        bus.subscribe(Arc::new(worker::Intake {
            tx,
            overflow: overflow.clone(),
        }));
        // Hybrid drafts run while the worker runs, like the bots' turns.
        let hybrid_tenants = hybrid::HybridTenants::default();
        bus.subscribe(Arc::new(hybrid::Intake::new(
            overflow.clone(),
            hybrid_tenants.clone(),
        )));
        Ok(BotService {
            store,
            chat,
            sealer,
            http,
            rx: Arc::new(Mutex::new(Some(rx))),
            overflow,
            hybrid_tenants,
        })
    }

    fn take_receiver(&self) -> Option<mpsc::Receiver<Message>> {
        self.rx.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// The tenant's settings and opened model key when its chain is on.
    async fn config_of(
        &self,
        tenant_id: &str,
    ) -> ServiceResult<Option<(BotConfig, Option<String>)>> {
        Ok(self
            .settings_of(tenant_id)
            .await?
            .filter(|(_, _, enabled)| *enabled)
            .map(|(config, key, _)| (config, key)))
    }

    /// The tenant's settings, opened model key, and whether the chain is on.
    async fn settings_of(
        &self,
        tenant_id: &str,
    ) -> ServiceResult<Option<(BotConfig, Option<String>, bool)>> {
        let Some(row) = self.store.get_bot_settings(tenant_id).await? else {
            return Ok(None);
        };
        let key = match row.model_key.as_deref() {
            Some(sealed) => Some(self.sealer.open(&key_purpose(tenant_id), sealed)?),
            None => None,
        };
        Ok(Some((BotConfig::parse(&row.config), key, row.enabled)))
    }
}

/// What the model key is sealed for.
fn key_purpose(tenant_id: &str) -> String {
    format!("bot_model_key:{tenant_id}")
}
