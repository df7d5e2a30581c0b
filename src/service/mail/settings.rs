//! What admins do with the tenant's mail: read and change the SMTP settings (the password is
//! write-only), send a test mail through the outbox, read the outbox.

use chrono::Utc;

use super::{password_purpose, MailService};
use crate::service::authz::{Actor, Permission};
use crate::service::{validate, Checks, ServiceError, ServiceResult};
use crate::store::{MailRow, MailSettings, NewMail};

pub const TLS_MODES: [&str; 3] = ["none", "starttls", "tls"];

/// The settings as the API shows them: never the password, only whether one is stored.
pub struct MailSettingsView {
    pub configured: bool,
    pub host: String,
    pub port: u16,
    pub tls: String,
    pub username: String,
    pub password_set: bool,
    pub from_address: String,
    pub from_name: String,
    pub team_address: String,
    pub transcript_on_close: bool,
}

/// A full replacement of the settings. `password`: `None` keeps the stored one, `Some("")`
/// removes it, anything else replaces it.
pub struct MailSettingsInput {
    pub host: String,
    pub port: i64,
    pub tls: String,
    pub username: String,
    pub password: Option<String>,
    pub from_address: String,
    pub from_name: String,
    pub team_address: String,
    pub transcript_on_close: bool,
}

fn view(s: Option<MailSettings>) -> MailSettingsView {
    match s {
        Some(s) => MailSettingsView {
            configured: true,
            host: s.host,
            port: u16::try_from(s.port).unwrap_or(0),
            tls: s.tls,
            username: s.username,
            password_set: s.password.is_some(),
            from_address: s.from_address,
            from_name: s.from_name,
            team_address: s.team_address,
            transcript_on_close: s.transcript_on_close,
        },
        None => MailSettingsView {
            configured: false,
            host: String::new(),
            port: 587,
            tls: "starttls".into(),
            username: String::new(),
            password_set: false,
            from_address: String::new(),
            from_name: String::new(),
            team_address: String::new(),
            transcript_on_close: false,
        },
    }
}

/// One line of text: no control characters at all (they would end a mail header).
fn line(checks: &mut Checks, field: &str, value: &str, max: usize, required: bool) -> String {
    let v = value.trim();
    if v.chars().any(char::is_control) {
        checks.fail(field, "must not contain control characters");
    } else if v.chars().count() > max {
        checks.fail(field, format!("must be at most {max} characters"));
    } else if required && v.is_empty() {
        checks.fail(field, "must not be empty");
    }
    v.to_string()
}

fn address(checks: &mut Checks, field: &str, value: &str, required: bool) -> String {
    let v = value.trim();
    if v.is_empty() && !required {
        return String::new();
    }
    match validate::email(v) {
        Ok(e) => e,
        Err(_) => {
            checks.fail(field, format!("'{v}' is not a valid e-mail address"));
            String::new()
        }
    }
}

impl MailService {
    pub async fn settings(&self, actor: &Actor) -> ServiceResult<MailSettingsView> {
        actor.require(Permission::SettingsRead)?;
        Ok(view(self.store.get_mail_settings(&actor.tenant_id).await?))
    }

    pub async fn update_settings(
        &self,
        actor: &Actor,
        input: MailSettingsInput,
    ) -> ServiceResult<MailSettingsView> {
        actor.require(Permission::MailWrite)?;
        let mut checks = Checks::default();
        let host = line(&mut checks, "host", &input.host, 255, true);
        if host.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
            checks.fail("host", "must be a host name or an IP address");
        }
        if !(1..=65535).contains(&input.port) {
            checks.fail("port", "must be 1 to 65535");
        }
        if !TLS_MODES.contains(&input.tls.as_str()) {
            checks.fail("tls", "must be one of: none, starttls, tls");
        }
        let username = line(&mut checks, "username", &input.username, 255, false);
        if let Some(p) = &input.password {
            if p.chars().any(char::is_control) || p.chars().count() > 500 {
                checks.fail(
                    "password",
                    "must be at most 500 characters, without control characters",
                );
            }
        }
        let from_address = address(&mut checks, "from_address", &input.from_address, true);
        let from_name = line(&mut checks, "from_name", &input.from_name, 200, false);
        let team_address = address(&mut checks, "team_address", &input.team_address, false);
        checks.finish()?;
        let tenant_id = actor.tenant_id.clone();
        let stored = self.store.get_mail_settings(&tenant_id).await?;
        let password = match input.password.as_deref() {
            None => stored.and_then(|s| s.password),
            Some("") => None,
            Some(p) => Some(self.sealer.seal(&password_purpose(&tenant_id), p)?),
        };
        let saved = self
            .store
            .put_mail_settings(MailSettings {
                tenant_id,
                host,
                port: input.port as i32,
                tls: input.tls,
                username,
                password,
                from_address,
                from_name,
                team_address,
                transcript_on_close: input.transcript_on_close,
                updated_at: Utc::now(),
            })
            .await?;
        Ok(view(Some(saved)))
    }

    /// Queues a test mail to `to`; the worker sends it like any other.
    pub async fn send_test(&self, actor: &Actor, to: &str) -> ServiceResult<MailRow> {
        actor.require(Permission::MailWrite)?;
        let to = validate::email(to)
            .map_err(|_| ServiceError::invalid("to", "is not a valid e-mail address"))?;
        if self
            .store
            .get_mail_settings(&actor.tenant_id)
            .await?
            .is_none()
        {
            return Err(ServiceError::Conflict(
                "save the SMTP settings before sending a test mail".into(),
            ));
        }
        let tenant = self.store.get_tenant(&actor.tenant_id).await?;
        let row = self
            .store
            .queue_mail(
                &actor.tenant_id,
                NewMail {
                    kind: "test",
                    conversation_id: None,
                    recipient: to,
                    subject: super::render::test_subject(&tenant.name),
                    language: "en".into(),
                    not_before: Utc::now(),
                    domain: self.domain(),
                },
                false,
            )
            .await?;
        row.ok_or_else(|| ServiceError::Internal("the test mail was not queued".into()))
    }

    /// The outbox, newest first.
    pub async fn outbox(
        &self,
        actor: &Actor,
        before: Option<&str>,
        limit: Option<u64>,
    ) -> ServiceResult<Vec<MailRow>> {
        actor.require(Permission::SettingsRead)?;
        let limit = limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ServiceError::invalid("limit", "must be 1 to 200"));
        }
        Ok(self
            .store
            .list_mail(&actor.tenant_id, before, limit)
            .await?)
    }
}
