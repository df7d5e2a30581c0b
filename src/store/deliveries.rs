//! The delivery log and redelivery, as admins see them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::{outbox_event, webhook_delivery};
use super::{
    micros, now, DeliveryStatus, OutboxEvent, Store, StoreError, StoreResult, WebhookDelivery,
};

impl Store {
    /// Sends a delivery again (same event id) as soon as a worker gets to it, with a fresh
    /// maximum age.
    pub async fn redeliver(
        &self,
        tenant_id: &str,
        delivery_id: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<WebhookDelivery> {
        let res = webhook_delivery::Entity::update_many()
            .col_expr(
                webhook_delivery::Column::Status,
                Expr::value(DeliveryStatus::Pending.as_str()),
            )
            .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(now()))
            .col_expr(
                webhook_delivery::Column::ExpiresAt,
                Expr::value(micros(expires_at)),
            )
            .filter(webhook_delivery::Column::TenantId.eq(tenant_id))
            .filter(webhook_delivery::Column::Id.eq(delivery_id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("delivery"));
        }
        webhook_delivery::Entity::find_by_id(delivery_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("delivery"))
    }

    /// The endpoint's deliveries, newest first, with their events.
    pub async fn list_deliveries(
        &self,
        tenant_id: &str,
        endpoint_id: &str,
        before: Option<&str>,
        limit: u64,
    ) -> StoreResult<Vec<(WebhookDelivery, OutboxEvent)>> {
        let mut query = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::TenantId.eq(tenant_id))
            .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id));
        if let Some(before) = before {
            query = query.filter(webhook_delivery::Column::Id.lt(before));
        }
        let deliveries = query
            .order_by_desc(webhook_delivery::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let ids: Vec<&str> = deliveries.iter().map(|d| d.event_id.as_str()).collect();
        let events: HashMap<String, OutboxEvent> = outbox_event::Entity::find()
            .filter(outbox_event::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
        Ok(deliveries
            .into_iter()
            .filter_map(|d| events.get(&d.event_id).cloned().map(|e| (d, e)))
            .collect())
    }
}
