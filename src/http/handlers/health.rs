use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::error::{ApiError, ApiResult, ErrorBody};
use crate::http::AppState;

#[derive(Serialize, ToSchema)]
pub struct Status {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// `/readyz`: `ready`, or `degraded` when the node serves but Redis (cluster mode) is down.
/// (A draining node answers 503 `draining` instead.)
#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// Cluster mode only: `up` or `down` (absent on a single node).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "up")]
    pub redis: Option<&'static str>,
    /// Cluster mode only: this node's id (it changes at every start).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
}

/// The process is up and serving HTTP.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Status)))]
pub async fn healthz() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// The node can do its work: its database answers. 503 otherwise, so a balancer skips it.
/// In a cluster, `redis` tells whether Redis answers; a node without it keeps serving its own
/// connections (`status: degraded`, still 200). A node that was asked to stop (SIGTERM) answers
/// 503 `draining` at once, while it still serves the connections it has (docs/cluster.md).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, description = "The database is unreachable (`not_ready`), or the node is stopping (`draining`)", body = ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Readiness>> {
    let ready = state
        .health
        .ready(Duration::from_secs(2))
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "readiness check failed");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "the database is not reachable",
            )
        })?;
    if ready.draining {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "draining",
            "this node is stopping; connect to another",
        ));
    }
    let redis = ready.redis_up.map(|up| if up { "up" } else { "down" });
    let status = if redis == Some("down") {
        "degraded"
    } else {
        "ready"
    };
    Ok(Json(Readiness {
        status,
        redis,
        node: ready.node,
    }))
}
