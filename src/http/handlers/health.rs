use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::http::error::{ApiError, ApiResult};
use crate::http::AppState;

/// The process is up and serving HTTP.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The node can do its work: its database answers. 503 otherwise, so a balancer skips it.
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    state
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
    Ok(Json(json!({ "status": "ready" })))
}
