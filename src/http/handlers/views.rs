//! Shapes shared by several endpoints.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::{IntoResponses, ToSchema};

use crate::http::error::ErrorBody;
use crate::service::page::Page;
use crate::store::{AgentStatus, Group, Role, User};

/// An account as the API shows it (never its password hash).
#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    #[schema(value_type = String, example = "agent")]
    pub role: Role,
    /// Concurrent conversations this agent takes.
    pub max_chats: i32,
    #[schema(value_type = String, example = "offline")]
    pub status: AgentStatus,
    pub disabled: bool,
    /// The password was set by someone else and must be changed.
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            max_chats: u.max_chats,
            status: u.status,
            disabled: u.disabled,
            must_change_password: u.must_change_password,
            created_at: u.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GroupView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

impl From<Group> for GroupView {
    fn from(g: Group) -> Self {
        GroupView {
            id: g.id,
            name: g.name,
            description: g.description,
            created_at: g.created_at,
        }
    }
}

/// One page of a list; pass `next_cursor` back as `cursor` for the next one.
#[derive(Serialize, ToSchema)]
pub struct PageOf<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> PageOf<T> {
    pub fn from_page<S>(page: Page<S>, f: impl FnMut(S) -> T) -> Self {
        let page = page.map(f);
        PageOf {
            items: page.items,
            next_cursor: page.next_cursor,
        }
    }
}

/// The error answers every authenticated endpoint can give.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum StdErrors {
    /// Malformed JSON, a body that is not a JSON object, wrong types, missing or unknown
    /// fields, or malformed query parameters.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No, an invalid, an expired or a revoked token, or a disabled account.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The role (or the API token's scopes) does not allow this.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such resource in the caller's tenant (another tenant's ids answer the same).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The body is over `server.body_limit_bytes`.
    #[response(status = 413)]
    PayloadTooLarge(ErrorBody),
    /// A body sent without `Content-Type: application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// A field is invalid; `error.fields` says which and why.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Too many requests; see Retry-After.
    #[response(status = 429)]
    RateLimited(ErrorBody),
}
