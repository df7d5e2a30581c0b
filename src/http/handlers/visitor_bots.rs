//! `/api/visitor/bots`: the visitor rates a bot's answer, or asks for a person.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, VisitorAuthed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rate_answer))
        .routes(routes!(ask_for_human))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    /// The bot's reply (a message id).
    pub message_id: String,
    pub helpful: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HumanBody {
    /// Your conversation that the bots answer.
    pub conversation_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct HumanView {
    /// True when the conversation went to the queue now; false when it was no longer the
    /// bots' (a person has it or will soon).
    pub handed_over: bool,
}

/// Rate a bot's answer helpful or not (once per answer).
#[utoipa::path(post, path = "/bots/ratings", tag = "visitor", request_body = RatingBody, security(("bearer" = [])),
    responses((status = 204, description = "Recorded"),
    (status = 409, description = "Rated already (`conflict`)", body = ErrorBody), StdErrors))]
async fn rate_answer(
    State(state): State<AppState>,
    VisitorAuthed(who): VisitorAuthed,
    ApiJson(b): ApiJson<RatingBody>,
) -> ApiResult<StatusCode> {
    state
        .bots
        .rate_reply(&who, &b.message_id, b.helpful)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Talk to a person: the conversation leaves the bots for the queue at once.
#[utoipa::path(post, path = "/bots/human", tag = "visitor", request_body = HumanBody, security(("bearer" = [])),
    responses((status = 200, body = HumanView), StdErrors))]
async fn ask_for_human(
    State(state): State<AppState>,
    VisitorAuthed(who): VisitorAuthed,
    ApiJson(b): ApiJson<HumanBody>,
) -> ApiResult<Json<HumanView>> {
    let handed_over = state.bots.ask_for_human(&who, &b.conversation_id).await?;
    Ok(Json(HumanView { handed_over }))
}
