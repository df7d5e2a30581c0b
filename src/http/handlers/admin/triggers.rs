//! `/api/admin/triggers`: proactive triggers (open the widget with a message on a page).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::live::{TriggerDraft, UrlMatch};
use crate::store::Trigger;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_triggers, create_trigger))
        .routes(routes!(update_trigger, delete_trigger))
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerBody {
    #[schema(example = "Help at checkout")]
    pub name: String,
    /// `contains` or `equals`: how `url_value` is compared with the page URL.
    pub url_match: UrlMatch,
    #[schema(example = "/checkout")]
    pub url_value: String,
    /// Seconds on the page before the trigger fires, 0 to 3600.
    #[schema(example = 30)]
    pub seconds: i32,
    /// Fire only while an agent is `online` or `busy`.
    #[serde(default)]
    pub only_when_available: bool,
    /// Fire only within the tenant's business hours.
    #[serde(default)]
    pub only_within_hours: bool,
    /// The message the widget opens with, 1 to 2000 characters.
    pub message: String,
    /// Who signs the message, e.g. "Support bot".
    pub sender_name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl From<TriggerBody> for TriggerDraft {
    fn from(b: TriggerBody) -> Self {
        TriggerDraft {
            name: b.name,
            url_match: b.url_match,
            url_value: b.url_value,
            seconds: b.seconds,
            only_when_available: b.only_when_available,
            only_within_hours: b.only_within_hours,
            message: b.message,
            sender_name: b.sender_name,
            enabled: b.enabled,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TriggerView {
    pub id: String,
    pub name: String,
    #[schema(value_type = String, example = "contains")]
    pub url_match: String,
    pub url_value: String,
    pub seconds: i32,
    pub only_when_available: bool,
    pub only_within_hours: bool,
    pub message: String,
    pub sender_name: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Trigger> for TriggerView {
    fn from(t: Trigger) -> Self {
        TriggerView {
            id: t.id,
            name: t.name,
            url_match: t.url_match,
            url_value: t.url_value,
            seconds: t.seconds,
            only_when_available: t.only_when_available,
            only_within_hours: t.only_within_hours,
            message: t.message,
            sender_name: t.sender_name,
            enabled: t.enabled,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// The tenant's triggers, oldest first.
#[utoipa::path(get, path = "/triggers", tag = "admin", security(("bearer" = ["settings:read"])),
    responses((status = 200, body = Vec<TriggerView>), StdErrors))]
async fn list_triggers(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<Vec<TriggerView>>> {
    let list = state.live.list_triggers(&actor).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Add a trigger.
#[utoipa::path(post, path = "/triggers", tag = "admin", request_body = TriggerBody, security(("bearer" = ["settings:write"])),
    responses((status = 201, body = TriggerView), StdErrors))]
async fn create_trigger(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<TriggerBody>,
) -> ApiResult<(StatusCode, Json<TriggerView>)> {
    let t = state.live.create_trigger(&actor, body.into()).await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

/// Change a trigger (all its fields).
#[utoipa::path(put, path = "/triggers/{id}", tag = "admin", params(("id" = String, Path)), request_body = TriggerBody,
    security(("bearer" = ["settings:write"])), responses((status = 200, body = TriggerView), StdErrors))]
async fn update_trigger(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TriggerBody>,
) -> ApiResult<Json<TriggerView>> {
    let t = state.live.update_trigger(&actor, &id, body.into()).await?;
    Ok(Json(t.into()))
}

/// Delete a trigger.
#[utoipa::path(delete, path = "/triggers/{id}", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = ["settings:write"])), responses((status = 204, description = "Deleted"), StdErrors))]
async fn delete_trigger(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.live.delete_trigger(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
