//! `/api/auth/sso`: single sign-on with the tenant's OpenID provider, as a browser does it.
//!
//! 1. The login page asks `GET /api/auth/sso?tenant=<id>` whether to show the button.
//! 2. The button goes to `GET /api/auth/sso/<tenant id>/start?app=agent|admin`: 302 to the
//!    provider, with the state in a short-lived HttpOnly cookie.
//! 3. The provider sends the browser to `GET /api/auth/sso/callback`: 303 back to the app
//!    with `#sso=<one-time code>` (or `#sso_error=<code>&sso_message=<text>`) in the URL
//!    fragment, which browsers never send to a server.
//! 4. The app trades the code at `POST /api/auth/sso/exchange` for the same answer as
//!    `POST /api/auth/login`.

use axum::extract::{Path, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{SessionView, TwoFactorRequiredView};
use super::views::StdErrors;
use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::AppState;
use crate::service::auth::LoginOutcome;
use crate::service::sso::{Callback, CallbackInput, SsoFailure, APPS, STATE_TTL_SECS};

const STATE_COOKIE: &str = "uc_sso_state";
const COOKIE_PATH: &str = "/api/auth/sso";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sso_button))
        .routes(routes!(start))
        .routes(routes!(callback))
        .routes(routes!(exchange))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ButtonQuery {
    /// Tenant id.
    pub tenant: String,
}

/// Whether a tenant offers single sign-on. Nothing secret: unknown tenants answer like
/// tenants without it.
#[derive(Serialize, ToSchema)]
pub struct SsoButtonView {
    pub enabled: bool,
    /// The button says "Sign in with <display_name>".
    pub display_name: String,
    /// Where the button goes (add `?app=admin` to come back to the admin console).
    pub start_url: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StartQuery {
    /// Where the browser comes back: `agent` (default) or `admin`.
    #[serde(default)]
    pub app: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    /// Set by the provider when it refused the sign-in.
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// The provider's issuer (RFC 9207); when sent, it must be the tenant's provider.
    pub iss: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeBody {
    /// The one-time code from the `#sso=` fragment; works once, for 60 seconds.
    pub code: String,
}

/// Does this tenant offer single sign-on?
#[utoipa::path(get, path = "/sso", tag = "auth", params(ButtonQuery),
    responses((status = 200, body = SsoButtonView), StdErrors))]
async fn sso_button(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ButtonQuery>,
) -> ApiResult<Json<SsoButtonView>> {
    let button = state.sso.button(&q.tenant).await?;
    Ok(Json(SsoButtonView {
        start_url: button.enabled.then(|| {
            let tenant: String =
                url::form_urlencoded::byte_serialize(q.tenant.as_bytes()).collect();
            format!("/api/auth/sso/{tenant}/start")
        }),
        enabled: button.enabled,
        display_name: button.display_name,
    }))
}

/// Start single sign-on at the tenant's provider: 302 there. When the tenant has no single
/// sign-on or its provider cannot be reached, 303 back to the app with `#sso_error=`.
#[utoipa::path(get, path = "/sso/{tenant}/start", tag = "auth", params(("tenant" = String, Path, description = "Tenant id"), StartQuery),
    responses((status = 302, description = "To the provider's authorization endpoint; sets the `uc_sso_state` cookie"),
        (status = 303, description = "Back to the app with `#sso_error=<code>&sso_message=<text>`"),
        StdErrors))]
async fn start(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    ApiQuery(q): ApiQuery<StartQuery>,
) -> Response {
    let app = q
        .app
        .as_deref()
        .filter(|a| APPS.contains(a))
        .unwrap_or("agent");
    match state.sso.start(&tenant, app).await {
        Ok(started) => {
            let cookie = format!(
                "{STATE_COOKIE}={}; Path={COOKIE_PATH}; Max-Age={STATE_TTL_SECS}; HttpOnly; SameSite=Lax{}",
                started.state,
                secure(&state)
            );
            redirect(StatusCode::FOUND, &started.location, Some(cookie))
        }
        Err(e) => {
            let failure = SsoFailure::from_service_error(e);
            back_with_error(app, &failure, None)
        }
    }
}

/// The provider's answer. Always 303 back to the app: `#sso=<one-time code>` when signed
/// in, `#sso_error=<code>&sso_message=<text>` when not (bad or used state, provider refused
/// or failed, unverified e-mail, no account, disabled account). Clears the state cookie.
#[utoipa::path(get, path = "/sso/callback", tag = "auth", params(CallbackQuery),
    responses((status = 303, description = "Back to the app with `#sso=` or `#sso_error=` in the fragment"),
        StdErrors))]
async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<CallbackQuery>,
) -> Response {
    let cookie_state = cookie(&headers, STATE_COOKIE);
    let outcome = state
        .sso
        .callback(CallbackInput {
            code: q.code.as_deref(),
            state: q.state.as_deref(),
            error: q.error.as_deref(),
            error_description: q.error_description.as_deref(),
            iss: q.iss.as_deref(),
            cookie_state: cookie_state.as_deref(),
        })
        .await;
    let clear = format!(
        "{STATE_COOKIE}=; Path={COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax{}",
        secure(&state)
    );
    match outcome {
        Callback::Done { app, code } => redirect(
            StatusCode::SEE_OTHER,
            &format!("/{app}#sso={code}"),
            Some(clear),
        ),
        Callback::Failed { app, failure } => back_with_error(&app, &failure, Some(clear)),
    }
}

/// Trade the one-time code from the `#sso=` fragment for a session: the same answer as
/// `POST /api/auth/login` (with two-factor sign-in on, its challenge).
#[utoipa::path(post, path = "/sso/exchange", tag = "auth", request_body = ExchangeBody,
    responses((status = 200, body = SessionView,
            description = "Signed in; or, with two-factor sign-in on, `TwoFactorRequiredView`"),
        StdErrors))]
async fn exchange(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ExchangeBody>,
) -> ApiResult<Response> {
    Ok(match state.sso.exchange(&body.code).await? {
        LoginOutcome::Session(session) => Json(SessionView::from(*session)).into_response(),
        LoginOutcome::TwoFactorRequired(challenge) => Json(TwoFactorRequiredView {
            two_factor_required: true,
            challenge,
        })
        .into_response(),
        // A single sign-on names its tenant: never several.
        LoginOutcome::TenantRequired(_) => StatusCode::UNAUTHORIZED.into_response(),
    })
}

fn secure(state: &AppState) -> &'static str {
    if state.config.public_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

fn back_with_error(app: &str, failure: &SsoFailure, cookie: Option<String>) -> Response {
    let message: String =
        url::form_urlencoded::byte_serialize(failure.message.as_bytes()).collect();
    let location = format!("/{app}#sso_error={}&sso_message={message}", failure.code);
    redirect(StatusCode::SEE_OTHER, &location, cookie)
}

fn redirect(status: StatusCode, location: &str, cookie: Option<String>) -> Response {
    let mut response = status.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(location) {
        headers.insert(LOCATION, v);
    }
    if let Some(v) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(SET_COOKIE, v);
    }
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    response
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}
