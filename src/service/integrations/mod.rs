//! Integrations: business events posted into conversations (`events.rs`), verified visitor
//! identity (`identity.rs`), and the `/api/v1` reads for API tokens (`reads.rs`).

mod events;
mod identity;
mod reads;

pub use events::{EventCard, EventField, EventTarget, NewEvent, Posted};
pub use identity::{Identified, Identify, ATTRIBUTES_MAX};
pub use reads::{ApiSender, ConversationWithMessages};

use crate::service::auth::AuthService;
use crate::service::authz::Actor;
use crate::service::outbox::Subscriptions;
use crate::service::sealing::Sealer;
use crate::service::{ChatService, ServiceResult};
use crate::store::{NewAudit, Store};

#[derive(Clone)]
pub struct IntegrationService {
    store: Store,
    chat: ChatService,
    auth: AuthService,
    sealer: Sealer,
    /// Which webhook events the tenant receives (`visitor.identified`).
    hooks: Subscriptions,
}

impl IntegrationService {
    pub fn new(
        store: Store,
        chat: ChatService,
        auth: AuthService,
        sealer: Sealer,
        hooks: Subscriptions,
    ) -> Self {
        IntegrationService {
            store,
            chat,
            auth,
            hooks,
            sealer,
        }
    }

    async fn admin_audit(&self, actor: &Actor, action: &str) -> ServiceResult<()> {
        self.store
            .append_audit(
                &actor.tenant_id,
                NewAudit {
                    actor_id: Some(actor.id()),
                    action,
                    target_kind: "tenant",
                    target_id: Some(&actor.tenant_id),
                    details: serde_json::json!({}),
                },
            )
            .await?;
        Ok(())
    }
}
