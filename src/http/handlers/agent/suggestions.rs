//! `POST /api/agent/conversations/{id}/suggestion`: a reply drafted by the tenant's language
//! model, for the agent to edit and send.

use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::Authed;
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(suggest_reply))
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionView {
    /// The draft; nothing was sent.
    pub text: String,
    /// Language-model tokens it cost (counted against the monthly cap).
    pub tokens: i64,
}

/// Draft a reply to the visitor's last message with the tenant's language model.
#[utoipa::path(post, path = "/conversations/{id}/suggestion", tag = "agent", params(("id" = String, Path)),
    security(("bearer" = ["chat"])),
    responses((status = 200, body = SuggestionView),
    (status = 409, description = "No model is set up, nothing to answer, or the token cap is reached (`conflict`)", body = ErrorBody),
    (status = 502, description = "The model failed (`upstream_failed`)", body = ErrorBody), StdErrors))]
async fn suggest_reply(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<SuggestionView>> {
    let s = state.bots.suggest_reply(&actor, &id).await?;
    Ok(Json(SuggestionView {
        text: s.text,
        tokens: s.tokens,
    }))
}
