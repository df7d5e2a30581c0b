//! `/api/admin/security`: the tenant's sign-in rules.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::admin::SecurityPolicy;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_security, put_security))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityView {
    /// Every account must sign in with a second factor. An account without one gets a session
    /// that may only set it up (other requests answer 403 `two_factor_enrolment_required`);
    /// it takes effect for each account at its next sign-in or token refresh.
    pub require_two_factor: bool,
}

impl From<SecurityPolicy> for SecurityView {
    fn from(p: SecurityPolicy) -> Self {
        SecurityView {
            require_two_factor: p.require_two_factor,
        }
    }
}

/// The tenant's sign-in rules.
#[utoipa::path(get, path = "/security", tag = "admin", security(("bearer" = ["settings:read"])),
    responses((status = 200, body = SecurityView), StdErrors))]
async fn get_security(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<SecurityView>> {
    Ok(Json(state.admin.security_policy(&actor).await?.into()))
}

/// Change the tenant's sign-in rules. Owner only; requiring two-factor sign-in needs it on for
/// the owner's own account first.
#[utoipa::path(put, path = "/security", tag = "admin", request_body = SecurityView, security(("bearer" = ["security:write"])),
    responses((status = 200, body = SecurityView),
        (status = 409, description = "Two-factor sign-in is off for your own account (`conflict`)", body = ErrorBody), StdErrors))]
async fn put_security(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<SecurityView>,
) -> ApiResult<Json<SecurityView>> {
    let policy = SecurityPolicy {
        require_two_factor: body.require_two_factor,
    };
    Ok(Json(
        state
            .admin
            .set_security_policy(&actor, policy)
            .await?
            .into(),
    ))
}
