//! The one error shape of the HTTP API: `{"error": {"code", "message", "field"?}}`.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use utoipa::ToSchema;

use crate::service::{FieldError, ServiceError};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
    /// Seconds to send as Retry-After.
    pub retry_after: Option<u64>,
    /// For `tenant_required`: the tenants to choose from.
    pub tenants: Vec<TenantChoice>,
}

/// A tenant to pick at sign-in (`tenant_required`).
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantChoice {
    pub id: String,
    pub name: String,
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `validation_failed`, `rate_limited`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// For `validation_failed`: each refused field and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldErrorSchema>)]
    pub fields: Vec<FieldError>,
    /// For `tenant_required` (sign-in): the tenants where the e-mail and password match.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenants: Vec<TenantChoice>,
}

/// One refused input field.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FieldErrorSchema {
    pub field: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
            tenants: Vec::new(),
        }
    }

    /// The stable code for an error status produced outside our handlers (router, middleware).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::BAD_REQUEST => ("bad_request", "the request is malformed"),
            StatusCode::UNAUTHORIZED => ("unauthorized", "authentication is required"),
            StatusCode::FORBIDDEN => ("forbidden", "not allowed"),
            StatusCode::NOT_FOUND => ("not_found", "no such resource"),
            StatusCode::METHOD_NOT_ALLOWED => {
                ("method_not_allowed", "this method is not allowed here")
            }
            StatusCode::REQUEST_TIMEOUT => ("request_timeout", "the request took too long"),
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported_media_type",
                "expected Content-Type: application/json",
            ),
            StatusCode::UNPROCESSABLE_ENTITY => {
                ("unprocessable", "the request cannot be processed")
            }
            StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "too many requests; retry later"),
            StatusCode::SERVICE_UNAVAILABLE => ("unavailable", "the service is unavailable"),
            s if s.is_client_error() => ("bad_request", "the request was refused"),
            _ => ("internal", "internal server error"),
        };
        ApiError::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        crate::telemetry::metrics::error("http", self.code);
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                fields: self.fields,
                tenants: self.tenants,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        response
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        let status = match &err {
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ServiceError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ServiceError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ServiceError::Conflict(_)
            | ServiceError::PrechatRequired(_)
            | ServiceError::Archived => StatusCode::CONFLICT,
            ServiceError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServiceError::Forbidden(_)
            | ServiceError::PasswordChangeRequired
            | ServiceError::TwoFactorEnrolmentRequired => StatusCode::FORBIDDEN,
            ServiceError::Upstream(_) => StatusCode::BAD_GATEWAY,
            ServiceError::Store(_) | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let fields = match &err {
            ServiceError::Invalid(fields) => fields.clone(),
            _ => Vec::new(),
        };
        let retry_after = match &err {
            ServiceError::RateLimited(secs) => Some(*secs),
            _ => None,
        };
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            // Details of internal failures go to the log, not to the client.
            tracing::error!(error = %err, "request failed");
            "internal server error".to_string()
        } else {
            err.to_string()
        };
        ApiError {
            status,
            code: err.code(),
            message,
            fields,
            retry_after,
            tenants: Vec::new(),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
