//! Gives errors made outside our handlers (unknown route, wrong method, body too large,
//! timeout) the same JSON shape as every other error.

use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::http::error::ApiError;

pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.remove(CONTENT_TYPE);
    let shaped = ApiError::from_status(status).into_response();
    let (shaped_parts, body) = shaped.into_parts();
    // Keep headers such as Allow or Retry-After that the original answer carried.
    parts.headers.extend(shaped_parts.headers);
    Response::from_parts(parts, body)
}
