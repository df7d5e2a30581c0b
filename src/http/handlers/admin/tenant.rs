use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(delete_tenant))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteTenantBody {
    /// The tenant's name, typed again.
    pub confirm: String,
}

/// Delete the tenant with every account, conversation and setting in it. Owner only.
#[utoipa::path(delete, path = "/tenant", tag = "admin", request_body = DeleteTenantBody, security(("bearer" = ["tenant:delete"])),
    responses((status = 204, description = "Deleted"), StdErrors))]
async fn delete_tenant(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<DeleteTenantBody>,
) -> ApiResult<StatusCode> {
    state.admin.delete_tenant(&actor, &body.confirm).await?;
    Ok(StatusCode::NO_CONTENT)
}
