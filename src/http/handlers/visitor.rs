//! `/api/visitor`: the widget's entry point.

use axum::extract::State;
use axum::http::header::{ORIGIN, USER_AGENT};
use axum::http::HeaderMap;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::admin::settings::SettingsBody;
use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::visitors::Arrival;
use crate::store::{Conversation, ConversationState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_session))
        .merge(super::identify::router())
        .merge(super::prechat::router())
        .merge(super::files::visitor_router())
        .merge(super::transcript::router())
        .merge(super::visitor_bots::router())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionBody {
    /// The `data-site-key` of the widget snippet.
    pub site_key: String,
    /// The token from an earlier visit, to come back as the same visitor.
    pub visitor_token: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    /// The token of a mail's "continue the conversation" link (`#uniqchat_reopen=…`): the
    /// session is the visitor's the link was made for. Invalid or expired: ignored.
    pub reopen_token: Option<String>,
    /// The widget's language, e.g. `navigator.language`; `zh…` picks Chinese mail, anything
    /// else English.
    pub language: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VisitorView {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OpenConversationView {
    pub id: String,
    #[schema(value_type = String, example = "waiting")]
    pub state: ConversationState,
    /// The highest `seq` so far: resume from the last one the widget has.
    pub last_seq: i64,
}

impl From<Conversation> for OpenConversationView {
    fn from(c: Conversation) -> Self {
        OpenConversationView {
            id: c.id,
            state: c.state,
            last_seq: c.last_seq,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    /// Keep it (e.g. in localStorage) and send it next time; use it for /ws/visitor?token=….
    pub visitor_token: String,
    pub visitor: VisitorView,
    /// What the widget shows: title, colour, position, welcome and offline texts, hours.
    pub settings: SettingsBody,
    /// Whether someone can answer now: an agent is connected with status `online` or `busy`
    /// (busy: present, but taking no new conversation at the moment; the visitor may queue).
    /// False when every agent is `away` or not connected.
    pub agents_online: bool,
    /// Inside the tenant's business hours now (always true when no hours are set).
    pub within_hours: bool,
    /// The tenant's bots answer new conversations first (docs/bots.md): someone answers at
    /// any hour.
    pub bots: bool,
    /// Show the offline form (and no queue): no bots, and `agents_online` is false or it is
    /// outside business hours; exactly `!bots && !(agents_online && within_hours)`. Messages
    /// sent anyway wait in the queue for the first agent, and replies arrive on the next visit.
    pub offline: bool,
    pub conversation: Option<OpenConversationView>,
}

/// Start or resume a visitor's session: checks the site key, the embedding origin and the
/// blacklist, and returns the visitor token, the widget settings and the open conversation.
#[utoipa::path(post, path = "/session", tag = "visitor", request_body = SessionBody,
    responses((status = 200, body = SessionView), StdErrors))]
async fn start_session(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SessionBody>,
) -> ApiResult<Json<SessionView>> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let session = state
        .visitors
        .arrive(Arrival {
            site_key: body.site_key,
            origin: header(ORIGIN),
            ip,
            user_agent: header(USER_AGENT),
            visitor_token: body.visitor_token,
            name: body.name,
            email: body.email,
            page_url: body.page_url,
            referrer: body.referrer,
            reopen_token: body.reopen_token,
            language: body.language,
        })
        .await?;
    Ok(Json(SessionView {
        visitor_token: session.token,
        visitor: VisitorView {
            id: session.visitor.id,
            name: session.visitor.name,
            email: session.visitor.email,
        },
        settings: session.settings.into(),
        agents_online: session.agents_online,
        within_hours: session.within_hours,
        bots: session.bots,
        offline: !session.bots && (!session.agents_online || !session.within_hours),
        conversation: session.conversation.map(Into::into),
    }))
}
