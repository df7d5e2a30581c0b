//! Sign-in: passwords to sessions, short-lived access tokens (JWT), rotating refresh tokens,
//! and turning a bearer token back into an actor.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};

use chrono::{Duration, Utc};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::authz::{Actor, ActorKind, Permission};
use super::two_factor::{Proof, TwoFactorService};
use super::{password, ServiceError, ServiceResult};
use crate::cluster::{Bus, SessionsRevoked};
use crate::store::{Role, Store, Tenant, User};
use crate::types::ids::{new_id, random_token};

/// API tokens start with this, so a bearer token says what it is without a lookup.
pub const API_TOKEN_PREFIX: &str = "uc_";

const BAD_LOGIN: &str = "invalid e-mail or password";

pub struct AuthSettings {
    pub jwt_secret: String,
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

/// `typ` of a sign-in challenge waiting for its second factor.
const CHALLENGE: &str = "2fa";
/// How long a sign-in challenge stays open.
pub const CHALLENGE_SECS: i64 = 300;

#[derive(Debug, Serialize, Deserialize)]
struct ChallengeClaims {
    sub: String,
    tid: String,
    typ: String,
    gen: i64,
    /// Names the challenge for its own try limit.
    jti: String,
    iat: i64,
    exp: i64,
}

/// `typ` of an agent's access token.
const ACCESS: &str = "access";
/// `typ` of a visitor's token.
const VISITOR: &str = "visitor";
/// Visitors keep their identity (and their conversation) across visits for this long.
const VISITOR_TOKEN_DAYS: i64 = 365;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// User id.
    sub: String,
    /// Tenant id.
    tid: String,
    role: Role,
    /// Token kind, so a visitor's token is never taken for an agent's.
    typ: String,
    /// The account's token generation when the token was issued.
    #[serde(default)]
    gen: i64,
    iat: i64,
    exp: i64,
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
            two_factor: TwoFactorService::new(store.clone()),
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

    fn challenge(&self, user: &User) -> ServiceResult<String> {
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

    /// The actor a bearer token stands for: a live account, or a live API token. An account
    /// that still has to change its one-time password is refused (`password_change_required`).
    pub async fn authenticate(&self, bearer: &str) -> ServiceResult<Actor> {
        let (actor, must_change) = self.authenticate_any(bearer).await?;
        if must_change {
            return Err(ServiceError::PasswordChangeRequired);
        }
        Ok(actor)
    }

    /// Like `authenticate`, but also lets in an account that still has to change its one-time
    /// password: only for reading who one is and changing the password.
    pub async fn authenticate_pending(&self, bearer: &str) -> ServiceResult<Actor> {
        Ok(self.authenticate_any(bearer).await?.0)
    }

    async fn authenticate_any(&self, bearer: &str) -> ServiceResult<(Actor, bool)> {
        if bearer.starts_with(API_TOKEN_PREFIX) {
            return Ok((self.authenticate_api_token(bearer).await?, false));
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
        let must_change = user.must_change_password;
        Ok((
            Actor {
                tenant_id: user.tenant_id,
                kind: ActorKind::User {
                    id: user.id,
                    role: user.role,
                },
            },
            must_change,
        ))
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

    async fn open_session(&self, user: User, family_id: &str) -> ServiceResult<Session> {
        let now = Utc::now();
        let claims = Claims {
            sub: user.id.clone(),
            tid: user.tenant_id.clone(),
            role: user.role,
            typ: ACCESS.into(),
            gen: user.token_generation,
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
            user,
        })
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
fn check_one_time_password(user: &User) -> ServiceResult<()> {
    let expired =
        user.must_change_password && user.password_expires_at.is_some_and(|at| at <= Utc::now());
    if expired {
        return Err(ServiceError::Unauthorized(
            "this one-time password has expired; ask an administrator for a new one",
        ));
    }
    Ok(())
}

fn validation() -> Validation {
    let mut v = Validation::new(Algorithm::HS256);
    v.leeway = 5;
    v.set_required_spec_claims(&["exp", "sub"]);
    v
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
