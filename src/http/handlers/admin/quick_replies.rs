use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::admin::QuickReplyInput;
use crate::store::QuickReply;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_shared, create_shared))
        .routes(routes!(update_shared, delete_shared))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuickReplyBody {
    /// Typed after `/` in the composer, e.g. `hello` (a leading `/` is dropped).
    #[schema(example = "hello")]
    pub shortcut: String,
    pub title: String,
    pub body: String,
}

impl From<QuickReplyBody> for QuickReplyInput {
    fn from(b: QuickReplyBody) -> Self {
        QuickReplyInput {
            shortcut: b.shortcut,
            title: b.title,
            body: b.body,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct QuickReplyView {
    pub id: String,
    pub shortcut: String,
    pub title: String,
    pub body: String,
    /// True for an agent's own reply, false for one shared by the tenant.
    pub personal: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<QuickReply> for QuickReplyView {
    fn from(q: QuickReply) -> Self {
        QuickReplyView {
            id: q.id,
            shortcut: q.shortcut,
            title: q.title,
            body: q.body,
            personal: q.owner_id.is_some(),
            updated_at: q.updated_at,
        }
    }
}

/// The tenant's shared quick replies, by shortcut.
#[utoipa::path(get, path = "/quick-replies", tag = "admin", security(("bearer" = ["quick_replies:read"])),
    responses((status = 200, body = Vec<QuickReplyView>), StdErrors))]
async fn list_shared(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<Vec<QuickReplyView>>> {
    let list = state.admin.list_shared_quick_replies(&actor).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Add a shared quick reply.
#[utoipa::path(post, path = "/quick-replies", tag = "admin", request_body = QuickReplyBody, security(("bearer" = ["quick_replies:write"])),
    responses((status = 201, body = QuickReplyView), (status = 409, description = "The shortcut is taken", body = ErrorBody), StdErrors))]
async fn create_shared(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<QuickReplyBody>,
) -> ApiResult<(StatusCode, Json<QuickReplyView>)> {
    let reply = state
        .admin
        .create_shared_quick_reply(&actor, body.into())
        .await?;
    Ok((StatusCode::CREATED, Json(reply.into())))
}

/// Change a shared quick reply.
#[utoipa::path(put, path = "/quick-replies/{id}", tag = "admin", params(("id" = String, Path)), request_body = QuickReplyBody,
    security(("bearer" = ["quick_replies:write"])),
    responses((status = 200, body = QuickReplyView), (status = 409, description = "The shortcut is taken", body = ErrorBody), StdErrors))]
async fn update_shared(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<QuickReplyBody>,
) -> ApiResult<Json<QuickReplyView>> {
    Ok(Json(
        state
            .admin
            .update_shared_quick_reply(&actor, &id, body.into())
            .await?
            .into(),
    ))
}

/// Delete a shared quick reply.
#[utoipa::path(delete, path = "/quick-replies/{id}", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = ["quick_replies:write"])), responses((status = 204, description = "Deleted"), StdErrors))]
async fn delete_shared(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.admin.delete_shared_quick_reply(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
