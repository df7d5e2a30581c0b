//! `/api/admin/sso`: the tenant's single sign-on provider (OpenID Connect).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::sso::{SsoSettings, SsoSettingsInput};
use crate::store::Role;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_sso, put_sso))
}

/// The tenant's single sign-on settings. The client secret is never returned.
#[derive(Serialize, ToSchema)]
pub struct SsoView {
    pub enabled: bool,
    /// The sign-in button says "Sign in with <display_name>".
    #[schema(example = "Okta")]
    pub display_name: String,
    /// The provider's issuer URL; `{issuer}/.well-known/openid-configuration` must answer.
    #[schema(example = "https://example.okta.com")]
    pub issuer: String,
    pub client_id: String,
    /// Whether a client secret is stored (it is write-only).
    pub has_client_secret: bool,
    /// Space-separated; always includes `openid`.
    #[schema(example = "openid email profile")]
    pub scopes: String,
    /// A verified e-mail without an account in this tenant gets one, with `default_role`.
    pub auto_provision: bool,
    #[schema(value_type = String, example = "agent")]
    pub default_role: Role,
    /// Only e-mails at these domains may sign in this way (empty: any).
    pub allowed_domains: Vec<String>,
    /// Register this redirect URI at the provider.
    #[schema(example = "https://chat.example.com/api/auth/sso/callback")]
    pub redirect_uri: String,
}

impl From<SsoSettings> for SsoView {
    fn from(s: SsoSettings) -> Self {
        SsoView {
            enabled: s.enabled,
            display_name: s.display_name,
            issuer: s.issuer,
            client_id: s.client_id,
            has_client_secret: s.has_client_secret,
            scopes: s.scopes,
            auto_provision: s.auto_provision,
            default_role: s.default_role,
            allowed_domains: s.allowed_domains,
            redirect_uri: s.redirect_uri,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoBody {
    pub enabled: bool,
    /// 1 to 100 characters.
    pub display_name: String,
    /// http(s) URL without query or fragment.
    pub issuer: String,
    pub client_id: String,
    /// Write-only. Leave out to keep the stored secret; `""` removes it (a public client,
    /// PKCE only).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Space-separated; default `openid email profile`; `openid` is added when missing.
    #[serde(default)]
    pub scopes: Option<String>,
    #[serde(default)]
    pub auto_provision: bool,
    /// `agent` (default) or `admin`; never `owner`.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "agent")]
    pub default_role: Option<Role>,
    #[serde(default)]
    pub allowed_domains: Vec<String>,
}

/// The tenant's single sign-on settings.
#[utoipa::path(get, path = "/sso", tag = "admin", security(("bearer" = ["settings:read"])),
    responses((status = 200, body = SsoView), StdErrors))]
async fn get_sso(State(state): State<AppState>, Authed(actor): Authed) -> ApiResult<Json<SsoView>> {
    Ok(Json(state.sso.settings(&actor).await?.into()))
}

/// Replace the tenant's single sign-on settings. With `enabled: true` the provider's
/// discovery document and keys are fetched first; a provider that does not answer as one
/// is refused with 502 `upstream_failed` and nothing changes.
#[utoipa::path(put, path = "/sso", tag = "admin", request_body = SsoBody, security(("bearer" = ["settings:write"])),
    responses((status = 200, body = SsoView),
        (status = 502, description = "The issuer does not answer as an OpenID provider (`upstream_failed`)", body = ErrorBody),
        StdErrors))]
async fn put_sso(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<SsoBody>,
) -> ApiResult<Json<SsoView>> {
    let input = SsoSettingsInput {
        enabled: body.enabled,
        display_name: body.display_name,
        issuer: body.issuer,
        client_id: body.client_id,
        client_secret: body.client_secret,
        scopes: body.scopes,
        auto_provision: body.auto_provision,
        default_role: body.default_role.unwrap_or(Role::Agent),
        allowed_domains: body.allowed_domains,
    };
    Ok(Json(state.sso.save_settings(&actor, input).await?.into()))
}
