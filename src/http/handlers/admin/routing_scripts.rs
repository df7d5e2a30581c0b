//! `/api/admin/routing-scripts`: the tenant's Lua routing scripts (docs/routing-scripts.md).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::bots::routing_script::{LastError, Outcome, Sample};
use crate::store::RoutingScript;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_scripts, create_script))
        .routes(routes!(test_script))
        .routes(routes!(activate_script))
        .routes(routes!(deactivate_scripts))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScriptBody {
    /// Lua 5.4 source defining `function route(visitor, agents, groups)`; 1 to 65536 bytes.
    #[schema(example = "function route(visitor, agents, groups)\n  return nil\nend")]
    pub source: String,
}

#[derive(Serialize, ToSchema)]
pub struct ScriptView {
    pub id: String,
    pub version: i32,
    pub source: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub active: bool,
}

impl From<RoutingScript> for ScriptView {
    fn from(s: RoutingScript) -> Self {
        ScriptView {
            id: s.id,
            version: s.version,
            source: s.source,
            created_by: s.created_by,
            created_at: s.created_at,
            active: s.active,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ScriptListView {
    /// The active version's number; null: default routing.
    pub active_version: Option<i32>,
    /// The active script's latest failure on this node, cleared by activating or deactivating.
    pub last_error: Option<LastError>,
    /// Newest first.
    pub versions: Vec<ScriptView>,
}

/// The tenant's versions, the active one and its last failure.
#[utoipa::path(get, path = "/routing-scripts", tag = "admin", security(("bearer" = ["settings:read"])),
    responses((status = 200, body = ScriptListView), StdErrors))]
async fn list_scripts(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<ScriptListView>> {
    let list = state.routing_scripts.list(&actor).await?;
    Ok(Json(ScriptListView {
        active_version: list.versions.iter().find(|s| s.active).map(|s| s.version),
        last_error: list.last_error,
        versions: list.versions.into_iter().map(Into::into).collect(),
    }))
}

/// Store a new version (inactive); it must compile.
#[utoipa::path(post, path = "/routing-scripts", tag = "admin", request_body = ScriptBody, security(("bearer" = ["settings:write"])),
    responses((status = 201, body = ScriptView), StdErrors))]
async fn create_script(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<ScriptBody>,
) -> ApiResult<(StatusCode, Json<ScriptView>)> {
    let s = state.routing_scripts.create(&actor, &body.source).await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

/// Run a version once on a sample visitor, in the same sandbox as routing; the answer holds
/// the decision or the error.
#[utoipa::path(post, path = "/routing-scripts/{id}/test", tag = "admin", params(("id" = String, Path)), request_body = Sample,
    security(("bearer" = ["settings:write"])), responses((status = 200, body = Outcome), StdErrors))]
async fn test_script(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(sample): ApiJson<Sample>,
) -> ApiResult<Json<Outcome>> {
    Ok(Json(state.routing_scripts.test(&actor, &id, sample).await?))
}

/// Make a version the active one (the others are deactivated).
#[utoipa::path(post, path = "/routing-scripts/{id}/activate", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = ["settings:write"])), responses((status = 200, body = ScriptView), StdErrors))]
async fn activate_script(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<ScriptView>> {
    Ok(Json(
        state.routing_scripts.activate(&actor, &id).await?.into(),
    ))
}

/// No active version: default routing.
#[utoipa::path(post, path = "/routing-scripts/deactivate", tag = "admin",
    security(("bearer" = ["settings:write"])), responses((status = 204, description = "Default routing"), StdErrors))]
async fn deactivate_scripts(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<StatusCode> {
    state.routing_scripts.deactivate(&actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
