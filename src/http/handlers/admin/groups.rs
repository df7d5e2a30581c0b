use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::{GroupView, StdErrors, UserView};
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(get_group, update_group, delete_group))
        .routes(routes!(add_member, remove_member))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroupBody {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGroupBody {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct GroupDetailView {
    #[serde(flatten)]
    pub group: GroupView,
    pub members: Vec<UserView>,
}

/// Skill groups, by name.
#[utoipa::path(get, path = "/groups", tag = "admin", security(("bearer" = ["groups:read"])),
    responses((status = 200, body = Vec<GroupView>), StdErrors))]
async fn list_groups(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<Vec<GroupView>>> {
    let groups = state.admin.list_groups(&actor).await?;
    Ok(Json(groups.into_iter().map(Into::into).collect()))
}

/// Create a skill group.
#[utoipa::path(post, path = "/groups", tag = "admin", request_body = CreateGroupBody, security(("bearer" = ["groups:write"])),
    responses((status = 201, body = GroupView), (status = 409, description = "The name is taken", body = ErrorBody), StdErrors))]
async fn create_group(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<CreateGroupBody>,
) -> ApiResult<(StatusCode, Json<GroupView>)> {
    let group = state
        .admin
        .create_group(&actor, &body.name, &body.description)
        .await?;
    Ok((StatusCode::CREATED, Json(group.into())))
}

/// A group and its members.
#[utoipa::path(get, path = "/groups/{id}", tag = "admin", params(("id" = String, Path)), security(("bearer" = ["groups:read"])),
    responses((status = 200, body = GroupDetailView), StdErrors))]
async fn get_group(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<GroupDetailView>> {
    let (group, members) = state.admin.get_group(&actor, &id).await?;
    Ok(Json(GroupDetailView {
        group: group.into(),
        members: members.into_iter().map(Into::into).collect(),
    }))
}

/// Rename a group or change its description.
#[utoipa::path(patch, path = "/groups/{id}", tag = "admin", params(("id" = String, Path)), request_body = UpdateGroupBody,
    security(("bearer" = ["groups:write"])),
    responses((status = 200, body = GroupView), (status = 409, description = "The name is taken", body = ErrorBody), StdErrors))]
async fn update_group(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateGroupBody>,
) -> ApiResult<Json<GroupView>> {
    let group = state
        .admin
        .update_group(
            &actor,
            &id,
            body.name.as_deref(),
            body.description.as_deref(),
        )
        .await?;
    Ok(Json(group.into()))
}

/// Delete a group (its members stay).
#[utoipa::path(delete, path = "/groups/{id}", tag = "admin", params(("id" = String, Path)), security(("bearer" = ["groups:write"])),
    responses((status = 204, description = "Deleted"), StdErrors))]
async fn delete_group(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.admin.delete_group(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add an account to a group (adding twice is fine).
#[utoipa::path(put, path = "/groups/{id}/members/{user_id}", tag = "admin", params(("id" = String, Path), ("user_id" = String, Path)),
    security(("bearer" = ["groups:write"])), responses((status = 204, description = "Member"), StdErrors))]
async fn add_member(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path((id, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.admin.add_group_member(&actor, &id, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove an account from a group.
#[utoipa::path(delete, path = "/groups/{id}/members/{user_id}", tag = "admin", params(("id" = String, Path), ("user_id" = String, Path)),
    security(("bearer" = ["groups:write"])), responses((status = 204, description = "Removed"), StdErrors))]
async fn remove_member(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path((id, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .admin
        .remove_group_member(&actor, &id, &user_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
