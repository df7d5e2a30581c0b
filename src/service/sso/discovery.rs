//! The provider's metadata (`{issuer}/.well-known/openid-configuration`) and its signing keys
//! (JWKS), fetched with timeouts and cached per tenant for a while.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::Jwk;
use serde::Deserialize;

use super::{upstream, SsoService};
use crate::service::ServiceResult;
use crate::store::SsoProvider;

/// How long a provider's metadata and keys are used before they are fetched again.
const CACHE_TTL: Duration = Duration::from_secs(600);

/// What the flow needs of a provider's discovery document.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
}

/// A provider as last fetched.
#[derive(Clone)]
pub(super) struct Discovered {
    pub metadata: Metadata,
    pub keys: Vec<Jwk>,
}

struct Entry {
    issuer: String,
    fetched: Instant,
    discovered: Discovered,
}

#[derive(Default)]
pub(super) struct DiscoveryCache {
    by_tenant: Mutex<HashMap<String, Entry>>,
}

impl DiscoveryCache {
    fn get(&self, tenant_id: &str, issuer: &str) -> Option<Discovered> {
        let map = self.by_tenant.lock().ok()?;
        let entry = map.get(tenant_id)?;
        (entry.issuer == issuer && entry.fetched.elapsed() < CACHE_TTL)
            .then(|| entry.discovered.clone())
    }

    fn put(&self, tenant_id: &str, issuer: &str, discovered: Discovered) {
        if let Ok(mut map) = self.by_tenant.lock() {
            map.insert(
                tenant_id.to_string(),
                Entry {
                    issuer: issuer.to_string(),
                    fetched: Instant::now(),
                    discovered,
                },
            );
        }
    }

    pub(super) fn forget(&self, tenant_id: &str) {
        if let Ok(mut map) = self.by_tenant.lock() {
            map.remove(tenant_id);
        }
    }
}

#[derive(Deserialize)]
struct RawKeySet {
    keys: Vec<serde_json::Value>,
}

impl SsoService {
    /// The provider's metadata and keys, from the cache while they are fresh.
    pub(super) async fn discover(&self, provider: &SsoProvider) -> ServiceResult<Discovered> {
        if let Some(d) = self.discovery.get(&provider.tenant_id, &provider.issuer) {
            return Ok(d);
        }
        let d = self.fetch(&provider.issuer).await?;
        self.discovery
            .put(&provider.tenant_id, &provider.issuer, d.clone());
        Ok(d)
    }

    /// Fetches again (a key the cached set does not have: the provider rotated its keys).
    pub(super) async fn rediscover(&self, provider: &SsoProvider) -> ServiceResult<Discovered> {
        self.discovery.forget(&provider.tenant_id);
        self.discover(provider).await
    }

    async fn fetch(&self, issuer: &str) -> ServiceResult<Discovered> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let metadata: Metadata = self.get_json(&url, "discovery document").await?;
        if metadata.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
            return Err(upstream(format!(
                "the discovery document names issuer '{}', not '{issuer}'",
                metadata.issuer
            )));
        }
        if let Some(methods) = &metadata.code_challenge_methods_supported {
            if !methods.iter().any(|m| m == "S256") {
                return Err(upstream("the provider does not support PKCE with S256"));
            }
        }
        let raw: RawKeySet = self.get_json(&metadata.jwks_uri, "key set (JWKS)").await?;
        // Keys of kinds this server does not verify with (e.g. encryption keys) are skipped.
        let keys: Vec<Jwk> = raw
            .keys
            .into_iter()
            .filter_map(|k| serde_json::from_value::<Jwk>(k).ok())
            .collect();
        if keys.is_empty() {
            return Err(upstream("the key set (JWKS) has no usable signing key"));
        }
        Ok(Discovered { metadata, keys })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        what: &str,
    ) -> ServiceResult<T> {
        let response = self
            .http
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| upstream(format!("cannot fetch its {what} at {url}: {}", short(&e))))?;
        if !response.status().is_success() {
            return Err(upstream(format!(
                "its {what} at {url} answered HTTP {}",
                response.status().as_u16()
            )));
        }
        response
            .json()
            .await
            .map_err(|_| upstream(format!("its {what} at {url} is not the JSON expected")))
    }
}

/// A reqwest error without the chain of sources (which may repeat the URL).
pub(super) fn short(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_decode() {
        "unreadable answer"
    } else {
        "request failed"
    }
}
