use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiQuery, Authed};
use crate::http::handlers::v1::views::TimelineEventView;
use crate::http::handlers::views::{PageOf, StdErrors};
use crate::http::AppState;
use crate::service::inbox::{InboxItem, View};
use crate::service::live::{friendly_name, VisitorInsight};
use crate::store::{
    Conversation, ConversationState, Message, MessageKind, SenderKind, Visitor, VisitorEvent,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversations))
        .routes(routes!(history))
        .routes(routes!(visitor_profile))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// queue (waiting), mine (open and yours), all (every open one) or closed; default mine.
    #[param(value_type = Option<String>)]
    pub view: Option<View>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct VisitorBrief {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// The name to show: theirs, or a friendly generated one ("Brave Otter") when they gave none.
    pub display_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationView {
    pub id: String,
    #[schema(value_type = String, example = "chatting")]
    pub state: ConversationState,
    pub agent_id: Option<String>,
    pub group_id: Option<String>,
    pub previous_id: Option<String>,
    pub visitor: VisitorBrief,
    pub last_seq: i64,
    /// Messages after your read cursor, counted in conversations you hold and in the queue;
    /// always 0 in another agent's conversation.
    pub unread: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: Option<String>,
    pub rating: Option<i32>,
    /// The newest message that is not a system event (internal notes included), for the
    /// list's preview; null before the first message.
    pub last_message: Option<LastMessageView>,
}

/// A conversation's latest message as a list shows it.
#[derive(Serialize, ToSchema)]
pub struct LastMessageView {
    pub seq: i64,
    #[schema(value_type = String, example = "visitor")]
    pub sender_kind: SenderKind,
    pub sender_id: Option<String>,
    /// The agent's name when an agent wrote it; null for the visitor and the bot.
    pub sender_name: Option<String>,
    /// text or note (seen by agents only)
    #[schema(value_type = String, example = "text")]
    pub kind: MessageKind,
    /// At most 120 characters; a longer body is cut and ends with "…".
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<Message> for LastMessageView {
    fn from(m: Message) -> Self {
        LastMessageView {
            seq: m.seq,
            sender_kind: m.sender_kind,
            sender_id: m.sender_id,
            sender_name: m.sender_name,
            kind: m.kind,
            body: m.body,
            created_at: m.created_at,
        }
    }
}

impl From<InboxItem> for ConversationView {
    fn from(i: InboxItem) -> Self {
        let c = i.conversation;
        ConversationView {
            id: c.id,
            state: c.state,
            agent_id: c.agent_id,
            group_id: c.group_id,
            previous_id: c.previous_id,
            visitor: VisitorBrief {
                display_name: i
                    .visitor
                    .name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| friendly_name(&i.visitor.id, None)),
                id: i.visitor.id,
                name: i.visitor.name,
                email: i.visitor.email,
            },
            last_seq: c.last_seq,
            unread: i.unread,
            created_at: c.created_at,
            updated_at: c.updated_at,
            closed_at: c.closed_at,
            close_reason: c.close_reason,
            rating: c.rating,
            last_message: i.last_message.map(Into::into),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageView {
    pub id: String,
    pub conversation_id: String,
    pub seq: i64,
    #[schema(value_type = String, example = "visitor")]
    pub sender_kind: SenderKind,
    pub sender_id: Option<String>,
    /// The agent's name when they wrote (agent messages and notes).
    pub sender_name: Option<String>,
    pub client_msg_id: Option<String>,
    /// text, event (a system notice, or with sender_kind `integration` an event card whose
    /// body is JSON) or note (seen by agents only)
    #[schema(value_type = String, example = "text")]
    pub kind: MessageKind,
    pub body: String,
    /// Agents only: never shown to the visitor (an event card posted not visible to them).
    pub internal: bool,
    pub created_at: DateTime<Utc>,
}

impl From<Message> for MessageView {
    fn from(m: Message) -> Self {
        MessageView {
            id: m.id,
            conversation_id: m.conversation_id,
            seq: m.seq,
            sender_kind: m.sender_kind,
            sender_id: m.sender_id,
            sender_name: m.sender_name,
            client_msg_id: m.client_msg_id,
            kind: m.kind,
            body: m.body,
            internal: m.internal,
            created_at: m.created_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Messages before this `seq`; leave out for the latest page.
    pub before_seq: Option<i64>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryView {
    pub conversation_id: String,
    pub last_seq: i64,
    /// Oldest first. Ask again with `before_seq` = the first one's `seq` for older ones.
    pub messages: Vec<MessageView>,
}

#[derive(Serialize, ToSchema)]
pub struct VisitorProfileView {
    pub id: String,
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub referrer: Option<String>,
    /// Pages seen, oldest first.
    pub pages: Vec<String>,
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// Newest first.
    pub conversations: Vec<PastConversation>,
    /// Business events posted while the visitor had no open conversation, newest first.
    pub timeline: Vec<TimelineEventView>,
    /// Device, place, visits and the visit in progress (agent workspace only; null elsewhere).
    pub insight: Option<VisitorInsight>,
}

#[derive(Serialize, ToSchema)]
pub struct PastConversation {
    pub id: String,
    #[schema(value_type = String)]
    pub state: ConversationState,
    pub agent_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub rating: Option<i32>,
}

impl From<Conversation> for PastConversation {
    fn from(c: Conversation) -> Self {
        PastConversation {
            id: c.id,
            state: c.state,
            agent_id: c.agent_id,
            created_at: c.created_at,
            closed_at: c.closed_at,
            rating: c.rating,
        }
    }
}

pub(crate) fn profile(
    v: Visitor,
    conversations: Vec<Conversation>,
    timeline: Vec<VisitorEvent>,
) -> VisitorProfileView {
    VisitorProfileView {
        pages: serde_json::from_str(&v.pages).unwrap_or_default(),
        attributes: serde_json::from_str(&v.attributes).unwrap_or_default(),
        id: v.id,
        external_id: v.external_id,
        name: v.name,
        email: v.email,
        ip: v.ip,
        user_agent: v.user_agent,
        referrer: v.referrer,
        created_at: v.created_at,
        last_seen_at: v.last_seen_at,
        conversations: conversations.into_iter().map(Into::into).collect(),
        timeline: timeline.into_iter().map(Into::into).collect(),
        insight: None,
    }
}

/// Conversations newest first, with unread counts and each one's last message.
#[utoipa::path(get, path = "/conversations", tag = "agent", params(ListQuery), security(("bearer" = ["chat"])),
    responses((status = 200, body = PageOf<ConversationView>), StdErrors))]
async fn list_conversations(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<PageOf<ConversationView>>> {
    let page = state
        .inbox
        .list(&actor, q.view.unwrap_or(View::Mine), q.cursor, q.limit)
        .await?;
    Ok(Json(PageOf::from_page(page, ConversationView::from)))
}

/// A conversation's history, paged by `seq`.
#[utoipa::path(get, path = "/conversations/{id}/messages", tag = "agent", params(("id" = String, Path), HistoryQuery),
    security(("bearer" = ["chat"])), responses((status = 200, body = HistoryView), StdErrors))]
async fn history(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<HistoryView>> {
    let (c, messages) = state
        .inbox
        .history(&actor, &id, q.before_seq, q.limit)
        .await?;
    Ok(Json(HistoryView {
        conversation_id: c.id,
        last_seq: c.last_seq,
        messages: messages.into_iter().map(Into::into).collect(),
    }))
}

/// A visitor's profile: address, browser, referrer, pages seen, previous conversations.
#[utoipa::path(get, path = "/visitors/{id}", tag = "agent", params(("id" = String, Path)),
    security(("bearer" = ["chat"])), responses((status = 200, body = VisitorProfileView), StdErrors))]
async fn visitor_profile(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<VisitorProfileView>> {
    let (v, conversations, timeline) = state.inbox.visitor(&actor, &id).await?;
    let insight = state.live.insight(&v);
    let mut view = profile(v, conversations, timeline);
    view.insight = Some(insight);
    Ok(Json(view))
}
