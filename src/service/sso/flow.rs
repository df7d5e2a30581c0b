//! The sign-in itself: the redirect to the provider (state, nonce, PKCE S256), the callback
//! (code for tokens, ID token checks, the account), and the one-time code that hands the
//! session to the web app.

use chrono::{Duration, Utc};
use data_encoding::BASE64URL_NOPAD;
use sha2::{Digest, Sha256};

use super::{upstream, SsoService, HANDOFF_TTL_SECS, STATE_TTL_SECS};
use crate::service::auth::{token_hash, LoginOutcome};
use crate::service::{ServiceError, ServiceResult};
use crate::store::{SsoLogin, SsoLoginKind, SsoProvider};
use crate::types::ids::random_token;

/// The web apps a sign-in can return to.
pub const APPS: [&str; 2] = ["agent", "admin"];

/// A redirect to the provider: send the browser to `location`, and keep `state` in a
/// short-lived HttpOnly cookie so the callback comes from the same browser.
pub struct Started {
    pub location: String,
    pub state: String,
}

/// Why a sign-in ended without an account: a stable code and a sentence for the person.
#[derive(Debug)]
pub struct SsoFailure {
    pub code: &'static str,
    pub message: String,
}

impl SsoFailure {
    pub(super) fn new(code: &'static str, message: impl Into<String>) -> Self {
        SsoFailure {
            code,
            message: message.into(),
        }
    }

    /// The failure a service error stands for (internal details only in the log).
    pub fn from_service_error(e: ServiceError) -> Self {
        match e {
            ServiceError::Store(_) | ServiceError::Internal(_) => {
                tracing::error!(error = %e, "single sign-on failed");
                SsoFailure::new("internal", "internal server error")
            }
            ServiceError::Upstream(m) => SsoFailure::new("provider_failed", m),
            other => SsoFailure::new(other.code(), other.to_string()),
        }
    }
}

/// Where the callback ends: the web app (`agent` or `admin`) with a one-time code, or with
/// the reason it failed.
pub enum Callback {
    Done { app: String, code: String },
    Failed { app: String, failure: SsoFailure },
}

/// What the provider's callback carried.
pub struct CallbackInput<'a> {
    pub code: Option<&'a str>,
    pub state: Option<&'a str>,
    pub error: Option<&'a str>,
    pub error_description: Option<&'a str>,
    /// The issuer the answer says it comes from (RFC 9207), when the provider sends it.
    pub iss: Option<&'a str>,
    /// The state the browser's cookie holds.
    pub cookie_state: Option<&'a str>,
}

impl SsoService {
    /// Starts a sign-in at the tenant's provider; `app` is where the browser returns.
    pub async fn start(&self, tenant_id: &str, app: &str) -> ServiceResult<Started> {
        let provider = self.enabled_provider(tenant_id).await?;
        let discovered = self.discover(&provider).await?;
        let state = random_token(43);
        let nonce = random_token(43);
        let verifier = random_token(64);
        let id = token_hash(&state);
        let challenge = BASE64URL_NOPAD.encode(&Sha256::digest(verifier.as_bytes()));
        let mut location = url::Url::parse(&discovered.metadata.authorization_endpoint)
            .map_err(|_| upstream("its authorization_endpoint is not a URL"))?;
        location
            .query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &provider.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &provider.scopes)
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        let app = if APPS.contains(&app) { app } else { "agent" };
        self.store
            .insert_sso_login(SsoLogin {
                verifier: self.sealer.seal(&format!("sso_state:{id}"), &verifier)?,
                id,
                kind: SsoLoginKind::State.as_str().into(),
                tenant_id: provider.tenant_id.clone(),
                user_id: None,
                app: app.into(),
                nonce,
                expires_at: Utc::now() + Duration::seconds(STATE_TTL_SECS),
            })
            .await?;
        Ok(Started {
            location: location.into(),
            state,
        })
    }

    /// Handles the provider's answer. The state works once and only in the browser that
    /// started the sign-in; nothing is created unless every check passed.
    pub async fn callback(&self, input: CallbackInput<'_>) -> Callback {
        let Some(state) = input.state.filter(|s| !s.is_empty()) else {
            return failed(
                "agent",
                SsoFailure::new("bad_state", "the sign-in answer has no state; start again"),
            );
        };
        let row = match self
            .store
            .take_sso_login(&token_hash(state), SsoLoginKind::State)
            .await
        {
            Ok(Some(row)) => row,
            Ok(None) => {
                return failed(
                    "agent",
                    SsoFailure::new(
                        "bad_state",
                        "this sign-in has expired or was already used; start again",
                    ),
                )
            }
            Err(e) => return failed("agent", SsoFailure::from_service_error(e.into())),
        };
        let app = row.app.clone();
        if input.cookie_state != Some(state) {
            return failed(
                &app,
                SsoFailure::new(
                    "bad_state",
                    "this sign-in was started in another browser; start again",
                ),
            );
        }
        if let Some(error) = input.error {
            let why = input.error_description.unwrap_or(error);
            let message: String = format!("the provider refused the sign-in: {why}")
                .chars()
                .take(300)
                .collect();
            return failed(&app, SsoFailure::new("provider_refused", message));
        }
        let Some(code) = input.code.filter(|c| !c.is_empty()) else {
            return failed(
                &app,
                SsoFailure::new("bad_state", "the sign-in answer has no code"),
            );
        };
        match self.finish(&row, code, input.iss).await {
            Ok(Ok(code)) => Callback::Done { app, code },
            Ok(Err(failure)) => failed(&app, failure),
            Err(e) => failed(&app, SsoFailure::from_service_error(e)),
        }
    }

    /// Trades the one-time code the callback gave the web app for a session (or, with
    /// two-factor sign-in on, for its challenge). The code works once, for a minute.
    pub async fn exchange(&self, code: &str) -> ServiceResult<LoginOutcome> {
        let invalid = ServiceError::Unauthorized("invalid or expired single sign-on code");
        let row = self
            .store
            .take_sso_login(&token_hash(code), SsoLoginKind::Handoff)
            .await?
            .ok_or(invalid)?;
        let user_id = row.user_id.as_deref().unwrap_or_default();
        let user = self
            .store
            .get_user(&row.tenant_id, user_id)
            .await
            .map_err(|_| ServiceError::Unauthorized("invalid or expired single sign-on code"))?;
        self.auth.sign_in_verified(user).await
    }

    async fn enabled_provider(&self, tenant_id: &str) -> ServiceResult<SsoProvider> {
        self.store
            .get_sso_provider(tenant_id)
            .await?
            .filter(|p| p.enabled)
            .ok_or(ServiceError::NotFound("single sign-on for this tenant"))
    }

    async fn finish(
        &self,
        row: &SsoLogin,
        code: &str,
        iss: Option<&str>,
    ) -> ServiceResult<Result<String, SsoFailure>> {
        let provider = self.enabled_provider(&row.tenant_id).await?;
        let discovered = self.discover(&provider).await?;
        if iss.is_some_and(|iss| iss != discovered.metadata.issuer) {
            // RFC 9207: an answer from another provider (mix-up): the code is not redeemed.
            return Err(upstream("the answer names another issuer"));
        }
        let verifier = self
            .sealer
            .open(&format!("sso_state:{}", row.id), &row.verifier)?;
        let tokens = self.redeem(&provider, &discovered, code, &verifier).await?;
        let id_token = tokens
            .id_token
            .ok_or_else(|| upstream("the token answer has no id_token"))?;
        let mut claims = self
            .verify_id_token(&provider, &discovered, &id_token, &row.nonce)
            .await?;
        if claims.email.is_none() {
            if let (Some(url), Some(access)) = (
                discovered.metadata.userinfo_endpoint.as_deref(),
                tokens.access_token.as_deref(),
            ) {
                claims = self.userinfo(url, access, &claims.sub).await?;
            }
        }
        let Some(email) = claims.email.as_deref().filter(|e| e.contains('@')) else {
            return Ok(Err(SsoFailure::new(
                "no_email",
                "the provider did not tell your e-mail address (ask for the `email` scope)",
            )));
        };
        if !claims.email_is_verified() {
            return Ok(Err(SsoFailure::new(
                "email_not_verified",
                format!("the provider has not verified {email}; verify it there first"),
            )));
        }
        let user = match self
            .account_for(&provider, email, claims.name.as_deref())
            .await?
        {
            Ok(user) => user,
            Err(failure) => return Ok(Err(failure)),
        };
        let handoff = random_token(43);
        self.store
            .insert_sso_login(SsoLogin {
                id: token_hash(&handoff),
                kind: SsoLoginKind::Handoff.as_str().into(),
                tenant_id: user.tenant_id.clone(),
                user_id: Some(user.id.clone()),
                app: row.app.clone(),
                nonce: String::new(),
                verifier: String::new(),
                expires_at: Utc::now() + Duration::seconds(HANDOFF_TTL_SECS),
            })
            .await?;
        Ok(Ok(handoff))
    }
}

fn failed(app: &str, failure: SsoFailure) -> Callback {
    tracing::info!(code = failure.code, reason = %failure.message, "single sign-on refused");
    Callback::Failed {
        app: app.to_string(),
        failure,
    }
}
