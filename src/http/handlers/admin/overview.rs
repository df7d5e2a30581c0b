use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::Authed;
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(overview))
}

#[derive(Serialize, ToSchema)]
pub struct OverviewView {
    /// Conversations not closed yet.
    pub open: u64,
    /// Conversations waiting for an agent.
    pub waiting: u64,
    /// Agents with a live connection.
    pub online_agents: u64,
    /// Conversations started in the last 24 hours.
    pub today: u64,
}

/// The tenant at a glance.
#[utoipa::path(get, path = "/overview", tag = "admin", security(("bearer" = ["users:read"])),
    responses((status = 200, body = OverviewView), StdErrors))]
async fn overview(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<OverviewView>> {
    let o = state.team.overview(&actor).await?;
    Ok(Json(OverviewView {
        open: o.open,
        waiting: o.waiting,
        online_agents: o.online_agents,
        today: o.today,
    }))
}
