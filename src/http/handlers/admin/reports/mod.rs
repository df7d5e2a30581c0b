//! `/api/admin/reports/…`: reports over a date range in the tenant's time zone, as JSON or,
//! with `?format=csv`, as a CSV file; and `/api/admin/monitor` for the wall display.

mod csv;
mod monitor;
mod ratings;
mod views;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiQuery, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::reports::ReportQuery;
use crate::service::ServiceError;
use ratings::{CommentsView, CsatView, HeatmapView};
use views::{AgentsView, ByTimeView, GroupsView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(conversations))
        .routes(routes!(agents))
        .routes(routes!(groups))
        .routes(routes!(csat))
        .routes(routes!(csat_comments))
        .routes(routes!(heatmap))
        .merge(monitor::router())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ByTimeQuery {
    /// First day, YYYY-MM-DD in the tenant's time zone (required).
    pub from: Option<String>,
    /// Last day (included), YYYY-MM-DD (required); at most 366 days by day, 31 by hour.
    pub to: Option<String>,
    /// `day` (default) or `hour`.
    pub interval: Option<String>,
    /// Only the conversations this agent holds or held last.
    pub agent_id: Option<String>,
    /// Only the conversations of this group.
    pub group_id: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First day, YYYY-MM-DD in the tenant's time zone (required).
    pub from: Option<String>,
    /// Last day (included), YYYY-MM-DD (required); at most 366 days after `from`.
    pub to: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

impl RangeQuery {
    fn report(&self) -> ReportQuery<'_> {
        ReportQuery {
            from: self.from.as_deref(),
            to: self.to.as_deref(),
            ..ReportQuery::default()
        }
    }
}

/// Whether the answer is CSV; anything but `json` or `csv` is refused (checked after the
/// service, so that a caller without the permission gets 403 whatever the query).
fn wants_csv(format: Option<&str>) -> ApiResult<bool> {
    match format.unwrap_or("json") {
        "json" => Ok(false),
        "csv" => Ok(true),
        _ => Err(ApiError::from(ServiceError::invalid(
            "format",
            "json or csv",
        ))),
    }
}

/// JSON, or the same table as CSV.
fn answer<T: Serialize>(csv: bool, view: T, table: impl FnOnce(&T) -> csv::Csv) -> Response {
    if csv {
        table(&view).into_response()
    } else {
        Json(view).into_response()
    }
}

/// Conversations by day or hour: started, answered, missed, offline, first response,
/// resolution and waiting times (median, p90), messages per conversation, CSAT; and the total.
/// `agent_id` or `group_id` narrow it to one agent's or one group's conversations (404 for an
/// id not of the tenant).
#[utoipa::path(get, path = "/reports/conversations", tag = "reports", params(ByTimeQuery),
    security(("bearer" = ["conversations:read"])),
    responses((status = 200, description = "The report; with format=csv a CSV file (one row per bucket, then total)",
        content((ByTimeView = "application/json"), (String = "text/csv"))), StdErrors))]
async fn conversations(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<ByTimeQuery>,
) -> ApiResult<Response> {
    let query = ReportQuery {
        from: q.from.as_deref(),
        to: q.to.as_deref(),
        interval: q.interval.as_deref(),
        agent_id: q.agent_id.as_deref(),
        group_id: q.group_id.as_deref(),
    };
    let r = state.reports.by_time(&actor, &query).await?;
    let csv = wants_csv(q.format.as_deref())?;
    Ok(answer(
        csv,
        ByTimeView::new(&r.period, &r.body),
        ByTimeView::csv,
    ))
}

/// Per agent: the figures of the conversations they hold or held last, messages sent, time
/// online, busy and away, and their peak of simultaneous conversations.
#[utoipa::path(get, path = "/reports/agents", tag = "reports", params(RangeQuery),
    security(("bearer" = ["conversations:read"])),
    responses((status = 200, description = "The report; with format=csv a CSV file",
        content((AgentsView = "application/json"), (String = "text/csv"))), StdErrors))]
async fn agents(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Response> {
    let r = state.reports.agents(&actor, &q.report()).await?;
    let csv = wants_csv(q.format.as_deref())?;
    Ok(answer(
        csv,
        AgentsView::new(&r.period, &r.body),
        AgentsView::csv,
    ))
}

/// Per group (and one row for conversations in no group): the figures of its conversations.
#[utoipa::path(get, path = "/reports/groups", tag = "reports", params(RangeQuery),
    security(("bearer" = ["conversations:read"])),
    responses((status = 200, description = "The report; with format=csv a CSV file",
        content((GroupsView = "application/json"), (String = "text/csv"))), StdErrors))]
async fn groups(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Response> {
    let r = state.reports.groups(&actor, &q.report()).await?;
    let csv = wants_csv(q.format.as_deref())?;
    Ok(answer(
        csv,
        GroupsView::new(&r.period, &r.body),
        GroupsView::csv,
    ))
}

/// Visitors' ratings: how many of each (1–5) and the average.
#[utoipa::path(get, path = "/reports/csat", tag = "reports", params(RangeQuery),
    security(("bearer" = ["conversations:read"])),
    responses((status = 200, description = "The report; with format=csv the distribution as CSV",
        content((CsatView = "application/json"), (String = "text/csv"))), StdErrors))]
async fn csat(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Response> {
    let r = state.reports.csat(&actor, &q.report()).await?;
    let csv = wants_csv(q.format.as_deref())?;
    Ok(answer(
        csv,
        CsatView::new(&r.period, &r.body),
        CsatView::csv,
    ))
}

/// The comments visitors left with their rating, newest conversation first.
#[utoipa::path(get, path = "/reports/csat/comments", tag = "reports", params(RangeQuery),
    security(("bearer" = ["conversations:read"])),
    responses((status = 200, description = "The comments; with format=csv a CSV file",
        content((CommentsView = "application/json"), (String = "text/csv"))), StdErrors))]
async fn csat_comments(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Response> {
    let r = state.reports.csat(&actor, &q.report()).await?;
    let csv = wants_csv(q.format.as_deref())?;
    let view = CommentsView::new(&r.period, &r.body.comments);
    Ok(answer(csv, view, CommentsView::csv))
}

/// Conversations started per local weekday and hour (the busiest hours).
#[utoipa::path(get, path = "/reports/heatmap", tag = "reports", params(RangeQuery),
    security(("bearer" = ["conversations:read"])),
    responses((status = 200, description = "The 168 cells; with format=csv a CSV file",
        content((HeatmapView = "application/json"), (String = "text/csv"))), StdErrors))]
async fn heatmap(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Response> {
    let r = state.reports.heatmap(&actor, &q.report()).await?;
    let csv = wants_csv(q.format.as_deref())?;
    Ok(answer(
        csv,
        HeatmapView::new(&r.period, &r.body),
        HeatmapView::csv,
    ))
}
