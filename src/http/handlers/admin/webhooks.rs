//! `/api/admin/webhooks`: endpoints that receive the tenant's events (docs/webhooks.md).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiQuery, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::outbox::{EndpointChanges, EndpointInput};
use crate::store::{DeliveryStatus, OutboxEvent, WebhookDelivery, WebhookEndpoint};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(test_webhook))
        .routes(routes!(redeliver))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookBody {
    /// http:// or https:// URL that receives the POSTs.
    #[schema(example = "https://example.com/uniqchat-hook")]
    pub url: String,
    /// Event types to receive, e.g. `conversation.created`, `message.created`.
    pub events: Vec<String>,
    /// The signing secret (16 to 200 characters); omitted: the server makes one.
    pub secret: Option<String>,
    /// Let this endpoint reach private addresses; only where the server allows it
    /// (`webhooks.allow_private_addresses`).
    #[serde(default)]
    pub allow_private_network: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookBody {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// A new signing secret (write-only).
    pub secret: Option<String>,
    /// Turning an endpoint on clears its failure count.
    pub enabled: Option<bool>,
    pub allow_private_network: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
    pub allow_private_network: bool,
    /// Failed attempts in a row.
    pub failure_count: i32,
    /// Why it is off (after repeated failure, or turned off by an admin).
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookEndpoint> for WebhookView {
    fn from(e: WebhookEndpoint) -> Self {
        WebhookView {
            events: e.event_types(),
            id: e.id,
            url: e.url,
            enabled: e.enabled,
            allow_private_network: e.allow_private_network,
            failure_count: e.failure_count,
            disabled_reason: e.disabled_reason,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedWebhookView {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The signing secret. Shown this once; it cannot be read again.
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: String,
    /// The stable event id (`Uniqchat-Event-Id`), the same on every attempt.
    pub event_id: String,
    pub event_type: String,
    #[schema(value_type = String, example = "delivered")]
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub response_code: Option<i32>,
    pub latency_ms: Option<i64>,
    /// The start of the receiver's answer (at most 1 KiB).
    pub body_excerpt: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The event's `data`.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

fn delivery_view(d: WebhookDelivery, e: Option<OutboxEvent>) -> DeliveryView {
    let (event_type, data) = match e {
        Some(e) => (
            e.event_type,
            serde_json::from_str(&e.payload).unwrap_or_default(),
        ),
        None => (String::new(), serde_json::Value::Null),
    };
    DeliveryView {
        id: d.id,
        event_id: d.event_id,
        event_type,
        status: d.status,
        attempts: d.attempts,
        next_attempt_at: d.next_attempt_at,
        last_attempt_at: d.last_attempt_at,
        response_code: d.response_code,
        latency_ms: d.latency_ms,
        body_excerpt: d.body_excerpt,
        error: d.error,
        created_at: d.created_at,
        data,
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Only deliveries older than this delivery id (the last one of the previous page).
    pub before: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// The tenant's webhook endpoints (secrets are never shown again).
#[utoipa::path(get, path = "/webhooks", tag = "admin", security(("bearer" = ["settings:read"])),
    responses((status = 200, body = Vec<WebhookView>), StdErrors))]
async fn list_webhooks(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<Vec<WebhookView>>> {
    let list = state.webhooks.list(&actor).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Register an endpoint; the answer holds its signing secret, once. A URL that resolves to a
/// non-public address is refused (422) unless the server and the endpoint allow it.
#[utoipa::path(post, path = "/webhooks", tag = "admin", request_body = CreateWebhookBody, security(("bearer" = ["settings:write"])),
    responses((status = 201, body = CreatedWebhookView), StdErrors))]
async fn create_webhook(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<CreateWebhookBody>,
) -> ApiResult<(StatusCode, Json<CreatedWebhookView>)> {
    let input = EndpointInput {
        url: body.url,
        events: body.events,
        secret: body.secret,
        allow_private_network: body.allow_private_network,
    };
    let created = state.webhooks.create(&actor, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhookView {
            webhook: created.endpoint.into(),
            secret: created.secret,
        }),
    ))
}

/// One endpoint.
#[utoipa::path(get, path = "/webhooks/{id}", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = ["settings:read"])), responses((status = 200, body = WebhookView), StdErrors))]
async fn get_webhook(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookView>> {
    Ok(Json(state.webhooks.get(&actor, &id).await?.into()))
}

/// Change an endpoint: URL, events, secret, on/off.
#[utoipa::path(patch, path = "/webhooks/{id}", tag = "admin", params(("id" = String, Path)), request_body = UpdateWebhookBody,
    security(("bearer" = ["settings:write"])), responses((status = 200, body = WebhookView), StdErrors))]
async fn update_webhook(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateWebhookBody>,
) -> ApiResult<Json<WebhookView>> {
    let changes = EndpointChanges {
        url: body.url,
        events: body.events,
        secret: body.secret,
        enabled: body.enabled,
        allow_private_network: body.allow_private_network,
    };
    Ok(Json(
        state.webhooks.update(&actor, &id, changes).await?.into(),
    ))
}

/// Delete an endpoint and its delivery log.
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = ["settings:write"])), responses((status = 204, description = "Deleted"), StdErrors))]
async fn delete_webhook(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.webhooks.delete(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The endpoint's delivery log, newest first.
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "admin", params(("id" = String, Path), DeliveriesQuery),
    security(("bearer" = ["settings:read"])), responses((status = 200, body = Vec<DeliveryView>), StdErrors))]
async fn list_deliveries(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DeliveriesQuery>,
) -> ApiResult<Json<Vec<DeliveryView>>> {
    let list = state
        .webhooks
        .deliveries(&actor, &id, q.before.as_deref(), q.limit)
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|(d, e)| delivery_view(d, Some(e)))
            .collect(),
    ))
}

/// Queue a `ping` event for the endpoint; it shows in the delivery log.
#[utoipa::path(post, path = "/webhooks/{id}/test", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = ["settings:write"])), responses((status = 202, body = DeliveryView),
    (status = 409, description = "The endpoint is disabled (`conflict`)", body = ErrorBody), StdErrors))]
async fn test_webhook(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<DeliveryView>)> {
    let d = state.webhooks.test(&actor, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery_view(d, None))))
}

/// Send a delivery again (same event id), as soon as the worker gets to it.
#[utoipa::path(post, path = "/webhooks/deliveries/{id}/redeliver", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = ["settings:write"])), responses((status = 202, body = DeliveryView), StdErrors))]
async fn redeliver(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<DeliveryView>)> {
    let d = state.webhooks.redeliver(&actor, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery_view(d, None))))
}
