//! `/api/v1/conversations`: list, read, write as an agent or a bot, transfer, close.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::V1ConversationView;
use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiQuery, Authed};
use crate::http::handlers::agent::inbox::MessageView;
use crate::http::handlers::views::{PageOf, StdErrors};
use crate::http::AppState;
use crate::service::chat::TransferTo;
use crate::service::integrations::ApiSender;
use crate::service::ServiceError;
use crate::store::ConversationState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(read))
        .routes(routes!(send))
        .routes(routes!(transfer))
        .routes(routes!(close))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `open` (waiting, bot, chatting, transferring), or one state: waiting, bot, chatting,
    /// transferring, closed. Leave out for all.
    pub state: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

fn states(state: Option<&str>) -> Result<Vec<ConversationState>, ServiceError> {
    use ConversationState::*;
    match state {
        None => Ok(Vec::new()),
        Some("open") => Ok(vec![Waiting, Bot, Chatting, Transferring]),
        Some(s) => s.parse().map(|s| vec![s]).map_err(|_| {
            ServiceError::invalid(
                "state",
                "must be open, waiting, bot, chatting, transferring or closed",
            )
        }),
    }
}

/// Conversations of the token's tenant, newest first.
#[utoipa::path(get, path = "/conversations", tag = "integrations", params(ListQuery),
    security(("bearer" = ["conversations:read"])),
    responses((status = 200, body = PageOf<V1ConversationView>), StdErrors))]
async fn list(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<PageOf<V1ConversationView>>> {
    let states = states(q.state.as_deref())?;
    let page = state
        .integrations
        .list_conversations(&actor, states, q.cursor, q.limit)
        .await?;
    Ok(Json(PageOf::from_page(page, Into::into)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReadQuery {
    /// Messages after this `seq` (default 0: from the first).
    #[param(minimum = 0)]
    pub after_seq: Option<i64>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationDetailView {
    pub conversation: V1ConversationView,
    /// After `after_seq`, oldest first (internal notes and agent-only cards included). Ask
    /// again with `after_seq` = the last one's `seq` for more.
    pub messages: Vec<MessageView>,
}

/// A conversation and its messages.
#[utoipa::path(get, path = "/conversations/{id}", tag = "integrations", params(("id" = String, Path), ReadQuery),
    security(("bearer" = ["conversations:read"])),
    responses((status = 200, body = ConversationDetailView), StdErrors))]
async fn read(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ReadQuery>,
) -> ApiResult<Json<ConversationDetailView>> {
    let found = state
        .integrations
        .conversation(&actor, &id, q.after_seq, q.limit)
        .await?;
    Ok(Json(ConversationDetailView {
        conversation: found.conversation.into(),
        messages: found.messages.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    /// Write as this agent (who must hold the conversation, state chatting). Give this or
    /// `bot_name`.
    pub agent_id: Option<String>,
    /// Write as a bot with this name (1 to 100 characters), in any open conversation.
    pub bot_name: Option<String>,
    /// 1 to 64 bytes; a resend with the same id returns the first message, stores nothing.
    pub client_msg_id: String,
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct SentView {
    pub message: MessageView,
    /// True for a resend: the first copy, nothing new stored.
    pub duplicate: bool,
}

/// Send a message as an agent or as a named bot; answered after it is committed.
#[utoipa::path(post, path = "/conversations/{id}/messages", tag = "integrations", params(("id" = String, Path)),
    request_body = SendBody, security(("bearer" = ["conversations:write"])),
    responses((status = 201, body = SentView),
        (status = 200, description = "A resend of an earlier client_msg_id: the first message", body = SentView),
        (status = 409, description = "The conversation is closed, or the account is disabled (`conflict`); it is archived (`conversation_archived`)", body = ErrorBody),
        StdErrors))]
async fn send(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SendBody>,
) -> ApiResult<(StatusCode, Json<SentView>)> {
    let from = match (body.agent_id, body.bot_name) {
        (Some(id), None) => ApiSender::Agent { id },
        (None, Some(name)) => ApiSender::Bot { name },
        _ => {
            return Err(
                ServiceError::invalid("agent_id", "give either agent_id or bot_name").into(),
            )
        }
    };
    let sent = state
        .integrations
        .send_message(&actor, &id, from, &body.client_msg_id, &body.body)
        .await?;
    let status = if sent.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(SentView {
            message: sent.message.into(),
            duplicate: sent.duplicate,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// An online agent with room; give this or `to_group_id`.
    pub to_agent_id: Option<String>,
    /// A skill group: the conversation waits in its queue.
    pub to_group_id: Option<String>,
    /// An internal note for the agents (at most 2000 characters).
    pub note: Option<String>,
}

/// Transfer a conversation (in the name of the agent who holds it) to an agent or a group.
#[utoipa::path(post, path = "/conversations/{id}/transfer", tag = "integrations", params(("id" = String, Path)),
    request_body = TransferBody, security(("bearer" = ["conversations:write"])),
    responses((status = 200, body = V1ConversationView),
        (status = 409, description = "Not held by an agent, the target is offline or full, or it changed meanwhile (`conflict`)", body = ErrorBody),
        StdErrors))]
async fn transfer(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TransferBody>,
) -> ApiResult<Json<V1ConversationView>> {
    let to = match (body.to_agent_id, body.to_group_id) {
        (Some(a), None) => TransferTo::Agent(a),
        (None, Some(g)) => TransferTo::Group(g),
        _ => {
            return Err(ServiceError::invalid(
                "to_agent_id",
                "give either to_agent_id or to_group_id",
            )
            .into())
        }
    };
    let c = state
        .integrations
        .transfer(&actor, &id, to, body.note.as_deref())
        .await?;
    Ok(Json(c.into()))
}

/// Close a conversation (close_reason `api`).
#[utoipa::path(post, path = "/conversations/{id}/close", tag = "integrations", params(("id" = String, Path)),
    security(("bearer" = ["conversations:write"])),
    responses((status = 200, body = V1ConversationView),
        (status = 409, description = "Closed already (`conflict`)", body = ErrorBody),
        StdErrors))]
async fn close(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<V1ConversationView>> {
    let c = state.integrations.close(&actor, &id).await?;
    Ok(Json(c.into()))
}
