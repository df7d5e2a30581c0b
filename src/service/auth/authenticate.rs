//! Turning a bearer token back into an actor: an account's access token or an API token.

use chrono::Utc;

use super::tokens::{validation, Claims, ACCESS};
use super::{token_hash, AuthService, API_TOKEN_PREFIX};
use crate::service::authz::{Actor, ActorKind, Permission};
use crate::service::{ServiceError, ServiceResult};
use crate::store::User;

/// What an account must do before its token opens the whole API.
enum Pending {
    Nothing,
    PasswordChange,
    TwoFactorEnrolment,
}

impl AuthService {
    /// The actor a bearer token stands for: a live account, or a live API token. An account
    /// that still has to change its one-time password is refused (`password_change_required`),
    /// one that must first set up two-factor sign-in too (`two_factor_enrolment_required`).
    pub async fn authenticate(&self, bearer: &str) -> ServiceResult<Actor> {
        let (actor, pending) = self.authenticate_any(bearer).await?;
        match pending {
            Pending::Nothing => Ok(actor),
            Pending::PasswordChange => Err(ServiceError::PasswordChangeRequired),
            Pending::TwoFactorEnrolment => Err(ServiceError::TwoFactorEnrolmentRequired),
        }
    }

    /// Like `authenticate`, but also lets in an account that still has to change its one-time
    /// password or set up two-factor sign-in: only for reading who one is, changing the
    /// password and setting up two-factor sign-in.
    pub async fn authenticate_pending(&self, bearer: &str) -> ServiceResult<Actor> {
        Ok(self.authenticate_any(bearer).await?.0)
    }

    async fn authenticate_any(&self, bearer: &str) -> ServiceResult<(Actor, Pending)> {
        if bearer.starts_with(API_TOKEN_PREFIX) {
            return Ok((self.authenticate_api_token(bearer).await?, Pending::Nothing));
        }
        let claims = jsonwebtoken::decode::<Claims>(bearer, &self.inner.decoding, &validation())
            .ok()
            .map(|t| t.claims)
            .filter(|c| c.typ == ACCESS)
            .ok_or(ServiceError::Unauthorized(
                "invalid or expired access token",
            ))?;
        let user = self
            .store
            .get_user(&claims.tid, &claims.sub)
            .await
            .map_err(|_| ServiceError::Unauthorized("invalid or expired access token"))?;
        if user.disabled {
            return Err(ServiceError::Unauthorized("this account is disabled"));
        }
        // Sign-out, a password change or reset moved the generation on: the token is dead.
        if claims.gen != user.token_generation {
            return Err(ServiceError::Unauthorized(
                "this session has ended; sign in again",
            ));
        }
        check_one_time_password(&user)?;
        // The role comes from the account, not the token, so a demotion takes effect at once.
        let pending = if user.must_change_password {
            Pending::PasswordChange
        } else if claims.enrol {
            Pending::TwoFactorEnrolment
        } else {
            Pending::Nothing
        };
        Ok((
            Actor {
                tenant_id: user.tenant_id,
                kind: ActorKind::User {
                    id: user.id,
                    role: user.role,
                },
            },
            pending,
        ))
    }

    async fn authenticate_api_token(&self, bearer: &str) -> ServiceResult<Actor> {
        let invalid = ServiceError::Unauthorized("invalid or revoked API token");
        let token = self
            .store
            .find_active_api_token(&token_hash(bearer))
            .await?
            .ok_or(invalid)?;
        let scopes: Vec<String> = serde_json::from_str(&token.scopes).unwrap_or_default();
        self.store
            .touch_api_token(&token.tenant_id, &token.id)
            .await?;
        Ok(Actor {
            tenant_id: token.tenant_id,
            kind: ActorKind::ApiToken {
                id: token.id,
                scopes: scopes.iter().filter_map(|s| Permission::parse(s)).collect(),
            },
        })
    }
}

/// A one-time password (invite or reset) works only until its expiry.
pub(super) fn check_one_time_password(user: &User) -> ServiceResult<()> {
    let expired =
        user.must_change_password && user.password_expires_at.is_some_and(|at| at <= Utc::now());
    if expired {
        return Err(ServiceError::Unauthorized(
            "this one-time password has expired; ask an administrator for a new one",
        ));
    }
    Ok(())
}
