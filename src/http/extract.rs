//! Request extractors whose failures answer in the API's error shape.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::AppState;
use crate::service::authz::Actor;
use crate::service::validate::check_text;
use crate::service::ServiceError;

/// A JSON body; malformed JSON, wrong types, missing or unknown fields answer 400; a string
/// with a control character other than tab, line feed or carriage return answers 422
/// `validation_failed` naming the field, whatever the route (no database sees it).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r| ApiError::from_status(r.status()))?;
        let value = Json::<T>::from_bytes(&bytes).map_err(json_rejection)?.0;
        // It parsed as T, so it parses as a JSON value.
        if let Ok(raw) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            // serde reads a struct from an array too (`["token"]`); every body is an object.
            if !raw.is_object() {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_body",
                    "the body must be a JSON object",
                ));
            }
            check_text(&raw).map_err(|(field, message)| {
                ApiError::from(ServiceError::invalid(field, message))
            })?;
        }
        Ok(ApiJson(value))
    }
}

/// `application/json` or `application/<anything>+json`, as axum's `Json` accepts.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some(subtype) = essence.strip_prefix("application/") else {
        return false;
    };
    subtype == "json" || subtype.ends_with("+json")
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        }
        JsonRejection::JsonSyntaxError(e) => {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", e.body_text())
        }
        JsonRejection::JsonDataError(e) => {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_body", e.body_text())
        }
        other => ApiError::from_status(other.status()),
    }
}

/// Query parameters; values of the wrong type or unknown parameters answer 400.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                e.body_text(),
            )),
            Err(other) => Err(ApiError::from_status(other.status())),
        }
    }
}

/// The caller, from `Authorization: Bearer <access token or API token>`. An account signed in
/// with a one-time password is refused 403 `password_change_required`.
pub struct Authed(pub Actor);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let actor = state.auth.authenticate(bearer_token(parts)?).await?;
        Ok(Authed(actor))
    }
}

/// Like `Authed`, but also lets in an account that still has to change its one-time password:
/// only `/api/auth/me` and `/api/auth/password` take it.
pub struct AuthedPending(pub Actor);

impl FromRequestParts<AppState> for AuthedPending {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let actor = state
            .auth
            .authenticate_pending(bearer_token(parts)?)
            .await?;
        Ok(AuthedPending(actor))
    }
}

fn bearer_token(parts: &Parts) -> Result<&str, ApiError> {
    parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send Authorization: Bearer <token>",
            )
        })
}

/// A visitor, from `Authorization: Bearer <visitor token>`; a blocked visitor or address is
/// refused 403 and an erased visitor 401, as at the realtime handshake.
pub struct VisitorAuthed(pub crate::service::chat::Participant);

impl FromRequestParts<AppState> for VisitorAuthed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let visitor = state.auth.authenticate_visitor(bearer_token(parts)?)?;
        let ip = super::middleware::client_ip::from_parts(parts, state.config.server.trust_proxy);
        state
            .visitors
            .admit(&visitor.tenant_id, ip, &visitor.visitor_id)
            .await?;
        Ok(VisitorAuthed(crate::service::chat::Participant::Visitor {
            tenant_id: visitor.tenant_id,
            visitor_id: visitor.visitor_id,
        }))
    }
}

/// The client's IP address, honouring `server.trust_proxy`.
pub struct ClientIp(pub std::net::IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(ClientIp(super::middleware::client_ip::from_parts(
            parts,
            state.config.server.trust_proxy,
        )))
    }
}
