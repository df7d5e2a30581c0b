//! `GET /metrics`: the Prometheus scrape (docs/metrics.md).

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::http::error::{ApiError, ApiResult, ErrorBody};
use crate::http::middleware::client_ip;
use crate::http::AppState;
use crate::telemetry::metrics;

const EXPOSITION: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Prometheus metrics in the text exposition format. With `metrics.token` set, the scrape
/// must send it as a bearer token; without one, only a scrape from a loopback address is
/// answered.
#[utoipa::path(get, path = "/metrics", tag = "operations", security((), ("metrics_token" = [])),
    responses((status = 200, description = "The metrics, Prometheus text format 0.0.4", content_type = "text/plain"),
        (status = 401, description = "The token is missing or wrong", body = ErrorBody),
        (status = 403, description = "No token is configured and the scrape is not from a loopback address", body = ErrorBody),
        (status = 404, description = "Metrics are off (`metrics.enabled = false`)", body = ErrorBody)))]
pub async fn scrape(State(state): State<AppState>, request: Request) -> ApiResult<Response> {
    let settings = &state.config.metrics;
    let text = metrics::render()
        .filter(|_| settings.enabled)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "metrics are off"))?;
    if settings.token.is_empty() {
        // The TCP peer, never X-Forwarded-For: a proxy in front does not make a scrape local.
        if !client_ip::client_ip(&request, false).is_loopback() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "metrics_forbidden",
                "metrics are answered to loopback addresses only unless metrics.token is set",
            ));
        }
    } else if !bearer_matches(&request, &settings.token) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid metrics token is required",
        ));
    }
    Ok(([(CONTENT_TYPE, EXPOSITION)], text).into_response())
}

/// Compares in constant time, so the answer's timing tells nothing about the token.
fn bearer_matches(request: &Request, token: &str) -> bool {
    let given = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}
