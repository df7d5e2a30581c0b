//! Sign-in rules the owner sets for every account of the tenant.

use serde_json::json;

use super::AdminService;
use crate::service::authz::{Actor, Permission};
use crate::service::{ServiceError, ServiceResult};

/// The tenant's sign-in rules.
pub struct SecurityPolicy {
    /// Every account must sign in with a second factor; an account without one may only set
    /// it up (its other requests answer 403 `two_factor_enrolment_required`).
    pub require_two_factor: bool,
}

impl AdminService {
    pub async fn security_policy(&self, actor: &Actor) -> ServiceResult<SecurityPolicy> {
        actor.require(Permission::SettingsRead)?;
        let tenant = self.store.get_tenant(&actor.tenant_id).await?;
        Ok(SecurityPolicy {
            require_two_factor: tenant.require_two_factor,
        })
    }

    /// Changes the rules (owner only). Requiring two-factor sign-in needs it on for the owner's
    /// own account first, so the owner cannot lock themselves into enrolment by mistake. It
    /// takes effect for each account at its next sign-in or token refresh.
    pub async fn set_security_policy(
        &self,
        actor: &Actor,
        policy: SecurityPolicy,
    ) -> ServiceResult<SecurityPolicy> {
        actor.require(Permission::SecurityWrite)?;
        if policy.require_two_factor {
            let me = actor.require_user()?;
            let mine = self.store.get_two_factor(&actor.tenant_id, me).await?;
            if !mine.is_some_and(|t| t.enabled) {
                return Err(ServiceError::Conflict(
                    "turn on two-factor sign-in for your own account first".into(),
                ));
            }
        }
        let tenant = self
            .store
            .set_require_two_factor(&actor.tenant_id, policy.require_two_factor)
            .await?;
        self.audit(
            actor,
            "tenant.security",
            "tenant",
            Some(&tenant.id),
            json!({ "require_two_factor": tenant.require_two_factor }),
        )
        .await?;
        Ok(SecurityPolicy {
            require_two_factor: tenant.require_two_factor,
        })
    }
}
