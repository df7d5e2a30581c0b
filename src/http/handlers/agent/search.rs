//! `GET /api/agent/search`: messages, internal notes and visitor fields that contain a text,
//! newest first, with highlighted snippets (docs/search.md).

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::inbox::{MessageView, VisitorBrief};
use crate::http::error::ApiResult;
use crate::http::extract::{ApiQuery, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::live::friendly_name;
use crate::service::search::{
    ArchivedMatch, MessageField, MessageMatch, SearchRequest, SearchResults, Snippet, VisitorField,
    VisitorMatch,
};
use crate::store::{ConversationState, Visitor};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Text to find, 1 to 200 characters (case-insensitive substring; Chinese works).
    pub q: String,
    /// Only messages written at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only messages written before this time (RFC 3339); after `from`.
    pub to: Option<DateTime<Utc>>,
    /// Only conversations assigned to this agent (user id).
    pub agent_id: Option<String>,
    /// Only conversations in this state: waiting, bot, chatting, transferring or closed.
    #[param(value_type = Option<String>)]
    pub state: Option<ConversationState>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// A piece of the matched field; `marks` are `[start, end)` ranges of the matches in `text`,
/// counted in Unicode code points. `…` at either end marks a cut.
#[derive(Serialize, ToSchema)]
pub struct SnippetView {
    pub text: String,
    #[schema(value_type = Vec<Vec<u32>>, example = json!([[11, 17]]))]
    pub marks: Vec<[usize; 2]>,
}

impl From<Snippet> for SnippetView {
    fn from(s: Snippet) -> Self {
        SnippetView {
            text: s.text,
            marks: s.marks.into_iter().map(|(a, b)| [a, b]).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageHitView {
    /// body (a visitor's, agent's or bot's message) or note (an internal note)
    #[schema(value_type = String, example = "body")]
    pub matched: MessageField,
    pub message: MessageView,
    pub snippet: SnippetView,
    #[schema(value_type = String, example = "chatting")]
    pub conversation_state: ConversationState,
    /// The conversation's assignee.
    pub agent_id: Option<String>,
    pub visitor_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct VisitorHitView {
    /// name, email or attributes (the custom attributes' JSON text)
    #[schema(value_type = String, example = "email")]
    pub matched: VisitorField,
    pub visitor: VisitorBrief,
    pub snippet: SnippetView,
}

/// An archived conversation (docs/retention.md) whose summary matches: its visitor's name and
/// e-mail, its agent and its first lines. Open it as any conversation.
#[derive(Serialize, ToSchema)]
pub struct ArchivedHitView {
    pub conversation_id: String,
    pub archived_at: DateTime<Utc>,
    pub message_count: i64,
    /// The matching part of the summary.
    pub snippet: SnippetView,
}

impl From<ArchivedMatch> for ArchivedHitView {
    fn from(m: ArchivedMatch) -> Self {
        ArchivedHitView {
            conversation_id: m.archive.conversation_id,
            archived_at: m.archive.archived_at,
            message_count: m.archive.message_count,
            snippet: m.snippet.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SearchView {
    /// Matching messages and notes, newest first.
    pub items: Vec<MessageHitView>,
    /// Visitors whose name, e-mail or attributes match, most recently seen first (up to 10;
    /// on the first page only, empty when `cursor` is given).
    pub visitors: Vec<VisitorHitView>,
    /// Archived conversations whose summary matches, most recently archived first (up to 10;
    /// on the first page only). Their messages are not among `items`.
    pub archived: Vec<ArchivedHitView>,
    /// Pass back as `cursor` for older messages; null when there are none. A page may hold
    /// fewer than `limit` items and still have a cursor (queries of 1–2 characters on SQLite
    /// scan a bounded range per page).
    pub next_cursor: Option<String>,
}

fn brief(v: Visitor) -> VisitorBrief {
    VisitorBrief {
        display_name: v
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| friendly_name(&v.id, None)),
        id: v.id,
        name: v.name,
        email: v.email,
    }
}

impl From<MessageMatch> for MessageHitView {
    fn from(m: MessageMatch) -> Self {
        MessageHitView {
            matched: m.field,
            snippet: m.snippet.into(),
            conversation_state: m.hit.state,
            agent_id: m.hit.agent_id,
            visitor_id: m.hit.visitor_id,
            message: m.hit.message.into(),
        }
    }
}

impl From<VisitorMatch> for VisitorHitView {
    fn from(m: VisitorMatch) -> Self {
        VisitorHitView {
            matched: m.field,
            snippet: m.snippet.into(),
            visitor: brief(m.visitor),
        }
    }
}

impl From<SearchResults> for SearchView {
    fn from(r: SearchResults) -> Self {
        SearchView {
            items: r.messages.into_iter().map(Into::into).collect(),
            visitors: r.visitors.into_iter().map(Into::into).collect(),
            archived: r.archived.into_iter().map(Into::into).collect(),
            next_cursor: r.next_cursor,
        }
    }
}

/// Messages, internal notes and visitors whose text contains `q`, newest first, highlighted.
#[utoipa::path(get, path = "/search", tag = "agent", params(SearchQuery), security(("bearer" = ["chat"])),
    responses((status = 200, body = SearchView), StdErrors))]
async fn search(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchView>> {
    let req = SearchRequest {
        q: q.q,
        from: q.from,
        to: q.to,
        agent_id: q.agent_id,
        state: q.state,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(state.inbox.search(&actor, req).await?.into()))
}
