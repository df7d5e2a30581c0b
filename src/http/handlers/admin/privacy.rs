//! `/api/admin/visitors/{id}/export` and `/erase`: privacy requests about one visitor
//! (docs/privacy.md). The same operations are in `/api/v1` for API tokens.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
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
use crate::service::privacy::{Erased, VisitorExport};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_visitor))
        .routes(routes!(erase_visitor))
}

/// Everything stored about a visitor (docs/privacy.md lists every field).
#[derive(Serialize, ToSchema)]
pub struct VisitorExportView {
    /// `uniqchat.visitor-export.v1`.
    pub format: String,
    pub exported_at: DateTime<Utc>,
    pub tenant_id: String,
    /// The visitor record: id, external_id, name, email, ip, user_agent, referrer, pages,
    /// attributes, language, visits, created_at, last_seen_at.
    #[schema(value_type = Object)]
    pub visitor: serde_json::Value,
    /// Oldest first; each conversation's fields with `messages` (internal notes included, each
    /// with its `sentiment`), `files` (metadata, storage keys and signed links), `bot_turns`
    /// and `reply_drafts`.
    #[schema(value_type = Vec<Object>)]
    pub conversations: Vec<serde_json::Value>,
    /// Business events posted about the visitor.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<serde_json::Value>,
    /// Proactive messages (triggers) shown to the visitor.
    #[schema(value_type = Vec<Object>)]
    pub trigger_fires: Vec<serde_json::Value>,
    /// Mail about the visitor's conversations (recipient, subject, status).
    #[schema(value_type = Vec<Object>)]
    pub mails: Vec<serde_json::Value>,
}

impl From<VisitorExport> for VisitorExportView {
    fn from(e: VisitorExport) -> Self {
        VisitorExportView {
            format: e.format.to_string(),
            exported_at: e.exported_at,
            tenant_id: e.tenant_id,
            visitor: e.visitor,
            conversations: e.conversations,
            events: e.events,
            trigger_fires: e.trigger_fires,
            mails: e.mails,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseVisitorBody {
    /// The visitor's id, typed again.
    pub confirm: String,
}

/// What an erasure removed.
#[derive(Serialize, ToSchema)]
pub struct ErasedView {
    pub visitor_id: String,
    pub conversations: u64,
    /// Messages, internal notes included.
    pub messages: u64,
    /// Files (their bytes and thumbnails deleted from storage).
    pub files: u64,
    /// Business events.
    pub events: u64,
    /// Mail about the visitor's conversations, queued (now never sent) or sent.
    pub mails: u64,
    /// Webhook events (with their pending deliveries) whose payload named the visitor.
    pub webhook_events: u64,
    /// Storage keys that could not be deleted (a storage failure, also in the audit log);
    /// normally empty.
    pub objects_left: Vec<String>,
}

impl From<Erased> for ErasedView {
    fn from(e: Erased) -> Self {
        ErasedView {
            visitor_id: e.visitor_id,
            conversations: e.conversations,
            messages: e.messages,
            files: e.files,
            events: e.events,
            mails: e.mails,
            webhook_events: e.webhook_events,
            objects_left: e.objects_left,
        }
    }
}

/// The export as a download named `visitor-{id}.json`.
pub fn export_response(id: &str, export: VisitorExport) -> Response {
    let disposition = format!("attachment; filename=\"visitor-{id}.json\"");
    (
        [(header::CONTENT_DISPOSITION, disposition)],
        Json(VisitorExportView::from(export)),
    )
        .into_response()
}

/// Export everything stored about a visitor as JSON. Owner and admin; audited.
#[utoipa::path(get, path = "/visitors/{id}/export", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = ["visitors:export"])),
    responses((status = 200, body = VisitorExportView), StdErrors))]
async fn export_visitor(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let export = state.privacy.export(&actor, &id).await?;
    Ok(export_response(&id, export))
}

/// Erase a visitor: their record, conversations, messages, notes, files (bytes included),
/// archive objects, events and queued mail and webhooks. Owner and admin; audited.
#[utoipa::path(post, path = "/visitors/{id}/erase", tag = "admin", params(("id" = String, Path)),
    request_body = EraseVisitorBody, security(("bearer" = ["visitors:erase"])),
    responses((status = 200, body = ErasedView), StdErrors))]
async fn erase_visitor(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EraseVisitorBody>,
) -> ApiResult<Json<ErasedView>> {
    Ok(Json(
        state
            .privacy
            .erase(&actor, &id, &body.confirm)
            .await?
            .into(),
    ))
}
