//! Who is on the site now: each node keeps the visitors whose widget is connected to it (in
//! memory, per tenant), the pages of their visit and the page they are on, and tells the other
//! nodes through the cluster's live directory; agents see them live, invite one to chat, and
//! admins' triggers open the widget by themselves.

mod agent_info;
mod geo;
mod insight;
mod invite;
mod names;
mod registry;
mod rules;
mod triggers;

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use agent_info::{parse as parse_user_agent, Device};
pub use geo::{Geo, Place};
pub use insight::{LiveDetails, PageVisit, VisitorInsight};
pub use names::friendly_name;
pub use rules::{TriggerDraft, UrlMatch};

use super::chat::ChatService;
use crate::cluster::{Bus, LiveDirectory, Notice, Presence};
use crate::store::Store;
use registry::Registry;

/// How long a visitor with no widget open still counts as on the site: a full page load closes
/// the widget's connection and opens a new one a moment later.
pub const LEAVE_GRACE: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct LiveService {
    store: Store,
    chat: ChatService,
    bus: Arc<dyn Bus>,
    presence: Arc<dyn Presence>,
    /// The other nodes' visitors (none on a single node).
    directory: Arc<dyn LiveDirectory>,
    geo: Arc<Geo>,
    registry: Arc<Mutex<Registry>>,
    grace: Duration,
}

/// A navigation the widget reports (`page` frame).
pub struct Navigation {
    pub url: String,
    pub title: Option<String>,
    pub referrer: Option<String>,
    pub timezone: Option<String>,
    pub language: Option<String>,
}

impl LiveService {
    pub fn new(
        store: Store,
        chat: ChatService,
        bus: Arc<dyn Bus>,
        presence: Arc<dyn Presence>,
        directory: Arc<dyn LiveDirectory>,
        geo: Arc<Geo>,
    ) -> Self {
        LiveService {
            store,
            chat,
            bus,
            presence,
            directory,
            geo,
            registry: Arc::default(),
            grace: LEAVE_GRACE,
        }
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A visitor's widget connected to this node.
    pub async fn connected(&self, tenant_id: &str, visitor_id: &str, ip: IpAddr) {
        let visitor = match self.store.get_visitor(tenant_id, visitor_id).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "live: visitor not found on connect");
                return;
            }
        };
        let place = self.geo.lookup(ip);
        let device = agent_info::parse(visitor.user_agent.as_deref());
        let view =
            self.registry()
                .connect(tenant_id, &visitor, place, device, visitor.referrer.clone());
        self.announce(tenant_id, view).await;
    }

    /// A visitor's widget connection ended; after a grace period without another, they left.
    pub fn disconnected(&self, tenant_id: &str, visitor_id: &str) {
        let Some(generation) = self.registry().disconnect(tenant_id, visitor_id) else {
            return;
        };
        let this = self.clone();
        let (tenant_id, visitor_id) = (tenant_id.to_string(), visitor_id.to_string());
        tokio::spawn(async move {
            tokio::time::sleep(this.grace).await;
            if this
                .registry()
                .remove_if_gone(&tenant_id, &visitor_id, generation)
            {
                this.directory.remove(&tenant_id, &visitor_id);
                this.bus.notice(Notice::LiveVisitorLeft {
                    tenant_id,
                    visitor_id,
                });
            }
        });
    }

    /// Tells the tenant's agents how a visitor is now (with whether they chat).
    async fn announce(&self, tenant_id: &str, view: Option<crate::cluster::LiveVisitor>) {
        let Some(mut visitor) = view else { return };
        match self
            .store
            .visitors_chatting(tenant_id, std::slice::from_ref(&visitor.visitor_id))
            .await
        {
            Ok(chatting) => visitor.chatting = chatting.contains(&visitor.visitor_id),
            Err(e) => tracing::warn!(error = %e, "live: could not tell whether chatting"),
        }
        self.directory.put(tenant_id, &visitor);
        self.bus.notice(Notice::LiveVisitor {
            tenant_id: tenant_id.to_string(),
            visitor,
        });
    }
}
