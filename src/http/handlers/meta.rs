use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::views::StdErrors;
use super::web::PAGE_CSP;
use crate::http::error::ApiResult;
use crate::http::extract::Authed;
use crate::http::AppState;
use crate::service::authz::Permission;

#[derive(Serialize, ToSchema)]
pub struct VersionView {
    #[schema(example = "uniqchat")]
    pub name: &'static str,
    pub version: &'static str,
    /// dev, test or prod
    pub profile: String,
    /// sqlite, postgres or mysql
    pub database: String,
}

/// Build and runtime facts for the tenant's administrators (not for anyone: they tell an
/// attacker which version and profile run).
#[utoipa::path(get, path = "/internal/version", tag = "operations", security(("bearer" = ["settings:read"])),
    responses((status = 200, body = VersionView), StdErrors))]
pub async fn version(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<VersionView>> {
    actor.require(Permission::SettingsRead)?;
    Ok(Json(VersionView {
        name: "uniqchat",
        version: env!("CARGO_PKG_VERSION"),
        profile: state.config.profile.clone(),
        database: format!("{:?}", state.backend).to_lowercase(),
    }))
}

/// The OpenAPI 3 description of this API (this document).
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3 document", content_type = "application/json")))]
pub async fn openapi(
    Extension(doc): Extension<Arc<utoipa::openapi::OpenApi>>,
) -> Json<utoipa::openapi::OpenApi> {
    Json((*doc).clone())
}

/// A readable page listing every endpoint, built from the OpenAPI document.
#[utoipa::path(get, path = "/api/docs", tag = "operations",
    responses((status = 200, description = "HTML page", content_type = "text/html")))]
pub async fn docs() -> impl IntoResponse {
    (
        [
            (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        Html(include_str!("docs.html")),
    )
}
