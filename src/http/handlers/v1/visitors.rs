//! `GET /api/v1/visitors?external_id=`.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiQuery, Authed};
use crate::http::handlers::agent::inbox::{profile, VisitorProfileView};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(by_external_id))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VisitorQuery {
    /// The verified external id (the `user_id` the site identified them with); required.
    pub external_id: Option<String>,
}

/// A visitor by external id: profile, attributes, conversations (newest first), timeline.
#[utoipa::path(get, path = "/visitors", tag = "integrations", params(VisitorQuery),
    security(("bearer" = ["visitors:read"])),
    responses((status = 200, body = VisitorProfileView), StdErrors))]
async fn by_external_id(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<VisitorQuery>,
) -> ApiResult<Json<VisitorProfileView>> {
    let (v, conversations, timeline) = state
        .integrations
        .visitor_by_external_id(&actor, q.external_id.as_deref().unwrap_or_default())
        .await?;
    Ok(Json(profile(v, conversations, timeline)))
}
