//! `/api/agent/live-visitors`: who is on the site now, and inviting one of them to chat.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::cluster::LiveVisitor;
use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_live))
        .routes(routes!(invite))
}

/// Everyone with the widget loaded now (on this node), oldest visit first. Changes arrive on
/// the agent's socket as `live_visitor` and `live_visitor_left` frames.
#[utoipa::path(get, path = "/live-visitors", tag = "agent", security(("bearer" = ["chat"])),
    responses((status = 200, body = Vec<LiveVisitor>), StdErrors))]
async fn list_live(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<Vec<LiveVisitor>>> {
    Ok(Json(state.live.list(&actor).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// The first message, as the agent would send it.
    #[schema(example = "Hi! Can I help you find the right size?")]
    pub body: String,
    /// The client's id for the message (1 to 64 bytes); a new one is made when left out.
    pub client_msg_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationView {
    pub conversation_id: String,
    pub message_id: String,
    pub seq: i64,
}

/// Start a conversation with a browsing visitor: it is yours at once, your message is stored
/// like any other, and the visitor's widget opens with it (`invitation` frame).
#[utoipa::path(post, path = "/live-visitors/{id}/invite", tag = "agent", params(("id" = String, Path)),
    request_body = InviteBody, security(("bearer" = ["chat"])),
    responses((status = 201, body = InvitationView),
        (status = 409, description = "The visitor is already in a conversation, or you are at your limit", body = ErrorBody),
        StdErrors))]
async fn invite(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<InviteBody>,
) -> ApiResult<(StatusCode, Json<InvitationView>)> {
    let client_msg_id = body.client_msg_id.unwrap_or_else(crate::types::ids::new_id);
    let sent = state
        .live
        .invite(&actor, &id, &client_msg_id, &body.body)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationView {
            conversation_id: sent.conversation.id,
            message_id: sent.message.id,
            seq: sent.message.seq,
        }),
    ))
}
