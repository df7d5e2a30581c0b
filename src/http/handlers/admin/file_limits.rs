//! `/api/admin/file-limits`: the tenant's own limits on uploaded files, each at most the
//! server's `[storage]` limit (docs/api.md).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::files::{EffectiveLimits, LimitOverride, TenantLimitsView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_file_limits, put_file_limits))
}

#[derive(Serialize, ToSchema)]
pub struct LimitsView {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Most files in one conversation.
    pub max_files_per_conversation: u64,
    /// Types accepted, as detected from the bytes.
    pub allowed_types: Vec<String>,
}

impl From<EffectiveLimits> for LimitsView {
    fn from(l: EffectiveLimits) -> Self {
        LimitsView {
            max_file_bytes: l.max_file_bytes,
            max_files_per_conversation: l.max_files_per_conversation,
            allowed_types: l.allowed_types,
        }
    }
}

/// The tenant's own limits; null (or left out): the server's.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantLimitsBody {
    /// 1 to the server's `max_file_bytes`.
    #[serde(default)]
    pub max_file_bytes: Option<u64>,
    /// 1 to the server's `max_files_per_conversation`.
    #[serde(default)]
    pub max_files_per_conversation: Option<u64>,
    /// A non-empty subset of the server's `allowed_types`.
    #[serde(default)]
    pub allowed_types: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct FileLimitsView {
    /// The server's `[storage]` limits: the ceiling.
    pub server: LimitsView,
    /// What the tenant set.
    pub tenant: TenantLimitsBody,
    /// What uploads into the tenant must keep.
    pub effective: LimitsView,
}

impl From<TenantLimitsView> for FileLimitsView {
    fn from(v: TenantLimitsView) -> Self {
        FileLimitsView {
            server: v.server.into(),
            tenant: TenantLimitsBody {
                max_file_bytes: v.tenant.max_file_bytes,
                max_files_per_conversation: v.tenant.max_files_per_conversation,
                allowed_types: v.tenant.allowed_types,
            },
            effective: v.effective.into(),
        }
    }
}

/// The tenant's file limits, the server's ceiling and what applies.
#[utoipa::path(get, path = "/file-limits", tag = "admin", security(("bearer" = ["settings:read"])),
    responses((status = 200, body = FileLimitsView), StdErrors))]
async fn get_file_limits(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<FileLimitsView>> {
    Ok(Json(state.files.tenant_limits(&actor).await?.into()))
}

/// Replace the tenant's file limits. Each may only lower the server's (422 otherwise).
#[utoipa::path(put, path = "/file-limits", tag = "admin", request_body = TenantLimitsBody,
    security(("bearer" = ["settings:write"])),
    responses((status = 200, body = FileLimitsView), StdErrors))]
async fn put_file_limits(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<TenantLimitsBody>,
) -> ApiResult<Json<FileLimitsView>> {
    let wanted = LimitOverride {
        max_file_bytes: body.max_file_bytes,
        max_files_per_conversation: body.max_files_per_conversation,
        allowed_types: body.allowed_types,
    };
    Ok(Json(
        state.files.set_tenant_limits(&actor, wanted).await?.into(),
    ))
}
