//! `GET /api/admin/monitor`: the live monitor's numbers, polled by the wall display.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiQuery, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::reports::Monitor;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(monitor))
}

/// Default of `alert_after_minutes`.
const ALERT_AFTER_MINUTES: u32 = 5;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MonitorQuery {
    /// A visitor waiting this many minutes or longer is an alert: 0–1440 (0: every waiting
    /// visitor), default 5.
    #[param(minimum = 0, maximum = 1440)]
    pub alert_after_minutes: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct MonitorAgentView {
    pub id: String,
    pub name: String,
    #[schema(example = "online")]
    pub status: String,
    /// Has a live connection.
    pub online: bool,
    pub open_chats: i64,
    pub max_chats: i32,
}

#[derive(Serialize, ToSchema)]
pub struct AlertView {
    pub conversation_id: String,
    pub waiting_secs: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MonitorView {
    pub at: DateTime<Utc>,
    /// Agents (and any admin who is connected or holds conversations), connected ones first.
    pub agents: Vec<MonitorAgentView>,
    /// Conversations waiting in the queue.
    pub waiting: u64,
    /// How long the first in the queue has waited; null with an empty queue.
    pub longest_wait_secs: Option<i64>,
    /// Conversations not closed.
    pub open: u64,
    pub conversations_last_minute: u64,
    pub messages_last_minute: u64,
    /// Mean rating of the conversations started today (tenant's zone); null without any.
    pub csat_today: Option<f64>,
    pub rated_today: u64,
    pub alert_after_minutes: u32,
    /// Visitors waiting `alert_after_minutes` or longer, longest first (at most 50).
    pub alerts: Vec<AlertView>,
}

impl From<Monitor> for MonitorView {
    fn from(m: Monitor) -> Self {
        MonitorView {
            at: m.at,
            agents: m
                .agents
                .into_iter()
                .map(|a| MonitorAgentView {
                    id: a.id,
                    name: a.name,
                    status: a.status.to_string(),
                    online: a.online,
                    open_chats: a.open_chats,
                    max_chats: a.max_chats,
                })
                .collect(),
            waiting: m.waiting,
            longest_wait_secs: m.longest_wait_secs,
            open: m.open,
            conversations_last_minute: m.conversations_last_minute,
            messages_last_minute: m.messages_last_minute,
            csat_today: m.csat_today,
            rated_today: m.rated_today,
            alert_after_minutes: m.alert_after_minutes,
            alerts: m
                .alerts
                .into_iter()
                .map(|a| AlertView {
                    conversation_id: a.conversation_id,
                    waiting_secs: a.waiting_secs,
                })
                .collect(),
        }
    }
}

/// The team, the queue and the last minute, for the live monitor (poll every few seconds).
#[utoipa::path(get, path = "/monitor", tag = "reports", params(MonitorQuery),
    security(("bearer" = ["conversations:read"])),
    responses((status = 200, body = MonitorView), StdErrors))]
async fn monitor(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<MonitorQuery>,
) -> ApiResult<Json<MonitorView>> {
    let after = q.alert_after_minutes.unwrap_or(ALERT_AFTER_MINUTES);
    Ok(Json(state.reports.monitor(&actor, after).await?.into()))
}
