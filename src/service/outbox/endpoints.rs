//! What admins do with webhook endpoints: register, change, remove, test, read the delivery
//! log, redeliver. Tenant-scoped; reading needs settings:read, changing settings:write.

use serde_json::{json, Value};

use super::events::{EVENT_TYPES, PING};
use super::{guard, secret_purpose, WebhookService};
use crate::service::authz::{Actor, Permission};
use crate::service::{Checks, ServiceError, ServiceResult};
use crate::store::{
    EndpointPatch, NewAudit, NewEndpoint, NewEvent, OutboxEvent, WebhookDelivery, WebhookEndpoint,
};
use crate::types::ids::{new_id, random_token};

pub struct EndpointInput {
    pub url: String,
    pub events: Vec<String>,
    /// Set by the admin, or generated when absent.
    pub secret: Option<String>,
    pub allow_private_network: bool,
}

#[derive(Default)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub secret: Option<String>,
    pub enabled: Option<bool>,
    pub allow_private_network: Option<bool>,
}

pub struct CreatedEndpoint {
    pub endpoint: WebhookEndpoint,
    /// The signing secret, shown this once.
    pub secret: String,
}

const SECRET_MIN: usize = 16;
const SECRET_MAX: usize = 200;

impl WebhookService {
    pub async fn list(&self, actor: &Actor) -> ServiceResult<Vec<WebhookEndpoint>> {
        actor.require(Permission::SettingsRead)?;
        Ok(self.store.list_webhook_endpoints(&actor.tenant_id).await?)
    }

    pub async fn get(&self, actor: &Actor, id: &str) -> ServiceResult<WebhookEndpoint> {
        actor.require(Permission::SettingsRead)?;
        Ok(self
            .store
            .get_webhook_endpoint(&actor.tenant_id, id)
            .await?)
    }

    pub async fn create(
        &self,
        actor: &Actor,
        input: EndpointInput,
    ) -> ServiceResult<CreatedEndpoint> {
        actor.require(Permission::SettingsWrite)?;
        let mut checks = Checks::default();
        let events = checks.take(check_events(&input.events));
        let secret = checks.take(check_secret(input.secret));
        checks.take(self.check_private(input.allow_private_network));
        checks.finish()?;
        let url = self
            .check_url(&input.url, input.allow_private_network)
            .await?;
        let (events, secret) = (events.unwrap_or_default(), secret.unwrap_or_default());
        let id = new_id();
        let endpoint = self
            .store
            .create_webhook_endpoint(
                &actor.tenant_id,
                NewEndpoint {
                    sealed_secret: self.sealer.seal(&secret_purpose(&id), &secret)?,
                    id,
                    url,
                    events: events.clone(),
                    allow_private_network: input.allow_private_network,
                },
            )
            .await?;
        self.subscriptions.invalidate(&actor.tenant_id);
        let details = json!({ "url": endpoint.url, "events": events });
        self.audit(actor, "webhook.create", &endpoint.id, details)
            .await?;
        Ok(CreatedEndpoint { endpoint, secret })
    }

    pub async fn update(
        &self,
        actor: &Actor,
        id: &str,
        changes: EndpointChanges,
    ) -> ServiceResult<WebhookEndpoint> {
        actor.require(Permission::SettingsWrite)?;
        let current = self
            .store
            .get_webhook_endpoint(&actor.tenant_id, id)
            .await?;
        let mut checks = Checks::default();
        let events = match &changes.events {
            Some(e) => checks.take(check_events(e)),
            None => None,
        };
        let secret = match changes.secret {
            Some(s) => checks.take(check_secret(Some(s))),
            None => None,
        };
        let allow = changes
            .allow_private_network
            .unwrap_or(current.allow_private_network);
        if changes.allow_private_network == Some(true) {
            checks.take(self.check_private(true));
        }
        checks.finish()?;
        let url = match &changes.url {
            Some(url) => Some(self.check_url(url, allow).await?),
            None => None,
        };
        let sealed = match &secret {
            Some(s) => Some(self.sealer.seal(&secret_purpose(id), s)?),
            None => None,
        };
        let patch = EndpointPatch {
            url,
            events,
            sealed_secret: sealed,
            enabled: changes.enabled,
            allow_private_network: changes.allow_private_network,
        };
        let endpoint = self
            .store
            .update_webhook_endpoint(&actor.tenant_id, id, patch)
            .await?;
        self.subscriptions.invalidate(&actor.tenant_id);
        let details = json!({
            "url": endpoint.url,
            "events": endpoint.event_types(),
            "enabled": endpoint.enabled,
            "secret_changed": secret.is_some(),
        });
        self.audit(actor, "webhook.update", id, details).await?;
        Ok(endpoint)
    }

    pub async fn delete(&self, actor: &Actor, id: &str) -> ServiceResult<()> {
        actor.require(Permission::SettingsWrite)?;
        self.store
            .delete_webhook_endpoint(&actor.tenant_id, id)
            .await?;
        self.subscriptions.invalidate(&actor.tenant_id);
        self.audit(actor, "webhook.delete", id, json!({})).await
    }

    /// Queues a `ping` event for the endpoint.
    pub async fn test(&self, actor: &Actor, id: &str) -> ServiceResult<WebhookDelivery> {
        actor.require(Permission::SettingsWrite)?;
        let endpoint = self
            .store
            .get_webhook_endpoint(&actor.tenant_id, id)
            .await?;
        if !endpoint.enabled {
            return Err(ServiceError::Conflict(
                "the endpoint is disabled: enable it first".into(),
            ));
        }
        let event = NewEvent {
            event_type: PING,
            payload: json!({ "webhook_id": endpoint.id, "message": "A test event from uniqchat" }),
        };
        Ok(self
            .store
            .queue_ping(&endpoint, &event, self.expires_at())
            .await?)
    }

    /// The endpoint's delivery log, newest first.
    pub async fn deliveries(
        &self,
        actor: &Actor,
        id: &str,
        before: Option<&str>,
        limit: Option<u64>,
    ) -> ServiceResult<Vec<(WebhookDelivery, OutboxEvent)>> {
        actor.require(Permission::SettingsRead)?;
        let limit = crate::service::page::limit(limit)?;
        self.store
            .get_webhook_endpoint(&actor.tenant_id, id)
            .await?;
        Ok(self
            .store
            .list_deliveries(&actor.tenant_id, id, before, limit)
            .await?)
    }

    /// Sends a delivery again, with the same event id.
    pub async fn redeliver(
        &self,
        actor: &Actor,
        delivery_id: &str,
    ) -> ServiceResult<WebhookDelivery> {
        actor.require(Permission::SettingsWrite)?;
        let d = self
            .store
            .redeliver(&actor.tenant_id, delivery_id, self.expires_at())
            .await?;
        self.audit(
            actor,
            "webhook.redeliver",
            &d.endpoint_id,
            json!({ "delivery_id": d.id }),
        )
        .await?;
        Ok(d)
    }

    fn expires_at(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::seconds(self.settings.max_age_secs as i64)
    }

    fn check_private(&self, wanted: bool) -> ServiceResult<()> {
        if wanted && !self.settings.allow_private_addresses {
            return Err(ServiceError::invalid(
                "allow_private_network",
                "this server does not let webhooks reach private addresses (webhooks.allow_private_addresses)",
            ));
        }
        Ok(())
    }

    async fn check_url(&self, raw: &str, allow_private: bool) -> ServiceResult<String> {
        let url =
            guard::parse(raw.trim()).map_err(|e| ServiceError::invalid("url", e.to_string()))?;
        let allow = allow_private && self.settings.allow_private_addresses;
        guard::check(&url, allow)
            .await
            .map_err(|e| ServiceError::invalid("url", e.to_string()))?;
        Ok(url.to_string())
    }

    async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        id: &str,
        details: Value,
    ) -> ServiceResult<()> {
        let entry = NewAudit {
            actor_id: Some(actor.id()),
            action,
            target_kind: "webhook",
            target_id: Some(id),
            details,
        };
        self.store.append_audit(&actor.tenant_id, entry).await?;
        Ok(())
    }
}

fn check_events(events: &[String]) -> ServiceResult<Vec<String>> {
    if events.is_empty() {
        return Err(ServiceError::invalid(
            "events",
            "name at least one event type",
        ));
    }
    for e in events {
        if !EVENT_TYPES.contains(&e.as_str()) {
            return Err(ServiceError::invalid(
                "events",
                format!("'{e}' is not one of: {}", EVENT_TYPES.join(", ")),
            ));
        }
    }
    let mut list = events.to_vec();
    list.sort();
    list.dedup();
    Ok(list)
}

fn check_secret(given: Option<String>) -> ServiceResult<String> {
    let Some(secret) = given else {
        return Ok(format!("whsec_{}", random_token(32)));
    };
    let n = secret.chars().count();
    if !(SECRET_MIN..=SECRET_MAX).contains(&n)
        || secret.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(ServiceError::invalid(
            "secret",
            format!("must be {SECRET_MIN} to {SECRET_MAX} characters without spaces"),
        ));
    }
    Ok(secret)
}
