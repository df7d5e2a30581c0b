//! From an e-mail the provider verified to an account of the tenant: the account with that
//! e-mail in this tenant only, or a new one when the tenant provisions accounts.

use serde_json::json;

use super::flow::SsoFailure;
use super::settings::split_domains;
use super::SsoService;
use crate::service::accounts::DEFAULT_MAX_CHATS;
use crate::service::ServiceResult;
use crate::store::{NewAudit, NewUser, SsoProvider, User};

/// Stored as the password hash of provisioned accounts: no password ever matches it (it is
/// not a hash), so such an account signs in only through the provider until someone sets a
/// password for it.
const NO_PASSWORD: &str = "!sso";

impl SsoService {
    /// The account the verified `email` stands for in the provider's tenant.
    pub(super) async fn account_for(
        &self,
        provider: &SsoProvider,
        email: &str,
        name: Option<&str>,
    ) -> ServiceResult<Result<User, SsoFailure>> {
        let email = email.trim().to_lowercase();
        let domains = split_domains(&provider.allowed_domains);
        let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
        if !domains.is_empty() && !domains.iter().any(|d| d == domain) {
            return Ok(Err(SsoFailure::new(
                "domain_not_allowed",
                format!("e-mail addresses at {domain} may not sign in to this organisation"),
            )));
        }
        if let Some(user) = self
            .store
            .find_user_by_email(&provider.tenant_id, &email)
            .await?
        {
            if user.disabled {
                return Ok(Err(SsoFailure::new(
                    "account_disabled",
                    "this account is disabled",
                )));
            }
            return Ok(Ok(user));
        }
        if !provider.auto_provision {
            return Ok(Err(SsoFailure::new(
                "no_account",
                format!(
                    "there is no account for {email} in this organisation; ask an administrator to invite you"
                ),
            )));
        }
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| email.split('@').next().unwrap_or(&email));
        let name: String = name.chars().take(200).collect();
        let user = self
            .store
            .create_user(
                &provider.tenant_id,
                NewUser {
                    email: email.clone(),
                    name,
                    role: provider.default_role,
                    password_hash: NO_PASSWORD.into(),
                    max_chats: DEFAULT_MAX_CHATS,
                    must_change_password: false,
                    password_expires_at: None,
                },
            )
            .await?;
        self.store
            .append_audit(
                &provider.tenant_id,
                NewAudit {
                    actor_id: None,
                    action: "user.provision",
                    target_kind: "user",
                    target_id: Some(&user.id),
                    details: json!({ "email": user.email, "role": user.role, "via": "sso" }),
                },
            )
            .await?;
        tracing::info!(tenant = %provider.tenant_id, user = %user.id, "account provisioned by single sign-on");
        Ok(Ok(user))
    }
}
