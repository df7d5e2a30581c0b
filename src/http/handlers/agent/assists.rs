//! Model assists for agents beside the suggestion: a conversation's summary and a
//! translation. Text back; nothing is sent.

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::suggestions::SuggestionView;
use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(summarise))
        .routes(routes!(translate))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranslateBody {
    /// 1 to 4000 characters.
    pub text: String,
    /// The language to translate into, a name or a code (`de`, `French`); 1 to 40 characters.
    pub to: String,
}

/// Summarise the conversation with the tenant's language model.
#[utoipa::path(post, path = "/conversations/{id}/summary", tag = "agent", params(("id" = String, Path)),
    security(("bearer" = ["chat"])),
    responses((status = 200, body = SuggestionView),
    (status = 409, description = "No model is set up, or the token cap is reached (`conflict`)", body = ErrorBody),
    (status = 502, description = "The model failed (`upstream_failed`)", body = ErrorBody), StdErrors))]
async fn summarise(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<SuggestionView>> {
    let s = state.bots.summarise(&actor, &id).await?;
    Ok(Json(SuggestionView {
        text: s.text,
        tokens: s.tokens,
    }))
}

/// Translate a text with the tenant's language model.
#[utoipa::path(post, path = "/translate", tag = "agent", request_body = TranslateBody,
    security(("bearer" = ["chat"])),
    responses((status = 200, body = SuggestionView),
    (status = 409, description = "No model is set up, or the token cap is reached (`conflict`)", body = ErrorBody),
    (status = 502, description = "The model failed (`upstream_failed`)", body = ErrorBody), StdErrors))]
async fn translate(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<TranslateBody>,
) -> ApiResult<Json<SuggestionView>> {
    let s = state.bots.translate(&actor, &body.text, &body.to).await?;
    Ok(Json(SuggestionView {
        text: s.text,
        tokens: s.tokens,
    }))
}
