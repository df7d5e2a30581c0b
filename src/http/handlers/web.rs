//! The browser side, embedded in the binary: the widget script, the agent workspace, the admin
//! console, the demo page and their modules and styles (all under `web/`).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use rust_embed::Embed;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::error::ApiError;
use crate::http::AppState;

#[derive(Embed)]
#[folder = "web/"]
struct Assets;

/// Pages may run only this server's scripts, so a message that smuggles in markup runs nothing.
pub(crate) const PAGE_CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self' ws: wss:; media-src 'self' data:; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// How long a browser keeps a module or style before asking again (with its ETag).
const ASSET_MAX_AGE: &str = "public, max-age=300";

/// Folders under `/assets/`.
const AREAS: [&str; 5] = ["widget", "agent", "admin", "shared", "vendor"];

fn serve(path: &str, cache: &'static str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let file = Assets::get(path).ok_or_else(no_such_file)?;
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        file.data.into_owned().into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if path.ends_with(".html") {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
    }
    Ok(response)
}

fn no_such_file() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such file")
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map_or("", |(_, ext)| ext) {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        _ => "application/octet-stream",
    }
}

fn page(path: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    serve(path, "no-cache", headers)
}

/// The widget, embedded on a site with
/// `<script src="https://HOST/widget.js" data-site-key="KEY" async></script>`.
#[utoipa::path(get, path = "/widget.js", tag = "web",
    responses((status = 200, description = "JavaScript", content_type = "text/javascript")))]
pub async fn widget(headers: HeaderMap) -> Result<Response, ApiError> {
    // Short-lived, so a new release reaches every site within minutes.
    let mut response = serve("widget/widget.js", ASSET_MAX_AGE, &headers)?;
    allow_any_origin(&mut response);
    Ok(response)
}

/// The agent workspace.
#[utoipa::path(get, path = "/agent", tag = "web",
    responses((status = 200, description = "HTML page", content_type = "text/html")))]
pub async fn agent(headers: HeaderMap) -> Result<Response, ApiError> {
    page("agent/index.html", &headers)
}

/// The admin console.
#[utoipa::path(get, path = "/admin", tag = "web",
    responses((status = 200, description = "HTML page", content_type = "text/html")))]
pub async fn admin(headers: HeaderMap) -> Result<Response, ApiError> {
    page("admin/index.html", &headers)
}

/// The live monitor, a full-screen page for a wall display (docs/reports.md).
#[utoipa::path(get, path = "/admin/monitor", tag = "web",
    responses((status = 200, description = "HTML page", content_type = "text/html")))]
pub async fn monitor(headers: HeaderMap) -> Result<Response, ApiError> {
    page("admin/monitor.html", &headers)
}

#[derive(Deserialize, IntoParams)]
pub struct DemoQuery {
    /// The site key of the tenant whose widget the page shows; without it, the oldest tenant's.
    key: Option<String>,
}

/// A plain shop page that embeds the widget as a customer's site would. Without `?key=` it
/// redirects to the same page with the oldest tenant's site key, so `/demo` works as it stands
/// on a fresh installation; before any tenant exists it shows the page without a chat.
#[utoipa::path(get, path = "/demo", tag = "web", params(DemoQuery),
    responses((status = 200, description = "HTML page", content_type = "text/html"),
              (status = 303, description = "to `/demo?key=SITE_KEY` of the oldest tenant")))]
pub async fn demo(
    State(state): State<AppState>,
    Query(q): Query<DemoQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if q.key.as_deref().is_none_or(str::is_empty) {
        if let Some(key) = state.demo.default_site_key().await? {
            let target = format!("/demo?key={}", urlencoding(&key));
            return Ok(Redirect::to(&target).into_response());
        }
    }
    page("demo.html", &headers)
}

/// Percent-encodes everything but unreserved characters (site keys are `sk_` and letters).
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The front door leads agents to their workspace.
#[utoipa::path(get, path = "/", tag = "web", responses((status = 303, description = "to /agent")))]
pub async fn home() -> Redirect {
    Redirect::to("/agent")
}

/// Modules, styles and sounds of the pages.
#[utoipa::path(get, path = "/assets/{area}/{file}", tag = "web",
    params(("area" = String, Path, description = "widget, agent, admin, shared or vendor"),
           ("file" = String, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = crate::http::error::ErrorBody),
        (status = 422, description = "A control character in the path", body = crate::http::error::ErrorBody)))]
pub async fn asset(
    Path((area, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if !AREAS.contains(&area.as_str()) || file.starts_with('.') || file.contains(['/', '\\']) {
        return Err(no_such_file());
    }
    let mut response = serve(&format!("{area}/{file}"), ASSET_MAX_AGE, &headers)?;
    if area == "widget" {
        // The widget's own modules and styles load into customers' sites.
        allow_any_origin(&mut response);
    }
    Ok(response)
}

fn allow_any_origin(response: &mut Response) {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
}
