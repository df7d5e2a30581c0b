//! The outbox: events written in the transaction of the change that causes them, fanned out
//! into one delivery per subscribed endpoint, claimed atomically by a worker, and recorded.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use super::entities::{outbox_event, webhook_delivery, webhook_endpoint};
use super::{
    micros, now, DeliveryStatus, OutboxEvent, Store, StoreResult, WebhookDelivery, WebhookEndpoint,
};
use crate::types::ids::new_id;

/// An event to write with a change: its type and its `data`.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_type: &'static str,
    pub payload: serde_json::Value,
}

/// A delivery this worker owns until its claim runs out, with what it needs to send it.
pub struct Claimed {
    pub delivery: WebhookDelivery,
    pub event: OutboxEvent,
    pub endpoint: WebhookEndpoint,
}

/// How an attempt went.
pub struct Attempt {
    pub status: DeliveryStatus,
    pub next_attempt_at: DateTime<Utc>,
    pub response_code: Option<i32>,
    pub latency_ms: i64,
    pub body_excerpt: Option<String>,
    pub error: Option<String>,
}

/// Writes the event on `conn` (the change's transaction); returns its id.
pub(super) async fn insert_event<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
    event: &NewEvent,
    fanned_out: bool,
) -> StoreResult<OutboxEvent> {
    let model = outbox_event::Model {
        id: new_id(),
        tenant_id: tenant_id.to_string(),
        event_type: event.event_type.to_string(),
        payload: event.payload.to_string(),
        fanned_out,
        created_at: now(),
    };
    outbox_event::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(conn)
        .await?;
    Ok(model)
}

fn new_delivery(
    event: &OutboxEvent,
    endpoint_id: &str,
    expires_at: DateTime<Utc>,
) -> WebhookDelivery {
    let at = now();
    webhook_delivery::Model {
        id: new_id(),
        tenant_id: event.tenant_id.clone(),
        event_id: event.id.clone(),
        endpoint_id: endpoint_id.to_string(),
        status: DeliveryStatus::Pending,
        attempts: 0,
        next_attempt_at: at,
        claimed_until: at,
        expires_at: micros(expires_at),
        last_attempt_at: None,
        response_code: None,
        latency_ms: None,
        body_excerpt: None,
        error: None,
        created_at: at,
    }
}

impl Store {
    /// Writes an event on its own (for moments that change nothing else).
    pub async fn record_event(&self, tenant_id: &str, event: &NewEvent) -> StoreResult<()> {
        insert_event(&self.db, tenant_id, event, false).await?;
        Ok(())
    }

    /// Turns up to `limit` new events into deliveries, one per enabled endpoint of the tenant
    /// that receives the type. Each event is taken by one worker only (the flag flips in the
    /// transaction that inserts its deliveries). Returns how many events were fanned out.
    pub async fn fan_out_events(
        &self,
        limit: u64,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<usize> {
        let events = outbox_event::Entity::find()
            .filter(outbox_event::Column::FannedOut.eq(false))
            .order_by_asc(outbox_event::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let mut done = 0;
        for event in events {
            let txn = self.db.begin().await?;
            let taken = outbox_event::Entity::update_many()
                .col_expr(outbox_event::Column::FannedOut, Expr::value(true))
                .filter(outbox_event::Column::Id.eq(&event.id))
                .filter(outbox_event::Column::FannedOut.eq(false))
                .exec(&txn)
                .await?;
            if taken.rows_affected != 1 {
                continue;
            }
            let rows: Vec<_> = webhook_endpoint::Entity::find()
                .filter(webhook_endpoint::Column::TenantId.eq(&event.tenant_id))
                .filter(webhook_endpoint::Column::Enabled.eq(true))
                .all(&txn)
                .await?
                .into_iter()
                .filter(|e| e.subscribes(&event.event_type))
                .map(|e| new_delivery(&event, &e.id, expires_at).into_active_model())
                .collect();
            if !rows.is_empty() {
                webhook_delivery::Entity::insert_many(rows)
                    .exec_without_returning(&txn)
                    .await?;
            }
            txn.commit().await?;
            done += 1;
        }
        Ok(done)
    }

    /// Claims up to `limit` due deliveries of enabled endpoints until `now + lease`: each with
    /// one conditional UPDATE, so two workers never own the same delivery at once.
    pub async fn claim_deliveries(
        &self,
        limit: u64,
        lease: chrono::Duration,
    ) -> StoreResult<Vec<Claimed>> {
        let at = now();
        let due = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
            .filter(webhook_delivery::Column::NextAttemptAt.lte(at))
            .filter(webhook_delivery::Column::ClaimedUntil.lte(at))
            .filter(
                webhook_delivery::Column::EndpointId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(webhook_endpoint::Column::Id)
                        .from(webhook_endpoint::Entity)
                        .and_where(webhook_endpoint::Column::Enabled.eq(true))
                        .to_owned(),
                ),
            )
            .order_by_asc(webhook_delivery::Column::NextAttemptAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        let until = micros(at + lease);
        let mut mine = Vec::new();
        for d in due {
            let res = webhook_delivery::Entity::update_many()
                .col_expr(webhook_delivery::Column::ClaimedUntil, Expr::value(until))
                .filter(webhook_delivery::Column::Id.eq(&d.id))
                .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
                .filter(webhook_delivery::Column::ClaimedUntil.lte(at))
                .exec(&self.db)
                .await?;
            if res.rows_affected == 1 {
                mine.push(webhook_delivery::Model {
                    claimed_until: until,
                    ..d
                });
            }
        }
        let mut claimed = Vec::with_capacity(mine.len());
        let mut endpoints: HashMap<String, WebhookEndpoint> = HashMap::new();
        for delivery in mine {
            let endpoint = match endpoints.get(&delivery.endpoint_id) {
                Some(e) => e.clone(),
                None => {
                    let Some(e) = webhook_endpoint::Entity::find_by_id(&delivery.endpoint_id)
                        .one(&self.db)
                        .await?
                    else {
                        continue;
                    };
                    endpoints.insert(e.id.clone(), e.clone());
                    e
                }
            };
            let Some(event) = outbox_event::Entity::find_by_id(&delivery.event_id)
                .one(&self.db)
                .await?
            else {
                continue;
            };
            claimed.push(Claimed {
                delivery,
                event,
                endpoint,
            });
        }
        Ok(claimed)
    }

    /// Records an attempt of a delivery this worker claimed, and releases the claim.
    pub async fn record_attempt(&self, delivery_id: &str, attempt: Attempt) -> StoreResult<()> {
        let at = now();
        webhook_delivery::Entity::update_many()
            .col_expr(
                webhook_delivery::Column::Attempts,
                Expr::col(webhook_delivery::Column::Attempts).add(1),
            )
            .col_expr(
                webhook_delivery::Column::Status,
                Expr::value(attempt.status.as_str()),
            )
            .col_expr(
                webhook_delivery::Column::NextAttemptAt,
                Expr::value(micros(attempt.next_attempt_at)),
            )
            .col_expr(webhook_delivery::Column::ClaimedUntil, Expr::value(at))
            .col_expr(webhook_delivery::Column::LastAttemptAt, Expr::value(at))
            .col_expr(
                webhook_delivery::Column::ResponseCode,
                Expr::value(attempt.response_code),
            )
            .col_expr(
                webhook_delivery::Column::LatencyMs,
                Expr::value(attempt.latency_ms),
            )
            .col_expr(
                webhook_delivery::Column::BodyExcerpt,
                Expr::value(attempt.body_excerpt),
            )
            .col_expr(webhook_delivery::Column::Error, Expr::value(attempt.error))
            .filter(webhook_delivery::Column::Id.eq(delivery_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Queues a `ping` event for one endpoint, whatever it subscribes to.
    pub async fn queue_ping(
        &self,
        endpoint: &WebhookEndpoint,
        event: &NewEvent,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<WebhookDelivery> {
        let txn = self.db.begin().await?;
        let stored = insert_event(&txn, &endpoint.tenant_id, event, true).await?;
        let delivery = new_delivery(&stored, &endpoint.id, expires_at);
        webhook_delivery::Entity::insert(delivery.clone().into_active_model())
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        Ok(delivery)
    }
}
