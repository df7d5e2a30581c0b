//! `/api/agent/conversations/{id}/sentiment`: the visitor's mood in a conversation.

use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::Authed;
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::bots::sentiment::Trend;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(conversation_sentiment))
}

/// The conversation's mood: the latest score of a visitor message, the recent mean, where it
/// goes and the recent scores (−1 angry … 1 happy).
#[utoipa::path(get, path = "/conversations/{id}/sentiment", tag = "agent", params(("id" = String, Path)),
    security(("bearer" = ["chat"])), responses((status = 200, body = Trend), StdErrors))]
async fn conversation_sentiment(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Trend>> {
    Ok(Json(state.sentiment.conversation_trend(&actor, &id).await?))
}
