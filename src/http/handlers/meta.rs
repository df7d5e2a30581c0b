use std::sync::Arc;

use axum::extract::State;
use axum::response::Html;
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::AppState;

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

/// Build and runtime facts an operator or another node may ask for.
#[utoipa::path(get, path = "/internal/version", tag = "operations", responses((status = 200, body = VersionView)))]
pub async fn version(State(state): State<AppState>) -> Json<VersionView> {
    Json(VersionView {
        name: "uniqchat",
        version: env!("CARGO_PKG_VERSION"),
        profile: state.config.profile.clone(),
        database: format!("{:?}", state.backend).to_lowercase(),
    })
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
pub async fn docs() -> Html<&'static str> {
    Html(include_str!("docs.html"))
}
