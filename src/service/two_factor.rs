//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238): enrolment, recovery codes,
//! turning it off, and the rate-limited code checks sign-in uses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::auth::token_hash;
use super::authz::Actor;
use super::sealing::Sealer;
use super::{password, totp, ServiceError, ServiceResult};
use crate::store::{Store, TwoFactor, User};
use crate::types::ids::random_token;

/// Recovery codes handed out when two-factor sign-in is turned on.
pub const RECOVERY_CODES: usize = 10;
/// Failed code checks allowed per account (and per sign-in challenge) every 15 minutes.
pub const CHECKS_PER_15_MIN: u32 = 5;

/// The window failed code checks are counted in.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Past this many keys, keys without a failure in the window are forgotten.
const PRUNE_AT: usize = 10_000;

/// Failed code checks per key in the last WINDOW: a key with CHECKS_PER_15_MIN of them is
/// refused until the oldest leaves the window. Correct codes cost nothing.
#[derive(Default)]
struct Failures(Mutex<HashMap<String, Vec<Instant>>>);

impl Failures {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Instant>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Refuses the key while it has too many recent failures.
    fn check(&self, key: &str) -> ServiceResult<()> {
        let now = Instant::now();
        let mut map = self.lock();
        if map.len() > PRUNE_AT {
            map.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        let Some(times) = map.get_mut(key) else {
            return Ok(());
        };
        times.retain(|t| now.duration_since(*t) < WINDOW);
        if times.len() >= CHECKS_PER_15_MIN as usize {
            let wait = times
                .first()
                .map(|t| WINDOW.saturating_sub(now.duration_since(*t)).as_secs() + 1)
                .unwrap_or(1);
            return Err(ServiceError::RateLimited(wait));
        }
        Ok(())
    }

    fn failed(&self, key: &str) {
        self.lock()
            .entry(key.to_string())
            .or_default()
            .push(Instant::now());
    }
}

#[derive(Clone)]
pub struct TwoFactorService {
    store: Store,
    sealer: Sealer,
    limits: Arc<Limits>,
}

#[derive(Default)]
struct Limits {
    by_account: Failures,
    by_challenge: Failures,
}

/// What enrolment shows once: the secret for the authenticator app, as a URI (for the QR code)
/// and as text (to type in).
pub struct Enrolment {
    pub otpauth_uri: String,
    pub secret: String,
}

/// A second factor as given at sign-in or to turn two-factor off.
#[derive(Clone, Copy)]
pub enum Proof<'a> {
    Code(&'a str),
    RecoveryCode(&'a str),
}

/// What a two-factor secret is sealed for: this account's row only.
fn purpose(user_id: &str) -> String {
    format!("two_factor:{user_id}")
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl TwoFactorService {
    pub fn new(store: Store, sealer: Sealer) -> Self {
        TwoFactorService {
            store,
            sealer,
            limits: Arc::new(Limits::default()),
        }
    }

    /// Seals the secrets stored before secrets were sealed; answers how many.
    pub async fn seal_plain_secrets(&self) -> ServiceResult<usize> {
        let rows = self
            .store
            .two_factor_rows_without_prefix(super::sealing::PREFIX)
            .await?;
        let mut sealed = 0;
        for row in rows {
            let new = self.sealer.seal(&purpose(&row.user_id), &row.secret)?;
            if self
                .store
                .replace_two_factor_secret(&row.tenant_id, &row.user_id, &row.secret, &new)
                .await?
            {
                sealed += 1;
            }
        }
        Ok(sealed)
    }

    /// Whether the account signs in with a second factor.
    pub async fn is_on(&self, user: &User) -> ServiceResult<bool> {
        Ok(self
            .store
            .get_two_factor(&user.tenant_id, &user.id)
            .await?
            .is_some_and(|t| t.enabled))
    }

    /// Starts enrolment with a new secret (replacing an unfinished one).
    pub async fn setup(&self, actor: &Actor) -> ServiceResult<Enrolment> {
        let me = actor.require_user()?;
        let user = self.store.get_user(&actor.tenant_id, me).await?;
        if self.is_on(&user).await? {
            return Err(ServiceError::Conflict(
                "two-factor sign-in is already on; turn it off first".into(),
            ));
        }
        let tenant = self.store.get_tenant(&actor.tenant_id).await?;
        let secret = totp::new_secret();
        let encoded = totp::encode_secret(&secret);
        let sealed = self.sealer.seal(&purpose(&user.id), &encoded)?;
        self.store
            .start_two_factor(&user.tenant_id, &user.id, &sealed)
            .await?;
        Ok(Enrolment {
            otpauth_uri: totp::otpauth_uri(
                &format!("uniqchat {}", tenant.name),
                &user.email,
                &secret,
            ),
            secret: encoded,
        })
    }

    /// Turns two-factor on once the app shows a correct code; returns the recovery codes,
    /// shown this once (only their hashes are kept).
    pub async fn enable(&self, actor: &Actor, code: &str) -> ServiceResult<Vec<String>> {
        let me = actor.require_user()?;
        let user = self.store.get_user(&actor.tenant_id, me).await?;
        let row = match self.store.get_two_factor(&user.tenant_id, &user.id).await? {
            Some(row) if !row.enabled => row,
            Some(_) => {
                return Err(ServiceError::Conflict(
                    "two-factor sign-in is already on".into(),
                ))
            }
            None => {
                return Err(ServiceError::Conflict(
                    "start with POST /api/auth/2fa/setup".into(),
                ))
            }
        };
        self.limits.by_account.check(&user.id)?;
        if !self.check_code(&row, code).await? {
            self.limits.by_account.failed(&user.id);
            return Err(ServiceError::invalid("code", "is not correct"));
        }
        let codes: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| {
                let raw = random_token(10).to_lowercase();
                format!("{}-{}", &raw[..5], &raw[5..])
            })
            .collect();
        let hashes: Vec<String> = codes.iter().map(|c| token_hash(c)).collect();
        let hashes = serde_json::to_string(&hashes)
            .map_err(|e| ServiceError::Internal(format!("recovery codes: {e}")))?;
        self.store
            .enable_two_factor(&user.tenant_id, &user.id, &hashes)
            .await?;
        tracing::info!(user = %user.id, "two-factor sign-in turned on");
        Ok(codes)
    }

    /// Turns two-factor off; needs the password and a current code (or a recovery code).
    pub async fn disable(&self, actor: &Actor, pass: &str, proof: Proof<'_>) -> ServiceResult<()> {
        let me = actor.require_user()?;
        let user = self.store.get_user(&actor.tenant_id, me).await?;
        let Some(row) = self.store.get_two_factor(&user.tenant_id, &user.id).await? else {
            return Err(ServiceError::Conflict("two-factor sign-in is off".into()));
        };
        if row.enabled
            && self
                .store
                .get_tenant(&user.tenant_id)
                .await?
                .require_two_factor
        {
            return Err(ServiceError::Conflict(
                "your organisation requires two-factor sign-in".into(),
            ));
        }
        self.limits.by_account.check(&user.id)?;
        if !password::verify(pass, &user.password_hash).await {
            self.limits.by_account.failed(&user.id);
            return Err(ServiceError::invalid("password", "is not correct"));
        }
        if row.enabled && !self.check_proof(&row, proof).await? {
            self.limits.by_account.failed(&user.id);
            return Err(ServiceError::invalid("code", "is not correct"));
        }
        self.store
            .delete_two_factor(&user.tenant_id, &user.id)
            .await?;
        tracing::info!(user = %user.id, "two-factor sign-in turned off");
        Ok(())
    }

    /// A sign-in's second step: after CHECKS_PER_15_MIN failures in 15 minutes, per challenge
    /// or per account, further tries are refused (429) until the oldest failure is 15 min old.
    pub(crate) async fn verify_sign_in(
        &self,
        user: &User,
        challenge_id: &str,
        proof: Proof<'_>,
    ) -> ServiceResult<bool> {
        let Some(row) = self.store.get_two_factor(&user.tenant_id, &user.id).await? else {
            return Ok(false);
        };
        self.limits.by_challenge.check(challenge_id)?;
        self.limits.by_account.check(&user.id)?;
        let ok = self.check_proof(&row, proof).await?;
        if !ok {
            self.limits.by_challenge.failed(challenge_id);
            self.limits.by_account.failed(&user.id);
        }
        Ok(ok)
    }

    async fn check_proof(&self, row: &TwoFactor, proof: Proof<'_>) -> ServiceResult<bool> {
        match proof {
            Proof::Code(code) => self.check_code(row, code).await,
            Proof::RecoveryCode(code) => self.use_recovery_code(row, code).await,
        }
    }

    /// A correct code works once: its time step is recorded and older steps are refused.
    async fn check_code(&self, row: &TwoFactor, code: &str) -> ServiceResult<bool> {
        // Rows from before secrets were sealed hold the plain base32 secret.
        let encoded = if Sealer::is_sealed(&row.secret) {
            self.sealer.open(&purpose(&row.user_id), &row.secret)?
        } else {
            row.secret.clone()
        };
        let Some(secret) = totp::decode_secret(&encoded) else {
            return Err(ServiceError::Internal(
                "unreadable two-factor secret".into(),
            ));
        };
        let Some(step) = totp::matching_step(&secret, code, unix_now()) else {
            return Ok(false);
        };
        Ok(self
            .store
            .use_two_factor_step(&row.tenant_id, &row.user_id, step)
            .await?)
    }

    /// Each recovery code works once.
    async fn use_recovery_code(&self, row: &TwoFactor, code: &str) -> ServiceResult<bool> {
        let hashes: Vec<String> = serde_json::from_str(&row.recovery_codes).unwrap_or_default();
        let given = token_hash(code.trim().to_lowercase().as_str());
        if !hashes.contains(&given) {
            return Ok(false);
        }
        let left: Vec<&String> = hashes.iter().filter(|h| **h != given).collect();
        let left = serde_json::to_string(&left)
            .map_err(|e| ServiceError::Internal(format!("recovery codes: {e}")))?;
        Ok(self
            .store
            .replace_recovery_codes(&row.tenant_id, &row.user_id, &row.recovery_codes, &left)
            .await?)
    }
}
