//! Files in conversations: uploads (visitor and agent), fresh signed links, and the download
//! that a signed link opens.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{ApiQuery, Authed, VisitorAuthed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::files::{Linked, Variant};

/// `/api/visitor/...` routes.
pub fn visitor_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(visitor_upload))
        .routes(routes!(visitor_link))
}

/// `/api/agent/...` routes.
pub fn agent_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(agent_upload))
        .routes(routes!(agent_link))
}

/// `/files/{id}`: the download a signed link opens.
pub fn download_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name, for display only (its path is dropped; it never names storage).
    pub name: Option<String>,
}

/// A stored file and links to it that work until `expires_at`.
#[derive(Serialize, ToSchema)]
pub struct FileView {
    pub id: String,
    pub conversation_id: String,
    /// `image` (re-encoded, shown inline) or `file` (served only as a download).
    pub kind: String,
    pub name: String,
    /// Detected from the content, never from the name.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// Images only (0 otherwise).
    pub width: i32,
    pub height: i32,
    /// A signed link, relative to the server: `/files/{id}?exp=…&sig=…`.
    pub url: String,
    /// Images larger than 320 px: a signed link to a 320 px thumbnail.
    pub thumbnail_url: Option<String>,
    /// Unix seconds when the links stop working; ask for fresh ones with GET …/files/{id}.
    pub expires_at: i64,
    pub created_at: DateTime<Utc>,
}

impl From<Linked> for FileView {
    fn from(l: Linked) -> Self {
        let a = l.attachment;
        let image = crate::service::files::is_inline(&a.content_type);
        FileView {
            kind: if image { "image" } else { "file" }.to_string(),
            id: a.id,
            conversation_id: a.conversation_id,
            name: a.name,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            width: a.width,
            height: a.height,
            url: l.url,
            thumbnail_url: l.thumbnail_url,
            expires_at: l.expires_at,
            created_at: a.created_at,
        }
    }
}

/// The errors of an upload besides those of every route.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum UploadErrors {
    /// The conversation is closed, or has as many files as it may.
    #[response(status = 409)]
    Conflict(ErrorBody),
}

async fn body_bytes(state: &AppState, req: Request) -> ApiResult<Bytes> {
    // The router's body limit already stops a body over storage.max_file_bytes; this one (not
    // axum's 2 MB default) says so again for the bytes read here.
    let limit = state.files.max_bytes();
    axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|e| {
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(err) = source {
                if err.is::<http_body_util::LengthLimitError>() {
                    return ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        format!("a file may have at most {limit} bytes"),
                    );
                }
                source = err.source();
            }
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "the body could not be read",
            )
        })
}

/// Attach a file to your conversation: the raw bytes as the body (any Content-Type; the type is
/// judged by the content). Images are re-encoded without metadata. Then send a `send` frame with
/// `attachment_id` to post it (docs/protocol.md).
#[utoipa::path(post, path = "/conversations/{id}/files", tag = "visitor", params(("id" = String, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(("bearer" = [])),
    responses((status = 201, body = FileView), StdErrors, UploadErrors))]
async fn visitor_upload(
    State(state): State<AppState>,
    VisitorAuthed(who): VisitorAuthed,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    req: Request,
) -> ApiResult<(StatusCode, Json<FileView>)> {
    let bytes = body_bytes(&state, req).await?;
    let name = q.name.unwrap_or_default();
    let linked = state.files.upload(&who, &id, &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(linked.into())))
}

/// Fresh signed links to a file of your conversation.
#[utoipa::path(get, path = "/files/{id}", tag = "visitor", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = FileView), StdErrors))]
async fn visitor_link(
    State(state): State<AppState>,
    VisitorAuthed(who): VisitorAuthed,
    Path(id): Path<String>,
) -> ApiResult<Json<FileView>> {
    Ok(Json(state.files.link(&who, &id).await?.into()))
}

/// Attach a file to a conversation of your tenant (as for visitors: the raw bytes as the body).
#[utoipa::path(post, path = "/conversations/{id}/files", tag = "agent", params(("id" = String, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(("bearer" = ["chat"])),
    responses((status = 201, body = FileView), StdErrors, UploadErrors))]
async fn agent_upload(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    req: Request,
) -> ApiResult<(StatusCode, Json<FileView>)> {
    let who = state.chat.agent(&actor).await?;
    let bytes = body_bytes(&state, req).await?;
    let name = q.name.unwrap_or_default();
    let linked = state.files.upload(&who, &id, &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(linked.into())))
}

/// Fresh signed links to a file of a conversation of your tenant.
#[utoipa::path(get, path = "/files/{id}", tag = "agent", params(("id" = String, Path)), security(("bearer" = ["chat"])),
    responses((status = 200, body = FileView), StdErrors))]
async fn agent_link(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<FileView>> {
    let who = state.chat.agent(&actor).await?;
    Ok(Json(state.files.link(&who, &id).await?.into()))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// Unix seconds after which the link stops working.
    pub exp: i64,
    pub sig: String,
    /// The thumbnail rather than the file.
    pub thumb: Option<bool>,
}

/// Sandbox for anything a browser might open: no script, no plugin, no request of its own.
const FILE_CSP: &str = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";

/// A file, by a signed link from FileView. Re-encoded images (PNG, JPEG, GIF, WebP) are served
/// inline; every other type only as an attachment. Always `X-Content-Type-Options: nosniff` and
/// a sandboxing Content-Security-Policy.
#[utoipa::path(get, path = "/files/{id}", tag = "files", params(("id" = String, Path), LinkQuery),
    responses((status = 200, description = "The file's bytes: a re-encoded image with its type, anything else as application/octet-stream",
            content((Vec<u8> = "application/octet-stream"), (Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"),
                (Vec<u8> = "image/gif"), (Vec<u8> = "image/webp"))),
        (status = 400, description = "Missing or malformed exp or sig", body = ErrorBody),
        (status = 403, description = "The signature is not for this file, or the link has expired", body = ErrorBody),
        (status = 404, description = "No such file", body = ErrorBody),
        (status = 422, description = "A control character in the path or query", body = ErrorBody)))]
async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<LinkQuery>,
) -> ApiResult<Response> {
    let variant = if q.thumb.unwrap_or(false) {
        Variant::Thumbnail
    } else {
        Variant::Original
    };
    let d = state.files.download(&id, q.exp, &q.sig, variant).await?;
    let content_type = if d.inline {
        d.content_type.as_str()
    } else {
        // Never a type a browser would render or run.
        "application/octet-stream"
    };
    let mut response = Body::from(d.bytes).into_response();
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    set(h, header::CONTENT_TYPE, content_type);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::CONTENT_SECURITY_POLICY, FILE_CSP);
    set(h, header::CACHE_CONTROL, "private, max-age=3600");
    let disposition = if d.inline { "inline" } else { "attachment" };
    set(
        h,
        header::CONTENT_DISPOSITION,
        &format!(
            "{disposition}; filename=\"{}\"; filename*=UTF-8''{}",
            ascii_name(&d.attachment.name),
            percent_encode(&d.attachment.name)
        ),
    );
    Ok(response)
}

/// The name with anything but plain printable ASCII (and quotes, backslashes) as `_`.
fn ascii_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// RFC 5987 encoding for `filename*`.
fn percent_encode(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
