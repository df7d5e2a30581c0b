//! The ID token's checks: signed by one of the provider's keys with an asymmetric algorithm,
//! issued by the provider to this client, not expired, and carrying this sign-in's nonce.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::discovery::Discovered;
use super::{upstream, SsoService};
use crate::service::ServiceResult;
use crate::store::SsoProvider;

/// What the sign-in uses of the ID token (or of the userinfo answer).
#[derive(Debug, Deserialize)]
pub(super) struct IdClaims {
    pub sub: String,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Some providers send it as a string.
    #[serde(default)]
    pub email_verified: Option<serde_json::Value>,
    #[serde(default)]
    pub name: Option<String>,
}

impl IdClaims {
    pub(super) fn email_is_verified(&self) -> bool {
        match &self.email_verified {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => s == "true",
            _ => false,
        }
    }
}

/// Algorithms accepted for ID tokens: never `none` nor the HMAC family.
const ASYMMETRIC: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

impl SsoService {
    /// Checks the ID token; a key the cached set lacks makes one fresh fetch of the keys.
    pub(super) async fn verify_id_token(
        &self,
        provider: &SsoProvider,
        discovered: &Discovered,
        token: &str,
        nonce: &str,
    ) -> ServiceResult<IdClaims> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| upstream("the ID token is not a signed JWT"))?;
        if !ASYMMETRIC.contains(&header.alg) {
            return Err(upstream(format!(
                "the ID token is signed with {:?}, which is not accepted",
                header.alg
            )));
        }
        let key = match pick_key(&discovered.keys, header.kid.as_deref()) {
            Some(k) => k.clone(),
            None => {
                let fresh = self.rediscover(provider).await?;
                pick_key(&fresh.keys, header.kid.as_deref())
                    .cloned()
                    .ok_or_else(|| upstream("no key of the provider matches the ID token"))?
            }
        };
        let decoding = DecodingKey::from_jwk(&key)
            .map_err(|_| upstream("the provider's signing key is not usable"))?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = 60;
        validation.set_issuer(&[discovered.metadata.issuer.as_str()]);
        validation.set_audience(&[provider.client_id.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<IdClaims>(token, &decoding, &validation)
            .map_err(|e| upstream(format!("the ID token was refused: {e}")))?
            .claims;
        if claims.nonce.as_deref() != Some(nonce) {
            return Err(upstream("the ID token does not carry this sign-in's nonce"));
        }
        Ok(claims)
    }
}

/// The key named by `kid`, or the only signing key when the token names none.
fn pick_key<'a>(keys: &'a [Jwk], kid: Option<&str>) -> Option<&'a Jwk> {
    let signing = |k: &&Jwk| {
        !matches!(
            k.common.public_key_use,
            Some(jsonwebtoken::jwk::PublicKeyUse::Encryption)
        )
    };
    match kid {
        Some(kid) => keys
            .iter()
            .filter(signing)
            .find(|k| k.common.key_id.as_deref() == Some(kid)),
        None => {
            let mut usable = keys.iter().filter(signing);
            let first = usable.next();
            if usable.next().is_some() {
                None
            } else {
                first
            }
        }
    }
}
