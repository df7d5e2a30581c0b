//! Sign-in of an account someone else verified (single sign-on): no password, the same
//! session a password sign-in opens, and the same second step when two-factor sign-in is on.

use super::{AuthService, LoginOutcome};
use crate::service::{ServiceError, ServiceResult};
use crate::store::User;
use crate::types::ids::new_id;

impl AuthService {
    /// Opens a session for an account whose identity was proven outside (an OpenID provider
    /// vouched for its e-mail). Disabled accounts are refused; an account with two-factor
    /// sign-in on gets the challenge, as after a correct password.
    pub(crate) async fn sign_in_verified(&self, user: User) -> ServiceResult<LoginOutcome> {
        if user.disabled {
            return Err(ServiceError::Unauthorized("this account is disabled"));
        }
        if self.two_factor.is_on(&user).await? {
            return Ok(LoginOutcome::TwoFactorRequired(self.challenge(&user)?));
        }
        Ok(LoginOutcome::Session(Box::new(
            self.open_session(user, &new_id()).await?,
        )))
    }
}
