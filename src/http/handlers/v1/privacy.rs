//! `GET /api/v1/visitors/{id}/export` and `POST /api/v1/visitors/{id}/erase`: the privacy
//! requests of `/api/admin` for API tokens with the `visitors:export` / `visitors:erase` scope.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::admin::privacy::{
    export_response, EraseVisitorBody, ErasedView, VisitorExportView,
};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_visitor))
        .routes(routes!(erase_visitor))
}

/// Export everything stored about a visitor as JSON (docs/privacy.md). Audited.
#[utoipa::path(get, path = "/visitors/{id}/export", tag = "integrations", params(("id" = String, Path)),
    security(("bearer" = ["visitors:export"])),
    responses((status = 200, body = VisitorExportView), StdErrors))]
async fn export_visitor(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let export = state.privacy.export(&actor, &id).await?;
    Ok(export_response(&id, export))
}

/// Erase a visitor and everything stored about them (docs/privacy.md). Audited.
#[utoipa::path(post, path = "/visitors/{id}/erase", tag = "integrations", params(("id" = String, Path)),
    request_body = EraseVisitorBody, security(("bearer" = ["visitors:erase"])),
    responses((status = 200, body = ErasedView), StdErrors))]
async fn erase_visitor(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EraseVisitorBody>,
) -> ApiResult<Json<ErasedView>> {
    Ok(Json(
        state
            .privacy
            .erase(&actor, &id, &body.confirm)
            .await?
            .into(),
    ))
}
