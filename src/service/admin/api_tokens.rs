use serde_json::json;

use super::AdminService;
use crate::service::auth::{token_hash, API_TOKEN_PREFIX};
use crate::service::authz::{Actor, Permission};
use crate::service::{validate, Checks, ServiceResult};
use crate::store::ApiToken;
use crate::types::ids::random_token;

pub struct CreatedApiToken {
    pub token: ApiToken,
    /// The secret, shown once; only its hash is stored.
    pub secret: String,
}

impl AdminService {
    pub async fn list_api_tokens(&self, actor: &Actor) -> ServiceResult<Vec<ApiToken>> {
        actor.require(Permission::ApiTokensWrite)?;
        Ok(self.store.list_api_tokens(&actor.tenant_id).await?)
    }

    pub async fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
        scopes: &[String],
    ) -> ServiceResult<CreatedApiToken> {
        actor.require(Permission::ApiTokensWrite)?;
        let mut checks = Checks::default();
        let name = checks.take(validate::name("name", name, 100));
        if scopes.is_empty() {
            checks.fail("scopes", "name at least one scope");
        }
        for scope in scopes {
            match Permission::parse(scope) {
                Some(p) if p.grantable() => {}
                _ => {
                    let grantable: Vec<&str> = Permission::all()
                        .filter(|p| p.grantable())
                        .map(Permission::as_str)
                        .collect();
                    checks.fail(
                        "scopes",
                        format!("'{scope}' is not one of: {}", grantable.join(", ")),
                    );
                }
            }
        }
        checks.finish()?;
        let mut scopes = scopes.to_vec();
        scopes.sort();
        scopes.dedup();
        let secret = format!("{API_TOKEN_PREFIX}{}", random_token(40));
        let token = self
            .store
            .create_api_token(
                &actor.tenant_id,
                &name.unwrap_or_default(),
                &token_hash(&secret),
                &scopes,
                actor.user_id(),
            )
            .await?;
        self.audit(
            actor,
            "api_token.create",
            "api_token",
            Some(&token.id),
            json!({ "name": token.name, "scopes": scopes }),
        )
        .await?;
        Ok(CreatedApiToken { token, secret })
    }

    pub async fn revoke_api_token(&self, actor: &Actor, id: &str) -> ServiceResult<()> {
        actor.require(Permission::ApiTokensWrite)?;
        self.store.revoke_api_token(&actor.tenant_id, id).await?;
        self.audit(actor, "api_token.revoke", "api_token", Some(id), json!({}))
            .await
    }
}
