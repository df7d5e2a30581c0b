use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::store::ApiToken;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenBody {
    pub name: String,
    /// Permissions the token carries, e.g. `users:read`, `blacklist:write`.
    pub scopes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiTokenView {
    pub id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiToken> for ApiTokenView {
    fn from(t: ApiToken) -> Self {
        ApiTokenView {
            scopes: serde_json::from_str(&t.scopes).unwrap_or_default(),
            id: t.id,
            name: t.name,
            created_by: t.created_by,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedTokenView {
    #[serde(flatten)]
    pub token: ApiTokenView,
    /// The secret to send as `Authorization: Bearer …`. Shown this once; it cannot be read again.
    pub secret: String,
}

/// API tokens for integrations (their secrets are never shown again).
#[utoipa::path(get, path = "/api-tokens", tag = "admin", security(("bearer" = ["api_tokens:write"])),
    responses((status = 200, body = Vec<ApiTokenView>), StdErrors))]
async fn list_tokens(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<Vec<ApiTokenView>>> {
    let list = state.admin.list_api_tokens(&actor).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Create an API token; the answer holds its secret, once.
#[utoipa::path(post, path = "/api-tokens", tag = "admin", request_body = CreateTokenBody, security(("bearer" = ["api_tokens:write"])),
    responses((status = 201, body = CreatedTokenView), StdErrors))]
async fn create_token(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<CreateTokenBody>,
) -> ApiResult<(StatusCode, Json<CreatedTokenView>)> {
    let created = state
        .admin
        .create_api_token(&actor, &body.name, &body.scopes)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenView {
            token: created.token.into(),
            secret: created.secret,
        }),
    ))
}

/// Revoke an API token: it stops working at once.
#[utoipa::path(delete, path = "/api-tokens/{id}", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = ["api_tokens:write"])), responses((status = 204, description = "Revoked"), StdErrors))]
async fn revoke_token(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.admin.revoke_api_token(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
