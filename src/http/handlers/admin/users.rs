use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, ApiQuery, Authed};
use crate::http::handlers::views::{GroupView, PageOf, StdErrors, UserView};
use crate::http::AppState;
use crate::service::admin::{NewAccount, UserChanges, UserDetail, UserQuery};
use crate::store::Role;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(reset_password))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// owner, admin or agent
    #[param(value_type = Option<String>)]
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserBody {
    pub email: String,
    /// Default: the part of the e-mail before `@`.
    pub name: Option<String>,
    /// Default `agent`. Only the owner creates admins and owners.
    #[schema(value_type = Option<String>, example = "agent")]
    pub role: Option<Role>,
    /// Default 5, at most 100.
    pub max_chats: Option<i32>,
    #[serde(default)]
    pub group_ids: Vec<String>,
    /// Leave out to invite: a one-time password is returned once and must be changed.
    pub password: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserBody {
    pub name: Option<String>,
    #[schema(value_type = Option<String>)]
    pub role: Option<Role>,
    pub max_chats: Option<i32>,
    pub disabled: Option<bool>,
    /// Replaces the account's groups.
    pub group_ids: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct UserDetailView {
    #[serde(flatten)]
    pub user: UserView,
    pub groups: Vec<GroupView>,
    /// Only when this request generated a password: show it to the person once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_time_password: Option<String>,
}

impl From<UserDetail> for UserDetailView {
    fn from(d: UserDetail) -> Self {
        UserDetailView {
            user: d.user.into(),
            groups: d.groups.into_iter().map(Into::into).collect(),
            one_time_password: d.one_time_password,
        }
    }
}

/// Accounts of the tenant, oldest first.
#[utoipa::path(get, path = "/users", tag = "admin", params(ListUsersQuery), security(("bearer" = ["users:read"])),
    responses((status = 200, body = PageOf<UserView>), StdErrors))]
async fn list_users(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<ListUsersQuery>,
) -> ApiResult<Json<PageOf<UserView>>> {
    let page = state
        .admin
        .list_users(
            &actor,
            UserQuery {
                role: q.role,
                disabled: q.disabled,
                cursor: q.cursor,
                limit: q.limit,
            },
        )
        .await?;
    Ok(Json(PageOf::from_page(page, UserView::from)))
}

/// Create or invite an account.
#[utoipa::path(post, path = "/users", tag = "admin", request_body = CreateUserBody, security(("bearer" = ["users:write"])),
    responses((status = 201, body = UserDetailView), (status = 409, description = "The e-mail has an account", body = crate::http::error::ErrorBody), StdErrors))]
async fn create_user(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<CreateUserBody>,
) -> ApiResult<(StatusCode, Json<UserDetailView>)> {
    let detail = state
        .admin
        .create_user(
            &actor,
            NewAccount {
                email: body.email,
                name: body.name,
                role: body.role.unwrap_or(Role::Agent),
                max_chats: body.max_chats,
                group_ids: body.group_ids,
                password: body.password,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(detail.into())))
}

/// One account with its groups.
#[utoipa::path(get, path = "/users/{id}", tag = "admin", params(("id" = String, Path)), security(("bearer" = ["users:read"])),
    responses((status = 200, body = UserDetailView), StdErrors))]
async fn get_user(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<UserDetailView>> {
    Ok(Json(state.admin.get_user(&actor, &id).await?.into()))
}

/// Change name, role, capacity, groups, or disable/enable.
#[utoipa::path(patch, path = "/users/{id}", tag = "admin", params(("id" = String, Path)), request_body = UpdateUserBody,
    security(("bearer" = ["users:write"])),
    responses((status = 200, body = UserDetailView), (status = 409, description = "Would leave the tenant without an owner", body = crate::http::error::ErrorBody), StdErrors))]
async fn update_user(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateUserBody>,
) -> ApiResult<Json<UserDetailView>> {
    let changes = UserChanges {
        name: body.name,
        role: body.role,
        max_chats: body.max_chats,
        disabled: body.disabled,
        group_ids: body.group_ids,
    };
    Ok(Json(
        state.admin.update_user(&actor, &id, changes).await?.into(),
    ))
}

/// Give the account a new one-time password (returned once) and sign it out everywhere.
#[utoipa::path(post, path = "/users/{id}/reset-password", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = ["users:write"])), responses((status = 200, body = UserDetailView), StdErrors))]
async fn reset_password(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<UserDetailView>> {
    Ok(Json(state.admin.reset_password(&actor, &id).await?.into()))
}
