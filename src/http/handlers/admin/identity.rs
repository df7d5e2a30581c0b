//! The identity-verification secret: the site's backend signs its users' ids with it.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiResult;
use crate::http::extract::Authed;
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(reveal))
        .routes(routes!(regenerate))
}

#[derive(Serialize, ToSchema)]
pub struct IdentitySecretView {
    /// Compute `hex(HMAC-SHA256(secret, user_id))` on your server and pass it to
    /// `uniqchat('identify', {user_id, user_hash, …})`. Keep it on your server.
    pub secret: String,
}

/// Reveal the identity-verification secret (made on first use). Owners and admins only (not
/// API tokens).
#[utoipa::path(get, path = "/identity-secret", tag = "admin", security(("bearer" = ["identity:write"])),
    responses((status = 200, body = IdentitySecretView), StdErrors))]
async fn reveal(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<IdentitySecretView>> {
    let secret = state.integrations.identity_secret(&actor).await?;
    Ok(Json(IdentitySecretView { secret }))
}

/// Replace the identity-verification secret: hashes made with the old one stop verifying.
#[utoipa::path(post, path = "/identity-secret/regenerate", tag = "admin", security(("bearer" = ["identity:write"])),
    responses((status = 200, body = IdentitySecretView), StdErrors))]
async fn regenerate(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<IdentitySecretView>> {
    let secret = state
        .integrations
        .regenerate_identity_secret(&actor)
        .await?;
    Ok(Json(IdentitySecretView { secret }))
}
