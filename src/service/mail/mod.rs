//! E-mail through a persistent outbox (docs/mail.md): each tenant's SMTP settings, the mails
//! that changes queue (offline alert, reply to an absent visitor, transcript, test), the worker
//! that sends them with retries, the templates, and the signed link that reopens the widget.

mod digest;
mod link;
mod queue;
mod render;
mod settings;
mod worker;

use std::sync::Arc;

pub use link::ReopenLinks;
pub use settings::{MailSettingsInput, MailSettingsView};

use crate::config::MailConfig;
use crate::service::sealing::Sealer;
use crate::store::Store;

/// Whether a visitor has a live connection (to this node): the realtime layer answers.
pub trait VisitorsOnline: Send + Sync {
    fn is_connected(&self, visitor_id: &str) -> bool;
}

/// The purpose an SMTP password is sealed under.
fn password_purpose(tenant_id: &str) -> String {
    format!("mail:{tenant_id}")
}

#[derive(Clone)]
pub struct MailService {
    store: Store,
    sealer: Sealer,
    config: MailConfig,
    /// The server's public base URL, for links in mails (no trailing slash).
    public_url: String,
    online: Arc<dyn VisitorsOnline>,
    links: ReopenLinks,
}

impl MailService {
    pub fn new(
        store: Store,
        sealer: Sealer,
        config: MailConfig,
        public_url: &str,
        online: Arc<dyn VisitorsOnline>,
        links: ReopenLinks,
    ) -> Self {
        MailService {
            store,
            sealer,
            config,
            public_url: public_url.trim_end_matches('/').to_string(),
            online,
            links,
        }
    }

    pub fn config(&self) -> &MailConfig {
        &self.config
    }

    /// The domain of Message-IDs: the public URL's host.
    fn domain(&self) -> String {
        url::Url::parse(&self.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "uniqchat.local".into())
    }
}
