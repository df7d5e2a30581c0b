//! The provider's token and userinfo endpoints: the authorization code for tokens, and the
//! claims of providers that keep the e-mail out of the ID token.

use serde::Deserialize;

use super::discovery::{short, Discovered};
use super::id_token::IdClaims;
use super::{upstream, SsoService};
use crate::service::ServiceResult;
use crate::store::SsoProvider;

#[derive(Deserialize)]
pub(super) struct TokenAnswer {
    #[serde(default)]
    pub id_token: Option<String>,
    #[serde(default)]
    pub access_token: Option<String>,
}

impl SsoService {
    /// The authorization code for tokens, authenticated as the client the way the provider
    /// supports (`client_secret_basic`, else `client_secret_post`; only the id without a secret).
    pub(super) async fn redeem(
        &self,
        provider: &SsoProvider,
        discovered: &Discovered,
        code: &str,
        verifier: &str,
    ) -> ServiceResult<TokenAnswer> {
        let mut form = vec![
            ("grant_type", "authorization_code".to_string()),
            ("code", code.to_string()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("code_verifier", verifier.to_string()),
        ];
        let methods = discovered
            .metadata
            .token_endpoint_auth_methods_supported
            .clone()
            .unwrap_or_else(|| vec!["client_secret_basic".into()]);
        let mut request = self.http.post(&discovered.metadata.token_endpoint);
        if provider.client_secret.is_empty() {
            form.push(("client_id", provider.client_id.clone()));
        } else {
            let secret = self.sealer.open(
                &Self::secret_purpose(&provider.tenant_id),
                &provider.client_secret,
            )?;
            if methods.iter().any(|m| m == "client_secret_basic") {
                request = request
                    .basic_auth(form_encode(&provider.client_id), Some(form_encode(&secret)));
            } else if methods.iter().any(|m| m == "client_secret_post") {
                form.push(("client_id", provider.client_id.clone()));
                form.push(("client_secret", secret));
            } else {
                return Err(upstream(
                    "it supports neither client_secret_basic nor client_secret_post",
                ));
            }
        }
        let response = request
            .header("accept", "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| upstream(format!("the token request {}", short(&e))))?;
        let status = response.status();
        let body: serde_json::Value = response
            .json()
            .await
            .map_err(|_| upstream("the token answer is not JSON"))?;
        if !status.is_success() {
            let error = body["error"].as_str().unwrap_or("unknown error");
            return Err(upstream(format!("the token request was refused ({error})")));
        }
        serde_json::from_value(body)
            .map_err(|_| upstream("the token answer is not the JSON expected"))
    }

    /// The userinfo answer, for providers that keep the e-mail out of the ID token.
    pub(super) async fn userinfo(
        &self,
        url: &str,
        access_token: &str,
        sub: &str,
    ) -> ServiceResult<IdClaims> {
        let response = self
            .http
            .get(url)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|e| upstream(format!("the userinfo request {}", short(&e))))?;
        if !response.status().is_success() {
            return Err(upstream(format!(
                "the userinfo request answered HTTP {}",
                response.status().as_u16()
            )));
        }
        let claims: IdClaims = response
            .json()
            .await
            .map_err(|_| upstream("the userinfo answer is not the JSON expected"))?;
        if claims.sub != sub {
            return Err(upstream("the userinfo answer is about another subject"));
        }
        Ok(claims)
    }
}

/// RFC 6749 2.3.1: the client id and secret are form-encoded before Basic authentication.
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
