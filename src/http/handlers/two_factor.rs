//! `/api/auth/2fa`: two-factor sign-in — enrol (setup, enable), turn off, and the second
//! step of a sign-in (verify).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use qrcode::render::svg;
use qrcode::QrCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::SessionView;
use super::views::StdErrors;
use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Authed, AuthedPending};
use crate::http::AppState;
use crate::service::two_factor::Proof;
use crate::service::ServiceError;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(setup))
        .routes(routes!(enable))
        .routes(routes!(disable))
        .routes(routes!(verify))
}

#[derive(Serialize, ToSchema)]
pub struct SetupView {
    /// For the authenticator app; the QR code encodes it.
    #[schema(
        example = "otpauth://totp/uniqchat%20Acme:ann@acme.test?secret=JBSWY3DPEHPK3PXP&issuer=uniqchat%20Acme&algorithm=SHA1&digits=6&period=30"
    )]
    pub otpauth_uri: String,
    /// The shared secret (base32) to type in where a QR code cannot be read. Shown only
    /// until two-factor sign-in is enabled.
    pub secret: String,
    /// The QR code of `otpauth_uri`, as an SVG document.
    pub qr_svg: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    /// The 6-digit code the authenticator app shows now.
    #[schema(example = "123456")]
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodesView {
    /// Ten single-use codes for when the app is lost. Shown this once; only hashes are kept.
    pub recovery_codes: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableBody {
    pub password: String,
    /// A current code from the app; or give `recovery_code` instead.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// From the sign-in answer `{"two_factor_required": true, "challenge"}`; valid 5 minutes.
    pub challenge: String,
    /// A current code from the app; or give `recovery_code` instead.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

/// Exactly one of a code and a recovery code.
fn proof<'a>(
    code: &'a Option<String>,
    recovery: &'a Option<String>,
) -> Result<Proof<'a>, ServiceError> {
    match (code, recovery) {
        (Some(c), None) => Ok(Proof::Code(c)),
        (None, Some(r)) => Ok(Proof::RecoveryCode(r)),
        _ => Err(ServiceError::invalid(
            "code",
            "give either code or recovery_code",
        )),
    }
}

/// Start enrolling in two-factor sign-in: a new secret, as a URI, text and QR code.
#[utoipa::path(post, path = "/2fa/setup", tag = "auth", security(("bearer" = ["chat"])),
    responses((status = 200, body = SetupView),
        (status = 409, description = "Two-factor sign-in is on already (`conflict`)", body = ErrorBody), StdErrors))]
async fn setup(
    State(state): State<AppState>,
    AuthedPending(actor): AuthedPending,
) -> ApiResult<Json<SetupView>> {
    let enrolment = state.auth.two_factor().setup(&actor).await?;
    let qr_svg = QrCode::new(enrolment.otpauth_uri.as_bytes())
        .map_err(|e| ServiceError::Internal(format!("QR code: {e}")))?
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .build();
    Ok(Json(SetupView {
        otpauth_uri: enrolment.otpauth_uri,
        secret: enrolment.secret,
        qr_svg,
    }))
}

/// Turn two-factor sign-in on with a code from the app; answers the recovery codes once.
/// A session limited to enrolment (`two_factor_enrolment_required`) then refreshes at
/// /api/auth/refresh for a full one.
#[utoipa::path(post, path = "/2fa/enable", tag = "auth", request_body = CodeBody, security(("bearer" = ["chat"])),
    responses((status = 200, body = RecoveryCodesView),
        (status = 409, description = "No enrolment started with /2fa/setup, or two-factor sign-in is on already (`conflict`)", body = ErrorBody), StdErrors))]
async fn enable(
    State(state): State<AppState>,
    AuthedPending(actor): AuthedPending,
    ApiJson(body): ApiJson<CodeBody>,
) -> ApiResult<Json<RecoveryCodesView>> {
    let recovery_codes = state.auth.two_factor().enable(&actor, &body.code).await?;
    Ok(Json(RecoveryCodesView { recovery_codes }))
}

/// Turn two-factor sign-in off (password and a code or recovery code).
#[utoipa::path(post, path = "/2fa/disable", tag = "auth", request_body = DisableBody, security(("bearer" = ["chat"])),
    responses((status = 204, description = "Two-factor sign-in is off"),
        (status = 409, description = "Two-factor sign-in was not on, or the tenant requires it (`conflict`)", body = ErrorBody), StdErrors))]
async fn disable(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(body): ApiJson<DisableBody>,
) -> ApiResult<StatusCode> {
    let proof = proof(&body.code, &body.recovery_code)?;
    state
        .auth
        .two_factor()
        .disable(&actor, &body.password, proof)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Second step of a sign-in with two-factor on: the challenge and a code (5 tries per
/// challenge and per account every 15 minutes).
#[utoipa::path(post, path = "/2fa/verify", tag = "auth", request_body = VerifyBody,
    responses((status = 200, body = SessionView), StdErrors))]
async fn verify(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<VerifyBody>,
) -> ApiResult<Json<SessionView>> {
    let proof = proof(&body.code, &body.recovery_code)?;
    let session = state.auth.verify_two_factor(&body.challenge, proof).await?;
    Ok(Json(session.into()))
}
