//! `/api/auth`: sign in, refresh, sign out, who am I, change my name, change password.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{StdErrors, UserView};
use crate::http::error::{ApiError, ApiResult, ErrorBody, TenantChoice};
use crate::http::extract::{ApiJson, Authed, AuthedPending, ClientIp};
use crate::http::AppState;
use crate::service::auth::{LoginOutcome, Session};
use crate::service::authz::Permission;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me, update_me))
        .routes(routes!(change_password))
        .merge(super::two_factor::router())
        .merge(super::sso::router())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    #[schema(example = "admin@example.com")]
    pub email: String,
    pub password: String,
    /// Tenant id: needed only when the answer was 409 `tenant_required` (the e-mail and
    /// password match accounts in several tenants); pick one of the tenants it listed.
    #[serde(default)]
    pub tenant: Option<String>,
}

/// Sign-in answer for an account with two-factor sign-in on: complete it at
/// `POST /api/auth/2fa/verify`.
#[derive(Serialize, ToSchema)]
pub struct TwoFactorRequiredView {
    pub two_factor_required: bool,
    /// Short-lived (5 minutes) token naming this sign-in attempt.
    pub challenge: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    pub refresh_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    /// Short-lived JWT: send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Single-use: trade it at /api/auth/refresh for a new pair before the access token expires.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// True after signing in with a one-time password: until it is changed at
    /// /api/auth/password, every other route answers 403 `password_change_required`.
    pub password_change_required: bool,
    /// True when the tenant requires two-factor sign-in and this account has not set it up:
    /// until it is turned on (/api/auth/2fa/setup, /api/auth/2fa/enable) and the session
    /// refreshed, every other route answers 403 `two_factor_enrolment_required`.
    pub two_factor_enrolment_required: bool,
    pub user: UserView,
}

impl From<Session> for SessionView {
    fn from(s: Session) -> Self {
        SessionView {
            access_token: s.access_token,
            refresh_token: s.refresh_token,
            expires_in: s.expires_in,
            token_type: "Bearer",
            password_change_required: s.user.must_change_password,
            two_factor_enrolment_required: s.two_factor_enrolment_required,
            user: s.user.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TenantView {
    pub id: String,
    pub name: String,
    /// The public key in the widget snippet.
    pub site_key: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeView {
    pub user: UserView,
    pub tenant: TenantView,
    /// What this account may do, e.g. `chat`, `users:write`.
    pub permissions: Vec<&'static str>,
    /// Whether signing in asks for a code from an authenticator app (`/api/auth/2fa/*`).
    pub two_factor_enabled: bool,
    /// Whether the tenant requires two-factor sign-in of every account.
    pub two_factor_required: bool,
}

/// What you may change about yourself.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    /// Your display name, 1 to 200 characters (trimmed); visitors see it beside your answers.
    #[schema(example = "Ann Lee")]
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    pub current_password: String,
    pub new_password: String,
}

/// Sign in with e-mail and password. An e-mail is unique per tenant; when the password
/// matches accounts in several tenants the answer is 409 `tenant_required` listing them.
#[utoipa::path(post, path = "/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = SessionView,
            description = "Signed in; or, with two-factor sign-in on, `TwoFactorRequiredView`"),
        (status = 409, body = ErrorBody,
            description = "`tenant_required`: the e-mail and password match accounts in several tenants; send `tenant`"),
        StdErrors))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    let outcome = state
        .auth
        .login(&body.email, &body.password, body.tenant.as_deref(), ip)
        .await?;
    Ok(match outcome {
        LoginOutcome::Session(session) => Json(SessionView::from(*session)).into_response(),
        LoginOutcome::TenantRequired(tenants) => {
            return Err(ApiError {
                tenants: tenants
                    .into_iter()
                    .map(|t| TenantChoice {
                        id: t.id,
                        name: t.name,
                    })
                    .collect(),
                ..ApiError::new(
                    StatusCode::CONFLICT,
                    "tenant_required",
                    "this e-mail has accounts in several tenants: choose one",
                )
            })
        }
        LoginOutcome::TwoFactorRequired(challenge) => Json(TwoFactorRequiredView {
            two_factor_required: true,
            challenge,
        })
        .into_response(),
    })
}

/// Trade a refresh token for a new access and refresh token.
#[utoipa::path(post, path = "/refresh", tag = "auth", request_body = RefreshBody,
    responses((status = 200, body = SessionView), StdErrors))]
async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> ApiResult<Json<SessionView>> {
    Ok(Json(state.auth.refresh(&body.refresh_token).await?.into()))
}

/// End the session the refresh token belongs to.
#[utoipa::path(post, path = "/logout", tag = "auth", request_body = RefreshBody,
    responses((status = 204, description = "Signed out"), StdErrors))]
async fn logout(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> ApiResult<StatusCode> {
    state.auth.logout(&body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account, its tenant and its permissions.
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = ["chat"])),
    responses((status = 200, body = MeView), StdErrors))]
async fn me(
    State(state): State<AppState>,
    AuthedPending(actor): AuthedPending,
) -> ApiResult<Json<MeView>> {
    let (user, tenant) = state.auth.me(&actor).await?;
    let two_factor_enabled = state.auth.two_factor().is_on(&user).await?;
    let permissions = Permission::all()
        .filter(|p| actor.allows(*p))
        .map(Permission::as_str)
        .collect();
    Ok(Json(MeView {
        user: user.into(),
        tenant: TenantView {
            id: tenant.id,
            name: tenant.name,
            site_key: tenant.site_key.clone(),
        },
        permissions,
        two_factor_enabled,
        two_factor_required: tenant.require_two_factor,
    }))
}

/// Change your own name; answers your account as it is now.
#[utoipa::path(patch, path = "/me", tag = "auth", request_body = ProfileBody, security(("bearer" = ["chat"])),
    responses((status = 200, body = UserView), StdErrors))]
async fn update_me(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<ProfileBody>,
) -> ApiResult<Json<UserView>> {
    let user = state.accounts.rename_self(&actor, &body.name).await?;
    Ok(Json(user.into()))
}

/// Change your own password; every other session of the account ends.
#[utoipa::path(post, path = "/password", tag = "auth", request_body = PasswordBody, security(("bearer" = ["chat"])),
    responses((status = 204, description = "Password changed"), StdErrors))]
async fn change_password(
    State(state): State<AppState>,
    AuthedPending(actor): AuthedPending,
    ApiJson(body): ApiJson<PasswordBody>,
) -> ApiResult<StatusCode> {
    state
        .auth
        .change_password(&actor, &body.current_password, &body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
