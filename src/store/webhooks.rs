//! Webhook endpoints: where a tenant's events go.

use std::collections::BTreeSet;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::entities::webhook_endpoint::{self, Column};
use super::{now, Store, StoreError, StoreResult, WebhookEndpoint};

/// A new endpoint; its id is chosen by the caller (the secret is sealed under it).
pub struct NewEndpoint {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub sealed_secret: String,
    pub allow_private_network: bool,
}

/// What an admin may change on an endpoint; `None` keeps the value.
#[derive(Default)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub sealed_secret: Option<String>,
    pub enabled: Option<bool>,
    pub allow_private_network: Option<bool>,
}

fn events_json(events: &[String]) -> StoreResult<String> {
    serde_json::to_string(events).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    pub async fn create_webhook_endpoint(
        &self,
        tenant_id: &str,
        new: NewEndpoint,
    ) -> StoreResult<WebhookEndpoint> {
        let at = now();
        let model = webhook_endpoint::Model {
            id: new.id,
            tenant_id: tenant_id.to_string(),
            url: new.url,
            events: events_json(&new.events)?,
            secret: new.sealed_secret,
            enabled: true,
            allow_private_network: new.allow_private_network,
            failure_count: 0,
            disabled_reason: None,
            created_at: at,
            updated_at: at,
        };
        webhook_endpoint::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("webhook"))?;
        Ok(model)
    }

    pub async fn list_webhook_endpoints(
        &self,
        tenant_id: &str,
    ) -> StoreResult<Vec<WebhookEndpoint>> {
        Ok(webhook_endpoint::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .order_by_asc(Column::Id)
            .all(&self.db)
            .await?)
    }

    pub async fn get_webhook_endpoint(
        &self,
        tenant_id: &str,
        id: &str,
    ) -> StoreResult<WebhookEndpoint> {
        webhook_endpoint::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("webhook"))
    }

    /// Applies the patch; enabling an endpoint clears its failures and the reason it was off.
    pub async fn update_webhook_endpoint(
        &self,
        tenant_id: &str,
        id: &str,
        patch: EndpointPatch,
    ) -> StoreResult<WebhookEndpoint> {
        let mut update =
            webhook_endpoint::Entity::update_many().col_expr(Column::UpdatedAt, Expr::value(now()));
        if let Some(url) = patch.url {
            update = update.col_expr(Column::Url, Expr::value(url));
        }
        if let Some(events) = patch.events {
            update = update.col_expr(Column::Events, Expr::value(events_json(&events)?));
        }
        if let Some(secret) = patch.sealed_secret {
            update = update.col_expr(Column::Secret, Expr::value(secret));
        }
        if let Some(allow) = patch.allow_private_network {
            update = update.col_expr(Column::AllowPrivateNetwork, Expr::value(allow));
        }
        if let Some(enabled) = patch.enabled {
            update = update.col_expr(Column::Enabled, Expr::value(enabled));
            if enabled {
                update = update
                    .col_expr(Column::FailureCount, Expr::value(0))
                    .col_expr(Column::DisabledReason, Expr::value(Option::<String>::None));
            } else {
                update = update.col_expr(
                    Column::DisabledReason,
                    Expr::value(Some("turned off by an admin".to_string())),
                );
            }
        }
        let res = update
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("webhook"));
        }
        self.get_webhook_endpoint(tenant_id, id).await
    }

    /// Deletes the endpoint with its deliveries.
    pub async fn delete_webhook_endpoint(&self, tenant_id: &str, id: &str) -> StoreResult<()> {
        let res = webhook_endpoint::Entity::delete_many()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("webhook"));
        }
        Ok(())
    }

    /// The event types some enabled endpoint of the tenant receives.
    pub async fn subscribed_event_types(&self, tenant_id: &str) -> StoreResult<BTreeSet<String>> {
        let endpoints = webhook_endpoint::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Enabled.eq(true))
            .all(&self.db)
            .await?;
        Ok(endpoints.iter().flat_map(|e| e.event_types()).collect())
    }

    /// Counts a failed attempt against the endpoint; disables it when `disable_after` attempts
    /// in a row have failed. Returns true when this call disabled it.
    pub async fn endpoint_failed(
        &self,
        endpoint_id: &str,
        disable_after: u32,
        reason: &str,
    ) -> StoreResult<bool> {
        webhook_endpoint::Entity::update_many()
            .col_expr(Column::FailureCount, Expr::col(Column::FailureCount).add(1))
            .filter(Column::Id.eq(endpoint_id))
            .exec(&self.db)
            .await?;
        let res = webhook_endpoint::Entity::update_many()
            .col_expr(Column::Enabled, Expr::value(false))
            .col_expr(Column::DisabledReason, Expr::value(reason))
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::Id.eq(endpoint_id))
            .filter(Column::Enabled.eq(true))
            .filter(Column::FailureCount.gte(disable_after as i32))
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected == 1)
    }

    /// A 2xx: the endpoint's run of failures is over.
    pub async fn endpoint_succeeded(&self, endpoint_id: &str) -> StoreResult<()> {
        webhook_endpoint::Entity::update_many()
            .col_expr(Column::FailureCount, Expr::value(0))
            .filter(Column::Id.eq(endpoint_id))
            .filter(Column::FailureCount.ne(0))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
