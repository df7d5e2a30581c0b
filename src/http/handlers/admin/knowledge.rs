//! `/api/admin/knowledge`: the knowledge base's question-and-answer entries, and the visitor
//! questions none of them answered.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::bots::{Entry, EntryDraft, Unanswered};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_entries, create_entry))
        .routes(routes!(list_unanswered))
        .routes(routes!(update_entry, delete_entry))
}

fn english() -> String {
    "en".into()
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryBody {
    /// The ways a visitor may ask, 1 to 20, each up to 500 characters.
    #[schema(example = json!(["How do I reset my password?", "forgot password"]))]
    pub questions: Vec<String>,
    /// The answer the bot gives, 1 to 4000 characters.
    pub answer: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// A language tag, e.g. `en`, `zh-CN` (default `en`).
    #[serde(default = "english")]
    pub language: String,
}

impl From<EntryBody> for EntryDraft {
    fn from(b: EntryBody) -> Self {
        EntryDraft {
            questions: b.questions,
            answer: b.answer,
            tags: b.tags,
            language: b.language,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EntryView {
    pub id: String,
    pub questions: Vec<String>,
    pub answer: String,
    pub tags: Vec<String>,
    pub language: String,
    /// Visitors who rated the answer helpful, and not helpful.
    pub helpful: i32,
    pub unhelpful: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Entry> for EntryView {
    fn from(e: Entry) -> Self {
        EntryView {
            id: e.id,
            questions: e.questions,
            answer: e.answer,
            tags: e.tags,
            language: e.language,
            helpful: e.helpful,
            unhelpful: e.unhelpful,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnansweredView {
    pub conversation_id: String,
    /// The visitor's message.
    pub message_id: String,
    pub question: String,
    /// `answered` (by another bot of the chain) or `handover`.
    pub outcome: String,
    /// The bot that answered, or why the conversation was handed over.
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Unanswered> for UnansweredView {
    fn from(u: Unanswered) -> Self {
        UnansweredView {
            conversation_id: u.conversation_id,
            message_id: u.message_id,
            question: u.question,
            outcome: u.outcome,
            detail: u.detail,
            created_at: u.created_at,
        }
    }
}

/// The knowledge base's entries, oldest first.
#[utoipa::path(get, path = "/knowledge", tag = "admin", security(("bearer" = ["settings:read"])),
    responses((status = 200, body = Vec<EntryView>), StdErrors))]
async fn list_entries(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<Vec<EntryView>>> {
    let list = state.bots.list_entries(&actor).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Add an entry.
#[utoipa::path(post, path = "/knowledge", tag = "admin", request_body = EntryBody, security(("bearer" = ["settings:write"])),
    responses((status = 201, body = EntryView), StdErrors))]
async fn create_entry(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<EntryBody>,
) -> ApiResult<(StatusCode, Json<EntryView>)> {
    let e = state.bots.create_entry(&actor, body.into()).await?;
    Ok((StatusCode::CREATED, Json(e.into())))
}

/// Change an entry (all its fields).
#[utoipa::path(put, path = "/knowledge/{id}", tag = "admin", params(("id" = String, Path)), request_body = EntryBody,
    security(("bearer" = ["settings:write"])), responses((status = 200, body = EntryView), StdErrors))]
async fn update_entry(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EntryBody>,
) -> ApiResult<Json<EntryView>> {
    let e = state.bots.update_entry(&actor, &id, body.into()).await?;
    Ok(Json(e.into()))
}

/// Delete an entry.
#[utoipa::path(delete, path = "/knowledge/{id}", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = ["settings:write"])), responses((status = 204, description = "Deleted"), StdErrors))]
async fn delete_entry(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.bots.delete_entry(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Visitor questions that no entry answered (newest first, at most 200): what to add next.
#[utoipa::path(get, path = "/knowledge/unanswered", tag = "admin", security(("bearer" = ["settings:read"])),
    responses((status = 200, body = Vec<UnansweredView>), StdErrors))]
async fn list_unanswered(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<Vec<UnansweredView>>> {
    let list = state.bots.unanswered(&actor).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}
