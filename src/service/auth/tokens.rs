//! The signed tokens: access tokens, visitor tokens and sign-in challenges (JWT, HS256).

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{token_hash, AuthService, Session, VisitorIdentity};
use crate::service::{ServiceError, ServiceResult};
use crate::store::{Role, User};
use crate::types::ids::{new_id, random_token};

/// `typ` of a sign-in challenge waiting for its second factor.
pub(super) const CHALLENGE: &str = "2fa";
/// How long a sign-in challenge stays open.
pub const CHALLENGE_SECS: i64 = 300;

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ChallengeClaims {
    pub(super) sub: String,
    pub(super) tid: String,
    pub(super) typ: String,
    pub(super) gen: i64,
    /// Names the challenge for its own try limit.
    pub(super) jti: String,
    pub(super) iat: i64,
    pub(super) exp: i64,
}

/// `typ` of an agent's access token.
pub(super) const ACCESS: &str = "access";
/// `typ` of a visitor's token.
const VISITOR: &str = "visitor";
/// Visitors keep their identity (and their conversation) across visits for this long.
const VISITOR_TOKEN_DAYS: i64 = 365;

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Claims {
    /// User id.
    pub(super) sub: String,
    /// Tenant id.
    pub(super) tid: String,
    pub(super) role: Role,
    /// Token kind, so a visitor's token is never taken for an agent's.
    pub(super) typ: String,
    /// The account's token generation when the token was issued.
    #[serde(default)]
    pub(super) gen: i64,
    /// The tenant requires two-factor sign-in and this account has not set it up: the token
    /// may only be used to set it up.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) enrol: bool,
    pub(super) iat: i64,
    pub(super) exp: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct VisitorClaims {
    /// Visitor id.
    sub: String,
    tid: String,
    typ: String,
    iat: i64,
    exp: i64,
}

impl AuthService {
    pub(super) fn challenge(&self, user: &User) -> ServiceResult<String> {
        let now = Utc::now().timestamp();
        let claims = ChallengeClaims {
            sub: user.id.clone(),
            tid: user.tenant_id.clone(),
            typ: CHALLENGE.into(),
            gen: user.token_generation,
            jti: new_id(),
            iat: now,
            exp: now + CHALLENGE_SECS,
        };
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.inner.encoding,
        )
        .map_err(|e| ServiceError::Internal(format!("cannot sign token: {e}")))
    }

    pub(super) async fn open_session(&self, user: User, family_id: &str) -> ServiceResult<Session> {
        let now = Utc::now();
        let claims = Claims {
            sub: user.id.clone(),
            tid: user.tenant_id.clone(),
            role: user.role,
            typ: ACCESS.into(),
            gen: user.token_generation,
            enrol: self.must_enrol(&user).await?,
            iat: now.timestamp(),
            exp: now.timestamp() + self.inner.access_ttl,
        };
        let access_token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.inner.encoding,
        )
        .map_err(|e| ServiceError::Internal(format!("cannot sign token: {e}")))?;
        let refresh_token = random_token(48);
        self.store
            .insert_refresh_token(
                &user.tenant_id,
                &user.id,
                family_id,
                &token_hash(&refresh_token),
                now + Duration::seconds(self.inner.refresh_ttl),
            )
            .await?;
        Ok(Session {
            access_token,
            refresh_token,
            expires_in: self.inner.access_ttl as u64,
            two_factor_enrolment_required: claims.enrol,
            user,
        })
    }

    /// Whether the account's tenant requires two-factor sign-in and the account has none yet.
    async fn must_enrol(&self, user: &User) -> ServiceResult<bool> {
        let tenant = self.store.get_tenant(&user.tenant_id).await?;
        Ok(tenant.require_two_factor && !self.two_factor.is_on(user).await?)
    }

    /// A long-lived token that lets a browser come back as the same visitor.
    pub fn issue_visitor_token(&self, tenant_id: &str, visitor_id: &str) -> ServiceResult<String> {
        let now = Utc::now();
        let claims = VisitorClaims {
            sub: visitor_id.to_string(),
            tid: tenant_id.to_string(),
            typ: VISITOR.into(),
            iat: now.timestamp(),
            exp: (now + Duration::days(VISITOR_TOKEN_DAYS)).timestamp(),
        };
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.inner.encoding,
        )
        .map_err(|e| ServiceError::Internal(format!("cannot sign token: {e}")))
    }

    /// The visitor a visitor token stands for; any other token is refused.
    pub fn authenticate_visitor(&self, token: &str) -> ServiceResult<VisitorIdentity> {
        jsonwebtoken::decode::<VisitorClaims>(token, &self.inner.decoding, &validation())
            .ok()
            .map(|t| t.claims)
            .filter(|c| c.typ == VISITOR)
            .map(|c| VisitorIdentity {
                tenant_id: c.tid,
                visitor_id: c.sub,
            })
            .ok_or(ServiceError::Unauthorized(
                "invalid or expired visitor token",
            ))
    }
}

pub(super) fn validation() -> Validation {
    let mut v = Validation::new(Algorithm::HS256);
    v.leeway = 5;
    v.set_required_spec_claims(&["exp", "sub"]);
    v
}
