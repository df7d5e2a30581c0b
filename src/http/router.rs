//! Routes, grouped by who calls them, and the middleware stack around them.

use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::middleware::{from_fn_with_state, map_response};
use axum::routing::get;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use super::handlers::{health, meta};
use super::middleware::{error_shape, rate_limit};
use super::AppState;
use crate::config::Config;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn build(state: AppState) -> Router {
    let config = state.config.clone();
    let api = Router::new()
        .nest("/visitor", visitor_routes())
        .nest("/agent", agent_routes())
        .nest("/admin", admin_routes());
    let mut limited = Router::new().nest("/api", api);
    if config.rate_limit.enabled {
        limited = limited.layer(from_fn_with_state(ip_limiter(&config), rate_limit::limit));
    }

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .nest("/internal", internal_routes())
        .merge(limited)
        .with_state(state)
        // Router::layer turns each layer's answer back into an axum Response, so the
        // error-shaping step below sees the 408 and 413 these produce.
        .layer(RequestBodyLimitLayer::new(config.server.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.server.request_timeout_secs),
        ))
        .layer(map_response(error_shape::json_errors))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
                }).on_response(DefaultOnResponse::new().level(Level::INFO)))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CompressionLayer::new())
                .layer(cors(&config)),
        )
}

/// Widget-facing endpoints (site key / visitor token).
fn visitor_routes() -> Router<AppState> {
    Router::new()
}

/// Agent workspace endpoints (agent access token).
fn agent_routes() -> Router<AppState> {
    Router::new()
}

/// Tenant administration (admin or owner access token).
fn admin_routes() -> Router<AppState> {
    Router::new()
}

/// Operator and node-to-node endpoints, outside the rate limit.
fn internal_routes() -> Router<AppState> {
    Router::new().route("/version", get(meta::version))
}

fn ip_limiter(config: &Config) -> rate_limit::IpRateLimit {
    let per_second = NonZeroU32::new(config.rate_limit.per_second).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(config.rate_limit.burst).unwrap_or(NonZeroU32::MIN);
    let limiter = rate_limit::IpRateLimit::new(per_second, burst, config.server.trust_proxy);
    limiter.spawn_cleanup(Duration::from_secs(60));
    limiter
}

fn cors(config: &Config) -> CorsLayer {
    let origins = &config.server.cors_origins;
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers(Any)
        .expose_headers([REQUEST_ID])
        .max_age(Duration::from_secs(3600))
}
