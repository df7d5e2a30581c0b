//! Single sign-on with OpenID Connect (authorization code + PKCE), one provider per tenant.
//!
//! - `settings`: the admin side (the provider's issuer, client, scopes, provisioning rules);
//! - `discovery`: the provider's metadata and signing keys, fetched and cached per tenant;
//! - `flow`: the redirect to the provider, its answer at the callback, the one-time code the
//!   web app trades for a session;
//! - `id_token`: the ID token's checks (signature by the provider's keys, iss, aud, exp, nonce);
//! - `provisioning`: from a verified e-mail to an account of the tenant.

mod discovery;
mod flow;
mod id_token;
mod provisioning;
mod settings;
mod tokens;

use std::sync::Arc;
use std::time::Duration;

pub use flow::{Callback, CallbackInput, SsoFailure, Started, APPS};
pub use settings::{SsoSettings, SsoSettingsInput};

use super::auth::AuthService;
use super::sealing::Sealer;
use super::{ServiceError, ServiceResult};
use crate::store::Store;
use discovery::DiscoveryCache;

/// Where the provider sends the browser back to, under the server's public URL.
pub const CALLBACK_PATH: &str = "/api/auth/sso/callback";
/// How long a redirect to the provider may take to come back.
pub const STATE_TTL_SECS: i64 = 600;
/// How long the web app has to trade its one-time code for a session.
const HANDOFF_TTL_SECS: i64 = 60;
/// Timeout of every request to a provider.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct SsoService {
    store: Store,
    sealer: Sealer,
    auth: AuthService,
    http: reqwest::Client,
    discovery: Arc<DiscoveryCache>,
    /// `{public_url}/api/auth/sso/callback`: register it at the provider.
    redirect_uri: String,
}

/// What the login page may know about a tenant's single sign-on (nothing secret).
pub struct SsoButton {
    pub enabled: bool,
    pub display_name: String,
}

impl SsoService {
    pub fn new(store: Store, sealer: Sealer, auth: AuthService, public_url: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(PROVIDER_TIMEOUT)
            .connect_timeout(PROVIDER_TIMEOUT)
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("uniqchat/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        SsoService {
            store,
            sealer,
            auth,
            http,
            discovery: Arc::new(DiscoveryCache::default()),
            redirect_uri: format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/')),
        }
    }

    /// The redirect URI to register at the provider.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Whether the tenant offers single sign-on, and the button's label. Unknown tenants and
    /// tenants without it answer the same (`enabled: false`).
    pub async fn button(&self, tenant_id: &str) -> ServiceResult<SsoButton> {
        let provider = self.store.get_sso_provider(tenant_id).await?;
        Ok(match provider {
            Some(p) if p.enabled => SsoButton {
                enabled: true,
                display_name: p.display_name,
            },
            _ => SsoButton {
                enabled: false,
                display_name: String::new(),
            },
        })
    }

    fn secret_purpose(tenant_id: &str) -> String {
        format!("sso:{tenant_id}")
    }
}

/// A failure of the provider or of what it answered: 502 with the reason.
fn upstream(what: impl std::fmt::Display) -> ServiceError {
    ServiceError::Upstream(format!("single sign-on provider: {what}"))
}
