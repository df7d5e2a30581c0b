//! Counts every HTTP request and its latency by route group (`uniqchat_http_*` metrics).

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::telemetry::metrics;

pub async fn record(request: Request, next: Next) -> Response {
    let group = metrics::route_group(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics::http_request(group, response.status().as_u16(), started.elapsed());
    response
}
