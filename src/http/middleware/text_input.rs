//! Refuses control characters in the request path and query string, before any route sees
//! them: a NUL in an id or a filter would otherwise reach the database (PostgreSQL refuses
//! it with an error, SQLite stores it). JSON bodies are checked by `ApiJson`.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::error::ApiError;
use crate::service::validate::{allowed_char, CONTROL_CHARS};
use crate::service::ServiceError;

pub async fn refuse_control_chars(req: Request, next: Next) -> Response {
    if let Some(field) = refused_field(req.uri().path(), req.uri().query()) {
        return ApiError::from(ServiceError::invalid(field, CONTROL_CHARS)).into_response();
    }
    next.run(req).await
}

/// `path`, or the name of the first query parameter whose name or value holds a refused
/// character after percent-decoding.
fn refused_field(path: &str, query: Option<&str>) -> Option<String> {
    if !clean(&decode(path, false)) {
        return Some("path".into());
    }
    for pair in query.unwrap_or("").split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(key, true);
        if !clean(&key) || !clean(&decode(value, true)) {
            return Some(if clean(&key) { key } else { "query".into() });
        }
    }
    None
}

fn clean(s: &str) -> bool {
    s.chars().all(allowed_char)
}

/// Percent-decoding (and `+` as space in query strings); invalid UTF-8 is replaced, so what a
/// handler would see is what is checked.
fn decode(raw: &str, plus_is_space: bool) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let hex = |c: u8| (c as char).to_digit(16);
        if b == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if plus_is_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_control_characters_in_path_and_query() {
        assert_eq!(
            refused_field("/api/admin/users/abc", Some("limit=5&q=a+b%20c")),
            None
        );
        assert_eq!(refused_field("/api/x/%00", None).as_deref(), Some("path"));
        assert_eq!(
            refused_field("/api/x", Some("limit=5&cursor=a%00b")).as_deref(),
            Some("cursor")
        );
        assert_eq!(
            refused_field("/api/x", Some("a%01=1")).as_deref(),
            Some("query")
        );
        assert_eq!(refused_field("/api/x", Some("q=%0A%09%0D")), None);
        assert_eq!(
            refused_field("/api/x", Some("q=%C2%85")).as_deref(),
            Some("q")
        );
        assert_eq!(refused_field("/api/x", Some("q=100%")), None);
    }
}
