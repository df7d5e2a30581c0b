//! The admin side: a tenant's provider settings. The client secret is write-only.

use serde_json::json;

use super::SsoService;
use crate::service::authz::{Actor, Permission};
use crate::service::{Checks, ServiceResult};
use crate::store::{NewAudit, Role, SsoProvider};

/// Scopes asked for when none are set.
pub const DEFAULT_SCOPES: &str = "openid email profile";

/// A tenant's single sign-on settings as admins see them: never the client secret.
pub struct SsoSettings {
    pub enabled: bool,
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    pub has_client_secret: bool,
    pub scopes: String,
    pub auto_provision: bool,
    pub default_role: Role,
    pub allowed_domains: Vec<String>,
    /// Register this at the provider.
    pub redirect_uri: String,
}

/// What an admin sends. `client_secret`: `None` keeps the stored one, `Some("")` removes it.
pub struct SsoSettingsInput {
    pub enabled: bool,
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub scopes: Option<String>,
    pub auto_provision: bool,
    pub default_role: Role,
    pub allowed_domains: Vec<String>,
}

impl SsoService {
    pub async fn settings(&self, actor: &Actor) -> ServiceResult<SsoSettings> {
        actor.require(Permission::SettingsRead)?;
        let stored = self.store.get_sso_provider(&actor.tenant_id).await?;
        Ok(match stored {
            Some(p) => self.view(p),
            None => SsoSettings {
                enabled: false,
                display_name: String::new(),
                issuer: String::new(),
                client_id: String::new(),
                has_client_secret: false,
                scopes: DEFAULT_SCOPES.into(),
                auto_provision: false,
                default_role: Role::Agent,
                allowed_domains: Vec::new(),
                redirect_uri: self.redirect_uri.clone(),
            },
        })
    }

    /// Replaces the settings. When they are enabled, the provider's discovery document is
    /// fetched first: an issuer that does not answer as an OpenID provider is refused (502)
    /// and nothing changes.
    pub async fn save_settings(
        &self,
        actor: &Actor,
        input: SsoSettingsInput,
    ) -> ServiceResult<SsoSettings> {
        actor.require(Permission::SettingsWrite)?;
        let tenant_id = actor.tenant_id.clone();
        let row = validate(&tenant_id, input.clone_public())?;
        let stored = self.store.get_sso_provider(&tenant_id).await?;
        let purpose = Self::secret_purpose(&tenant_id);
        let (client_secret, secret_changed) = match input.client_secret.as_deref() {
            None => (stored.map(|s| s.client_secret).unwrap_or_default(), false),
            Some("") => (String::new(), true),
            Some(plain) => (self.sealer.seal(&purpose, plain)?, true),
        };
        let row = SsoProvider {
            client_secret,
            ..row
        };
        if row.enabled {
            self.discovery.forget(&tenant_id);
            self.discover(&row).await?;
        }
        let saved = self.store.save_sso_provider(row).await?;
        self.discovery.forget(&tenant_id);
        self.store
            .append_audit(
                &tenant_id,
                NewAudit {
                    actor_id: Some(actor.id()),
                    action: "sso.update",
                    target_kind: "tenant",
                    target_id: Some(&tenant_id),
                    details: json!({
                        "enabled": saved.enabled,
                        "issuer": saved.issuer,
                        "client_id": saved.client_id,
                        "auto_provision": saved.auto_provision,
                        "default_role": saved.default_role,
                        "client_secret_changed": secret_changed,
                    }),
                },
            )
            .await?;
        Ok(self.view(saved))
    }

    fn view(&self, p: SsoProvider) -> SsoSettings {
        SsoSettings {
            enabled: p.enabled,
            display_name: p.display_name,
            issuer: p.issuer,
            client_id: p.client_id,
            has_client_secret: !p.client_secret.is_empty(),
            scopes: p.scopes,
            auto_provision: p.auto_provision,
            default_role: p.default_role,
            allowed_domains: split_domains(&p.allowed_domains),
            redirect_uri: self.redirect_uri.clone(),
        }
    }
}

impl SsoSettingsInput {
    /// The input without its secret, for validation.
    fn clone_public(&self) -> SsoSettingsInput {
        SsoSettingsInput {
            enabled: self.enabled,
            display_name: self.display_name.clone(),
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret: None,
            scopes: self.scopes.clone(),
            auto_provision: self.auto_provision,
            default_role: self.default_role,
            allowed_domains: self.allowed_domains.clone(),
        }
    }
}

pub(super) fn split_domains(stored: &str) -> Vec<String> {
    stored.split_whitespace().map(str::to_string).collect()
}

/// Checks every field at once; the answer is the row to store (secret still empty).
fn validate(tenant_id: &str, input: SsoSettingsInput) -> ServiceResult<SsoProvider> {
    let mut checks = Checks::default();
    let display_name = input.display_name.trim().to_string();
    if display_name.is_empty() || display_name.chars().count() > 100 {
        checks.fail("display_name", "must be 1 to 100 characters");
    }
    let issuer = input.issuer.trim().to_string();
    match url::Url::parse(&issuer) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some()
                && u.query().is_none()
                && u.fragment().is_none()
                && issuer.len() <= 500 => {}
        _ => checks.fail(
            "issuer",
            "must be an http(s) URL without query or fragment, at most 500 characters",
        ),
    }
    let client_id = input.client_id.trim().to_string();
    if client_id.is_empty() || client_id.len() > 255 {
        checks.fail("client_id", "must be 1 to 255 characters");
    }
    if input
        .client_secret
        .as_deref()
        .is_some_and(|s| s.len() > 1000)
    {
        checks.fail("client_secret", "must be at most 1000 characters");
    }
    let mut scopes: Vec<&str> = input
        .scopes
        .as_deref()
        .unwrap_or(DEFAULT_SCOPES)
        .split_whitespace()
        .collect();
    if !scopes.contains(&"openid") {
        scopes.insert(0, "openid");
    }
    let scopes = scopes.join(" ");
    let scope_char = |c: char| c.is_ascii_graphic() && c != '"' && c != '\\';
    if scopes.len() > 500 || !scopes.split(' ').all(|s| s.chars().all(scope_char)) {
        checks.fail(
            "scopes",
            "must be space-separated scope names, at most 500 characters",
        );
    }
    if input.default_role == Role::Owner {
        checks.fail("default_role", "must be agent or admin");
    }
    let mut domains = Vec::new();
    for d in &input.allowed_domains {
        let d = d.trim().trim_start_matches('@').to_lowercase();
        let ok = !d.is_empty()
            && d.len() <= 253
            && d.contains('.')
            && d.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !ok {
            checks.fail("allowed_domains", format!("'{d}' is not a domain name"));
        } else if !domains.contains(&d) {
            domains.push(d);
        }
    }
    if domains.len() > 50 {
        checks.fail("allowed_domains", "at most 50 domains");
    }
    checks.finish()?;
    Ok(SsoProvider {
        tenant_id: tenant_id.to_string(),
        enabled: input.enabled,
        display_name,
        issuer,
        client_id,
        client_secret: String::new(),
        scopes,
        auto_provision: input.auto_provision,
        default_role: input.default_role,
        allowed_domains: domains.join(" "),
        updated_at: chrono::Utc::now(),
    })
}
