use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::admin::quick_replies::{QuickReplyBody, QuickReplyView};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_mine, create_mine))
        .routes(routes!(update_mine, delete_mine))
}

/// The quick replies this agent can use: the tenant's shared ones and their own.
#[utoipa::path(get, path = "/quick-replies", tag = "agent", security(("bearer" = ["chat"])),
    responses((status = 200, body = Vec<QuickReplyView>), StdErrors))]
async fn list_mine(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<Vec<QuickReplyView>>> {
    let list = state.admin.list_my_quick_replies(&actor).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Add a personal quick reply.
#[utoipa::path(post, path = "/quick-replies", tag = "agent", request_body = QuickReplyBody, security(("bearer" = ["chat"])),
    responses((status = 201, body = QuickReplyView), (status = 409, description = "The shortcut is taken", body = ErrorBody), StdErrors))]
async fn create_mine(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<QuickReplyBody>,
) -> ApiResult<(StatusCode, Json<QuickReplyView>)> {
    let reply = state
        .admin
        .create_my_quick_reply(&actor, body.into())
        .await?;
    Ok((StatusCode::CREATED, Json(reply.into())))
}

/// Change one of your own quick replies.
#[utoipa::path(put, path = "/quick-replies/{id}", tag = "agent", params(("id" = String, Path)), request_body = QuickReplyBody,
    security(("bearer" = ["chat"])),
    responses((status = 200, body = QuickReplyView), (status = 409, description = "The shortcut is taken", body = ErrorBody), StdErrors))]
async fn update_mine(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<QuickReplyBody>,
) -> ApiResult<Json<QuickReplyView>> {
    Ok(Json(
        state
            .admin
            .update_my_quick_reply(&actor, &id, body.into())
            .await?
            .into(),
    ))
}

/// Delete one of your own quick replies.
#[utoipa::path(delete, path = "/quick-replies/{id}", tag = "agent", params(("id" = String, Path)),
    security(("bearer" = ["chat"])), responses((status = 204, description = "Deleted"), StdErrors))]
async fn delete_mine(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.admin.delete_my_quick_reply(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
