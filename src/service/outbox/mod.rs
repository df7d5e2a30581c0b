//! Outboxes: events stored with the change that causes them, delivered at least once by a
//! worker (backoff, log, redeliver). Webhooks are the first outbox (docs/webhooks.md).

mod endpoints;
pub mod events;
pub mod guard;
pub mod signature;
mod subscriptions;
mod worker;

pub use endpoints::{CreatedEndpoint, EndpointChanges, EndpointInput};
pub use subscriptions::Subscriptions;
pub use worker::backoff;

use crate::config::WebhooksConfig;
use crate::service::sealing::Sealer;
use crate::service::{ServiceError, ServiceResult};
use crate::store::Store;

/// The purpose a webhook secret is sealed under.
pub fn secret_purpose(endpoint_id: &str) -> String {
    format!("webhook:{endpoint_id}")
}

#[derive(Clone)]
pub struct WebhookService {
    store: Store,
    sealer: Sealer,
    settings: WebhooksConfig,
    subscriptions: Subscriptions,
    /// Connects to public addresses only.
    public_client: reqwest::Client,
    /// Also to private ones: for endpoints allowed to (when the server allows it at all).
    open_client: reqwest::Client,
}

impl WebhookService {
    pub fn new(
        store: Store,
        sealer: Sealer,
        settings: WebhooksConfig,
        subscriptions: Subscriptions,
    ) -> ServiceResult<Self> {
        let timeout = std::time::Duration::from_secs(settings.timeout_secs);
        let client = |open| {
            guard::client(open, timeout).map_err(|e| {
                ServiceError::Internal(format!("cannot build the webhook client: {e}"))
            })
        };
        Ok(WebhookService {
            public_client: client(false)?,
            open_client: client(true)?,
            store,
            sealer,
            settings,
            subscriptions,
        })
    }

    pub fn settings(&self) -> &WebhooksConfig {
        &self.settings
    }
}
