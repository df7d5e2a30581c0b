//! Routes, grouped by who calls them (`/api/visitor`, `/api/auth`, `/api/agent`, `/api/admin`,
//! the realtime `/ws/*`, operations), and the middleware stack around them.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::middleware::{from_fn_with_state, map_response};
use axum::{Extension, Router};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::handlers::{self, health, meta, metrics, web};
use super::middleware::{body_limit, error_shape, rate_limit, request_metrics, text_input};
use super::openapi::ApiDoc;
use super::AppState;
use crate::config::Config;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn build(state: AppState) -> Router {
    let config = state.config.clone();
    let mut api = OpenApiRouter::new()
        .nest("/visitor", handlers::visitor::router())
        .nest("/auth", handlers::auth::router())
        .nest("/agent", handlers::agent::router())
        .nest("/admin", handlers::admin::router())
        .nest("/v1", handlers::v1::router());
    if config.rate_limit.enabled {
        api = api.layer(from_fn_with_state(ip_limiter(&config), rate_limit::limit));
    }
    // Every route is registered through the OpenAPI router, so the document lists all of them.
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics::scrape))
        .routes(routes!(meta::version))
        .routes(routes!(meta::openapi))
        .routes(routes!(meta::docs))
        .routes(routes!(web::home))
        .routes(routes!(web::widget))
        .routes(routes!(web::agent))
        .routes(routes!(web::admin))
        .routes(routes!(web::monitor))
        .routes(routes!(web::demo))
        .routes(routes!(web::asset))
        .merge(handlers::files::download_router())
        .nest("/api", api)
        .merge(crate::ws::router())
        .split_for_parts();

    router
        .layer(Extension(Arc::new(doc)))
        .with_state(state)
        // Router::layer turns each layer's answer back into an axum Response, so the
        // error-shaping step below sees the 408 and 413 these produce.
        .layer(axum::middleware::from_fn(text_input::refuse_control_chars))
        .layer(from_fn_with_state(
            body_limit::BodyLimits {
                default: config.server.body_limit_bytes,
                upload: config.storage.max_file_bytes,
            },
            body_limit::limit,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.server.request_timeout_secs),
        ))
        .layer(map_response(error_shape::json_errors))
        .layer(axum::middleware::from_fn(request_metrics::record))
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
