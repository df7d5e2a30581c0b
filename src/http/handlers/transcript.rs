//! `POST /api/visitor/transcript`: the widget asks for the conversation by e-mail.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, VisitorAuthed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(request_transcript))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranscriptBody {
    /// One of your conversations.
    pub conversation_id: String,
    /// Where to send it; absent: the address you left.
    pub email: Option<String>,
    /// The widget's language (`zh…` for Chinese, else English).
    pub language: Option<String>,
}

/// Queue the transcript of your conversation for e-mail (sent by the mail worker).
#[utoipa::path(post, path = "/transcript", tag = "visitor", request_body = TranscriptBody, security(("bearer" = [])),
    responses((status = 202, description = "Queued"),
    (status = 409, description = "The site sends no e-mail (`conflict`)", body = ErrorBody), StdErrors))]
async fn request_transcript(
    State(state): State<AppState>,
    VisitorAuthed(who): VisitorAuthed,
    ApiJson(b): ApiJson<TranscriptBody>,
) -> ApiResult<StatusCode> {
    state
        .mail
        .request_transcript(
            who.tenant_id(),
            who.id(),
            &b.conversation_id,
            b.email.as_deref(),
            b.language.as_deref(),
        )
        .await?;
    Ok(StatusCode::ACCEPTED)
}
