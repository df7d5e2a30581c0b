//! Hybrid mode's drafts for the agent holding a conversation: list, approve (sent as the
//! agent's message), dismiss (docs/bots.md).

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::inbox::MessageView;
use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::bots::hybrid::DraftView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_drafts))
        .routes(routes!(approve_draft))
        .routes(routes!(dismiss_draft))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    /// The text to send: the draft as it is, or edited.
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct ApprovedView {
    pub draft: DraftView,
    /// The agent's message it became.
    pub message: MessageView,
}

/// The model's pending drafts in a conversation you hold, oldest first.
#[utoipa::path(get, path = "/conversations/{id}/drafts", tag = "agent", params(("id" = String, Path)),
    security(("bearer" = ["chat"])),
    responses((status = 200, body = Vec<DraftView>), StdErrors))]
async fn list_drafts(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<DraftView>>> {
    Ok(Json(state.bots.pending_drafts(&actor, &id).await?))
}

/// Send a draft (edited or not) as your message in the conversation you hold.
#[utoipa::path(post, path = "/drafts/{id}/approve", tag = "agent", params(("id" = String, Path)),
    request_body = ApproveBody, security(("bearer" = ["chat"])),
    responses((status = 200, body = ApprovedView),
    (status = 409, description = "The draft was approved or dismissed already (`conflict`)", body = ErrorBody),
    StdErrors))]
async fn approve_draft(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ApproveBody>,
) -> ApiResult<Json<ApprovedView>> {
    let done = state.bots.approve_draft(&actor, &id, &body.body).await?;
    Ok(Json(ApprovedView {
        draft: done.draft,
        message: done.message.into(),
    }))
}

/// Drop a draft: nothing is sent.
#[utoipa::path(post, path = "/drafts/{id}/dismiss", tag = "agent", params(("id" = String, Path)),
    security(("bearer" = ["chat"])),
    responses((status = 200, body = DraftView),
    (status = 409, description = "The draft was approved or dismissed already (`conflict`)", body = ErrorBody),
    StdErrors))]
async fn dismiss_draft(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<DraftView>> {
    Ok(Json(state.bots.dismiss_draft(&actor, &id).await?))
}
