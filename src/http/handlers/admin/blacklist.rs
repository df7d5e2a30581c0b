use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, ApiQuery, Authed};
use crate::http::handlers::views::{PageOf, StdErrors};
use crate::http::AppState;
use crate::service::admin::NewBlacklistEntry;
use crate::store::{BlacklistEntry, BlacklistKind};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_entries, create_entry))
        .routes(routes!(delete_entry))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlacklistBody {
    /// ip, cidr or visitor
    #[schema(value_type = String, example = "cidr")]
    pub kind: BlacklistKind,
    /// An IP address, a CIDR block or a visitor id.
    #[schema(example = "203.0.113.0/24")]
    pub value: String,
    #[serde(default)]
    pub reason: String,
    /// Leave out for an entry that never expires.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct BlacklistView {
    pub id: String,
    #[schema(value_type = String)]
    pub kind: BlacklistKind,
    pub value: String,
    pub reason: String,
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether the entry is in force now.
    pub active: bool,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<BlacklistEntry> for BlacklistView {
    fn from(e: BlacklistEntry) -> Self {
        BlacklistView {
            active: e.expires_at.is_none_or(|at| at > Utc::now()),
            id: e.id,
            kind: e.kind,
            value: e.value,
            reason: e.reason,
            expires_at: e.expires_at,
            created_by: e.created_by,
            created_at: e.created_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BlacklistQuery {
    /// ip, cidr or visitor
    #[param(value_type = Option<String>)]
    pub kind: Option<BlacklistKind>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// Blocked addresses and visitors, newest first.
#[utoipa::path(get, path = "/blacklist", tag = "admin", params(BlacklistQuery), security(("bearer" = ["blacklist:read"])),
    responses((status = 200, body = PageOf<BlacklistView>), StdErrors))]
async fn list_entries(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<BlacklistQuery>,
) -> ApiResult<Json<PageOf<BlacklistView>>> {
    let page = state
        .admin
        .list_blacklist(&actor, q.kind, q.cursor.as_deref(), q.limit)
        .await?;
    Ok(Json(PageOf::from_page(page, BlacklistView::from)))
}

/// Block an IP address, a CIDR block or a visitor.
#[utoipa::path(post, path = "/blacklist", tag = "admin", request_body = BlacklistBody, security(("bearer" = ["blacklist:write"])),
    responses((status = 201, body = BlacklistView), StdErrors))]
async fn create_entry(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<BlacklistBody>,
) -> ApiResult<(StatusCode, Json<BlacklistView>)> {
    let entry = state
        .admin
        .create_blacklist_entry(
            &actor,
            NewBlacklistEntry {
                kind: body.kind,
                value: body.value,
                reason: body.reason,
                expires_at: body.expires_at,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(entry.into())))
}

/// Lift a block.
#[utoipa::path(delete, path = "/blacklist/{id}", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = ["blacklist:write"])), responses((status = 204, description = "Deleted"), StdErrors))]
async fn delete_entry(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.admin.delete_blacklist_entry(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
