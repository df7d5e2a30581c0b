//! Sign-in: passwords to sessions, short-lived access tokens (JWT), rotating refresh tokens,
//! and turning a bearer token back into an actor.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};

use chrono::Utc;
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use jsonwebtoken::{DecodingKey, EncodingKey};
use sha2::{Digest, Sha256};

mod authenticate;
mod tokens;
mod verified;

use authenticate::check_one_time_password;
pub use tokens::CHALLENGE_SECS;
use tokens::{validation, ChallengeClaims, CHALLENGE};

use super::authz::Actor;
use super::sealing::Sealer;
use super::two_factor::{Proof, TwoFactorService};
use super::{password, ServiceError, ServiceResult};
use crate::cluster::{Bus, SessionsRevoked};
use crate::store::{Store, Tenant, User};
use crate::types::ids::{new_id, random_token};

/// API tokens start with this, so a bearer token says what it is without a lookup.
pub const API_TOKEN_PREFIX: &str = "uc_";

const BAD_LOGIN: &str = "invalid e-mail or password";

pub struct AuthSettings {
    pub jwt_secret: String,
    /// Seals two-factor secrets.
    pub sealer: Sealer,
    pub access_ttl_secs: u64,
    pub refresh_ttl_secs: u64,
    pub login_per_minute_account: u32,
    pub login_per_minute_ip: u32,
}

/// Ends every session of an account at once: its access tokens stop working on the next
/// request (the generation they carry is no longer the account's) and this node closes its
/// realtime connections with 4001 "signed out". Refresh tokens are revoked by the caller where
/// the sessions must not come back.
pub(crate) async fn end_sessions(
    store: &Store,
    bus: &dyn Bus,
    tenant_id: &str,
    user_id: &str,
) -> ServiceResult<()> {
    store.end_user_sessions(tenant_id, user_id).await?;
    announce_sessions_ended(bus, tenant_id, user_id);
    Ok(())
}

/// Tells the nodes to close the account's realtime connections (after a store write that
/// moved its token generation on).
pub(crate) fn announce_sessions_ended(bus: &dyn Bus, tenant_id: &str, user_id: &str) {
    bus.sessions_revoked(SessionsRevoked {
        tenant_id: tenant_id.to_string(),
        user_id: user_id.to_string(),
    });
}

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

#[derive(Clone)]
pub struct AuthService {
    store: Store,
    bus: Arc<dyn Bus>,
    two_factor: TwoFactorService,
    inner: Arc<Inner>,
}

struct Inner {
    encoding: EncodingKey,
    decoding: DecodingKey,
    access_ttl: i64,
    refresh_ttl: i64,
    by_account: Keyed<String>,
    by_ip: Keyed<IpAddr>,
}

/// What a successful login or refresh returns.
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    /// The tenant requires two-factor sign-in and the account has not set it up: this session
    /// may only set it up (then refresh for a full one).
    pub two_factor_enrolment_required: bool,
    pub user: User,
}

/// What a correct e-mail and password lead to.
pub enum LoginOutcome {
    /// Signed in.
    Session(Box<Session>),
    /// The password matched accounts in several tenants: sign in again naming one of these.
    TenantRequired(Vec<Tenant>),
    /// The account signs in with a second factor: send a code with this challenge to
    /// `verify_two_factor` within CHALLENGE_SECS.
    TwoFactorRequired(String),
}

/// A visitor proven by their token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorIdentity {
    pub tenant_id: String,
    pub visitor_id: String,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

/// SHA-256 hex of a secret: what is stored instead of the secret itself.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl AuthService {
    pub fn new(store: Store, settings: AuthSettings, bus: Arc<dyn Bus>) -> Self {
        let secret = settings.jwt_secret.as_bytes();
        AuthService {
            two_factor: TwoFactorService::new(store.clone(), settings.sealer),
            store,
            bus,
            inner: Arc::new(Inner {
                encoding: EncodingKey::from_secret(secret),
                decoding: DecodingKey::from_secret(secret),
                access_ttl: settings.access_ttl_secs as i64,
                refresh_ttl: settings.refresh_ttl_secs as i64,
                by_account: RateLimiter::keyed(per_minute(settings.login_per_minute_account)),
                by_ip: RateLimiter::keyed(per_minute(settings.login_per_minute_ip)),
            }),
        }
    }

    /// Checks e-mail and password and opens a session. Unknown e-mail and wrong password get
    /// the same answer, after the same work. An e-mail is unique per tenant, so it may have
    /// accounts in several tenants: when the password matches more than one of them (and no
    /// `tenant` narrows the choice) the answer lists just those tenants, so someone without
    /// the password learns nothing about the others.
    pub async fn login(
        &self,
        email: &str,
        pass: &str,
        tenant: Option<&str>,
        ip: IpAddr,
    ) -> ServiceResult<LoginOutcome> {
        let email = email.trim().to_lowercase();
        self.throttle(&email, ip)?;
        let mut candidates = self.store.find_users_by_email(&email).await?;
        if let Some(tenant) = tenant {
            candidates.retain(|u| u.tenant_id == tenant);
        }
        if candidates.is_empty() {
            password::verify(pass, dummy_hash().await).await;
            return Err(ServiceError::Unauthorized(BAD_LOGIN));
        }
        let mut matched = Vec::new();
        for user in candidates {
            if password::verify(pass, &user.password_hash).await {
                matched.push(user);
            }
        }
        if matched.is_empty() {
            return Err(ServiceError::Unauthorized(BAD_LOGIN));
        }
        matched.retain(|u| !u.disabled);
        if matched.len() > 1 {
            let mut tenants = Vec::with_capacity(matched.len());
            for user in &matched {
                tenants.push(self.store.get_tenant(&user.tenant_id).await?);
            }
            return Ok(LoginOutcome::TenantRequired(tenants));
        }
        let Some(user) = matched.pop() else {
            // Only disabled accounts matched.
            return Err(ServiceError::Unauthorized("this account is disabled"));
        };
        check_one_time_password(&user)?;
        if self.two_factor.is_on(&user).await? {
            return Ok(LoginOutcome::TwoFactorRequired(self.challenge(&user)?));
        }
        Ok(LoginOutcome::Session(Box::new(
            self.open_session(user, &new_id()).await?,
        )))
    }

    /// Enrolment and the code checks of two-factor sign-in.
    pub fn two_factor(&self) -> &TwoFactorService {
        &self.two_factor
    }

    /// The second step of a sign-in with two-factor on: a current code from the app or an
    /// unused recovery code, against the challenge the first step answered.
    pub async fn verify_two_factor(
        &self,
        challenge: &str,
        proof: Proof<'_>,
    ) -> ServiceResult<Session> {
        let expired =
            ServiceError::Unauthorized("invalid or expired sign-in challenge; sign in again");
        let claims =
            jsonwebtoken::decode::<ChallengeClaims>(challenge, &self.inner.decoding, &validation())
                .ok()
                .map(|t| t.claims)
                .filter(|c| c.typ == CHALLENGE)
                .ok_or(expired)?;
        let user = self
            .store
            .get_user(&claims.tid, &claims.sub)
            .await
            .map_err(|_| {
                ServiceError::Unauthorized("invalid or expired sign-in challenge; sign in again")
            })?;
        if user.disabled {
            return Err(ServiceError::Unauthorized("this account is disabled"));
        }
        if claims.gen != user.token_generation {
            return Err(ServiceError::Unauthorized(
                "invalid or expired sign-in challenge; sign in again",
            ));
        }
        if !self
            .two_factor
            .verify_sign_in(&user, &claims.jti, proof)
            .await?
        {
            return Err(ServiceError::Unauthorized("wrong or already used code"));
        }
        check_one_time_password(&user)?;
        self.open_session(user, &new_id()).await
    }

    /// Trades a refresh token for a new pair. A token works once: presenting a used one again
    /// means it was stolen, so the whole family (every session from that login) is revoked.
    pub async fn refresh(&self, refresh_token: &str) -> ServiceResult<Session> {
        let invalid = ServiceError::Unauthorized("invalid or expired refresh token");
        let Some(token) = self
            .store
            .find_refresh_token(&token_hash(refresh_token))
            .await?
        else {
            return Err(invalid);
        };
        if token.revoked_at.is_some() {
            if token.replaced_by.is_some() {
                tracing::warn!(user = %token.user_id, "refresh token reused; revoking its family");
                self.store
                    .revoke_refresh_family(&token.tenant_id, &token.family_id)
                    .await?;
            }
            return Err(invalid);
        }
        if token.expires_at <= Utc::now() {
            return Err(invalid);
        }
        let user = self
            .store
            .get_user(&token.tenant_id, &token.user_id)
            .await?;
        if user.disabled {
            return Err(ServiceError::Unauthorized("this account is disabled"));
        }
        check_one_time_password(&user)?;
        let session = self.open_session(user, &token.family_id).await?;
        let new = self
            .store
            .find_refresh_token(&token_hash(&session.refresh_token))
            .await?
            .ok_or(ServiceError::Internal("new refresh token vanished".into()))?;
        if !self
            .store
            .rotate_refresh_token(&token.tenant_id, &token.id, &new.id)
            .await?
        {
            // Another request rotated the same token at the same moment: treat as reuse.
            self.store
                .revoke_refresh_family(&token.tenant_id, &token.family_id)
                .await?;
            return Err(invalid);
        }
        Ok(session)
    }

    /// Ends the session the refresh token belongs to, and the account's access tokens with
    /// it (other sessions trade their refresh token for new ones). Unknown tokens are ignored.
    pub async fn logout(&self, refresh_token: &str) -> ServiceResult<()> {
        if let Some(token) = self
            .store
            .find_refresh_token(&token_hash(refresh_token))
            .await?
        {
            self.store
                .revoke_refresh_family(&token.tenant_id, &token.family_id)
                .await?;
            if token.revoked_at.is_none() {
                end_sessions(&self.store, &*self.bus, &token.tenant_id, &token.user_id).await?;
            }
        }
        Ok(())
    }

    /// The signed-in account and its tenant.
    pub async fn me(&self, actor: &Actor) -> ServiceResult<(User, Tenant)> {
        let id = actor.require_user()?;
        let user = self.store.get_user(&actor.tenant_id, id).await?;
        let tenant = self.store.get_tenant(&actor.tenant_id).await?;
        Ok((user, tenant))
    }

    /// Changes the actor's own password after checking the current one; other sessions end.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
    ) -> ServiceResult<()> {
        let id = actor.require_user()?;
        let user = self.store.get_user(&actor.tenant_id, id).await?;
        if !password::verify(current, &user.password_hash).await {
            return Err(ServiceError::invalid("current_password", "is not correct"));
        }
        password::validate(new).map_err(|_| {
            ServiceError::invalid(
                "new_password",
                format!(
                    "must be {} to {} characters",
                    password::MIN_LEN,
                    password::MAX_LEN
                ),
            )
        })?;
        if current == new {
            return Err(ServiceError::invalid(
                "new_password",
                "must differ from the current one",
            ));
        }
        let hash = password::hash(new).await?;
        // Moves the token generation on: every access token of the account, this one too, ends.
        self.store
            .set_user_password(&user.tenant_id, &user.id, &hash, false)
            .await?;
        self.store
            .revoke_user_refresh_tokens(&user.tenant_id, &user.id)
            .await?;
        announce_sessions_ended(&*self.bus, &user.tenant_id, &user.id);
        Ok(())
    }

    fn throttle(&self, email: &str, ip: IpAddr) -> ServiceResult<()> {
        let now = DefaultClock::default().now();
        let wait = |not_until: governor::NotUntil<_>| {
            let d = not_until.wait_time_from(now);
            ServiceError::RateLimited(d.as_secs() + u64::from(d.subsec_nanos() > 0))
        };
        self.inner.by_ip.check_key(&ip).map_err(wait)?;
        self.inner
            .by_account
            .check_key(&email.to_string())
            .map_err(wait)?;
        Ok(())
    }
}

/// A real argon2 hash to verify against when the e-mail is unknown, so both paths cost the same.
async fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    if let Some(h) = HASH.get() {
        return h;
    }
    let h = password::hash(&random_token(16)).await.unwrap_or_default();
    HASH.get_or_init(|| h)
}
