use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiQuery, Authed};
use crate::http::handlers::views::{PageOf, StdErrors};
use crate::http::AppState;
use crate::store::AuditEntry;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditView {
    pub id: String,
    /// The account (or API token) that made the change.
    pub actor_id: Option<String>,
    #[schema(example = "user.update")]
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<AuditEntry> for AuditView {
    fn from(e: AuditEntry) -> Self {
        AuditView {
            details: serde_json::from_str(&e.details).unwrap_or_default(),
            id: e.id,
            actor_id: e.actor_id,
            action: e.action,
            target_kind: e.target_kind,
            target_id: e.target_id,
            created_at: e.created_at,
        }
    }
}

/// Who changed what and when, newest first.
#[utoipa::path(get, path = "/audit", tag = "admin", params(AuditQuery), security(("bearer" = ["audit:read"])),
    responses((status = 200, body = PageOf<AuditView>), StdErrors))]
async fn list_audit(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<PageOf<AuditView>>> {
    let page = state
        .admin
        .list_audit(&actor, q.cursor.as_deref(), q.limit)
        .await?;
    Ok(Json(PageOf::from_page(page, AuditView::from)))
}
