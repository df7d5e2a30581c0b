//! The request body limit: `server.body_limit_bytes` everywhere, `storage.max_file_bytes` on
//! file uploads (`POST …/files`). A body over it answers 413 before it is read (by its
//! Content-Length) or while it is (a chunked body stops at the limit).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::Limited;

use crate::http::error::ApiError;

#[derive(Clone, Copy)]
pub struct BodyLimits {
    pub default: usize,
    pub upload: usize,
}

/// Whether the request uploads a file (the only bodies allowed above the default limit).
fn is_upload(req: &Request) -> bool {
    req.method() == Method::POST && req.uri().path().ends_with("/files")
}

pub async fn limit(State(limits): State<BodyLimits>, req: Request, next: Next) -> Response {
    let max = if is_upload(&req) {
        limits.upload
    } else {
        limits.default
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body may have at most {max} bytes"),
        )
        .into_response();
    }
    next.run(req.map(|b| Body::new(Limited::new(b, max)))).await
}
