//! `/api/admin/mail`: the tenant's SMTP settings, a test mail, the mail outbox (docs/mail.md).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiQuery, Authed};
use crate::http::handlers::views::StdErrors;
use crate::http::AppState;
use crate::service::mail::{MailSettingsInput, MailSettingsView};
use crate::store::MailRow;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_mail, put_mail))
        .routes(routes!(test_mail))
        .routes(routes!(list_outbox))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailSettingsBody {
    /// The SMTP server's host name or address.
    #[schema(example = "smtp.example.com")]
    pub host: String,
    /// 1 to 65535 (587 for STARTTLS, 465 for TLS, 25 without).
    pub port: i64,
    /// `none`, `starttls` (upgrade a plain connection, required) or `tls` (TLS from the start).
    #[schema(example = "starttls")]
    pub tls: String,
    #[serde(default)]
    pub username: String,
    /// Write-only. Absent: keep the stored one; `""`: remove it; else replace it.
    pub password: Option<String>,
    #[schema(example = "support@example.com")]
    pub from_address: String,
    #[serde(default)]
    pub from_name: String,
    /// Where offline alerts go; empty: to the agents of the conversation's group (or tenant).
    #[serde(default)]
    pub team_address: String,
    /// Send the visitor the transcript when a conversation closes (if they left an address).
    #[serde(default)]
    pub transcript_on_close: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MailSettingsResponse {
    /// False until settings are saved: nothing is sent before.
    pub configured: bool,
    pub host: String,
    pub port: u16,
    pub tls: String,
    pub username: String,
    /// Whether a password is stored (it is never shown).
    pub password_set: bool,
    pub from_address: String,
    pub from_name: String,
    pub team_address: String,
    pub transcript_on_close: bool,
}

impl From<MailSettingsView> for MailSettingsResponse {
    fn from(v: MailSettingsView) -> Self {
        MailSettingsResponse {
            configured: v.configured,
            host: v.host,
            port: v.port,
            tls: v.tls,
            username: v.username,
            password_set: v.password_set,
            from_address: v.from_address,
            from_name: v.from_name,
            team_address: v.team_address,
            transcript_on_close: v.transcript_on_close,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestMailBody {
    /// Where the test mail goes.
    #[schema(example = "me@example.com")]
    pub to: String,
}

#[derive(Serialize, ToSchema)]
pub struct MailView {
    pub id: String,
    /// `test`, `offline_alert`, `reply`, `transcript` or `digest`.
    pub kind: String,
    pub conversation_id: Option<String>,
    pub recipient: String,
    pub subject: String,
    /// `en` or `zh`.
    pub language: String,
    /// The `Message-ID` header, the same on every attempt.
    pub message_id: String,
    /// `pending`, `sent` or `dead`.
    pub status: String,
    pub attempts: i32,
    /// When it is (or was) next tried.
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<MailRow> for MailView {
    fn from(m: MailRow) -> Self {
        MailView {
            id: m.id,
            kind: m.kind,
            conversation_id: m.conversation_id,
            recipient: m.recipient,
            subject: m.subject,
            language: m.language,
            message_id: m.message_id,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_attempt_at: m.last_attempt_at,
            sent_at: m.sent_at,
            last_error: m.error,
            created_at: m.created_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only mails older than this mail id (the last one of the previous page).
    pub before: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// The tenant's SMTP settings; the password is never returned (`password_set` says whether one
/// is stored).
#[utoipa::path(get, path = "/mail", tag = "admin", security(("bearer" = ["settings:read"])),
    responses((status = 200, body = MailSettingsResponse), StdErrors))]
async fn get_mail(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> ApiResult<Json<MailSettingsResponse>> {
    Ok(Json(state.mail.settings(&actor).await?.into()))
}

/// Replace the SMTP settings. Bad input (port 0, an unknown TLS mode, a bad address, control
/// characters) is refused with 422 and changes nothing.
#[utoipa::path(put, path = "/mail", tag = "admin", request_body = MailSettingsBody, security(("bearer" = ["mail:write"])),
    responses((status = 200, body = MailSettingsResponse), StdErrors))]
async fn put_mail(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(b): ApiJson<MailSettingsBody>,
) -> ApiResult<Json<MailSettingsResponse>> {
    let input = MailSettingsInput {
        host: b.host,
        port: b.port,
        tls: b.tls,
        username: b.username,
        password: b.password,
        from_address: b.from_address,
        from_name: b.from_name,
        team_address: b.team_address,
        transcript_on_close: b.transcript_on_close,
    };
    Ok(Json(
        state.mail.update_settings(&actor, input).await?.into(),
    ))
}

/// Queue a test mail to `to`; the worker sends it (watch the outbox).
#[utoipa::path(post, path = "/mail/test", tag = "admin", request_body = TestMailBody, security(("bearer" = ["mail:write"])),
    responses((status = 202, body = MailView),
    (status = 409, description = "No SMTP settings saved yet (`conflict`)", body = ErrorBody), StdErrors))]
async fn test_mail(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiJson(b): ApiJson<TestMailBody>,
) -> ApiResult<(StatusCode, Json<MailView>)> {
    let row = state.mail.send_test(&actor, &b.to).await?;
    Ok((StatusCode::ACCEPTED, Json(row.into())))
}

/// The mail outbox, newest first: status, attempts, last error.
#[utoipa::path(get, path = "/mail/outbox", tag = "admin", params(OutboxQuery), security(("bearer" = ["settings:read"])),
    responses((status = 200, body = Vec<MailView>), StdErrors))]
async fn list_outbox(
    State(state): State<AppState>,
    Authed(actor): Authed,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<Vec<MailView>>> {
    let list = state
        .mail
        .outbox(&actor, q.before.as_deref(), q.limit)
        .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}
