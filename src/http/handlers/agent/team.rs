use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::Authed;
use crate::http::handlers::views::{GroupView, StdErrors};
use crate::http::AppState;
use crate::service::team::Member;
use crate::store::{AgentStatus, Role};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(team))
        .routes(routes!(groups))
}

#[derive(Serialize, ToSchema)]
pub struct MemberView {
    pub id: String,
    pub name: String,
    pub email: String,
    #[schema(value_type = String, example = "agent")]
    pub role: Role,
    /// The status the agent chose: online, away, busy or offline.
    #[schema(value_type = String, example = "online")]
    pub status: AgentStatus,
    /// Has a live connection.
    pub online: bool,
    /// Conversations they hold open.
    pub open_chats: i64,
    pub max_chats: i32,
}

#[derive(Serialize, ToSchema)]
pub struct TeamView {
    pub items: Vec<MemberView>,
}

impl From<Member> for MemberView {
    fn from(m: Member) -> Self {
        MemberView {
            id: m.id,
            name: m.name,
            email: m.email,
            role: m.role,
            status: m.status,
            online: m.online,
            open_chats: m.open_chats,
            max_chats: m.max_chats,
        }
    }
}

/// The tenant's active accounts with presence and load, online first.
#[utoipa::path(get, path = "/team", tag = "agent", security(("bearer" = ["chat"])),
    responses((status = 200, body = TeamView), StdErrors))]
async fn team(State(state): State<AppState>, Authed(actor): Authed) -> ApiResult<Json<TeamView>> {
    let members = state.team.members(&actor).await?;
    Ok(Json(TeamView {
        items: members.into_iter().map(MemberView::from).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct GroupsView {
    pub items: Vec<GroupView>,
}

/// The tenant's groups by name: where a conversation can be transferred.
#[utoipa::path(get, path = "/groups", tag = "agent", security(("bearer" = ["chat"])),
    responses((status = 200, body = GroupsView), StdErrors))]
async fn groups(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<GroupsView>> {
    let groups = state.team.groups(&actor).await?;
    Ok(Json(GroupsView {
        items: groups.into_iter().map(GroupView::from).collect(),
    }))
}
