//! Verified visitor identity: the site's backend signs its user's id with the tenant's identity
//! secret (`hex(HMAC-SHA256(secret, user_id))`); the widget hands both to `identify`, and a
//! right signature binds the browser to the one visitor with that external id, on every device.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::IntegrationService;
use crate::service::authz::{Actor, Permission};
use crate::service::outbox::events;
use crate::service::{validate, Checks, ServiceError, ServiceResult};
use crate::store::{Conversation, NewVisitor, StoreError, Visitor};
use crate::types::ids::random_token;

/// Longest external user id, in bytes (the column holds 200).
const USER_ID_MAX: usize = 200;
/// Most custom attributes per visitor.
pub const ATTRIBUTES_MAX: usize = 50;
/// Longest attribute name, in characters.
const ATTRIBUTE_KEY_MAX: usize = 64;
/// Longest attribute text value, in characters.
const ATTRIBUTE_VALUE_MAX: usize = 500;

/// What the widget sends for `uniqchat('identify', {...})`.
pub struct Identify {
    pub user_id: String,
    pub user_hash: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub attributes: Option<serde_json::Value>,
}

/// The verified visitor the browser now is, with a visitor token for them.
pub struct Identified {
    pub token: String,
    pub visitor: Visitor,
    pub conversation: Option<Conversation>,
    /// True when the browser was another visitor before (its token must be replaced).
    pub switched: bool,
}

fn purpose(tenant_id: &str) -> String {
    format!("identity:{tenant_id}")
}

/// `hex(HMAC-SHA256(secret, user_id))`, compared in constant time.
fn hash_matches(secret: &str, user_id: &str, user_hash: &str) -> bool {
    let Ok(given) = hex::decode(user_hash.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(user_id.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// A flat JSON object of at most `ATTRIBUTES_MAX` keys with short keys and scalar values.
fn check_attributes(value: &serde_json::Value) -> ServiceResult<()> {
    let Some(map) = value.as_object() else {
        return Err(ServiceError::invalid("attributes", "must be a JSON object"));
    };
    if map.len() > ATTRIBUTES_MAX {
        return Err(ServiceError::invalid(
            "attributes",
            format!("at most {ATTRIBUTES_MAX} keys"),
        ));
    }
    for (key, v) in map {
        if key.is_empty() || key.chars().count() > ATTRIBUTE_KEY_MAX {
            return Err(ServiceError::invalid(
                "attributes",
                format!("a key must be 1 to {ATTRIBUTE_KEY_MAX} characters"),
            ));
        }
        let ok = match v {
            serde_json::Value::String(s) => s.chars().count() <= ATTRIBUTE_VALUE_MAX,
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) | serde_json::Value::Null => {
                true
            }
            _ => false,
        };
        if !ok {
            return Err(ServiceError::invalid(
                format!("attributes.{key}"),
                format!("must be a number, true/false, null or text of at most {ATTRIBUTE_VALUE_MAX} characters"),
            ));
        }
    }
    Ok(())
}

impl IntegrationService {
    /// The tenant's identity secret, made on first use (owners and admins: the site's backend
    /// needs it).
    pub async fn identity_secret(&self, actor: &Actor) -> ServiceResult<String> {
        actor.require(Permission::IdentityWrite)?;
        actor.require_user()?;
        match self.open_secret(&actor.tenant_id).await? {
            Some(secret) => Ok(secret),
            None => self.new_secret(&actor.tenant_id).await,
        }
    }

    /// Replaces the identity secret: hashes made with the old one stop verifying at once.
    pub async fn regenerate_identity_secret(&self, actor: &Actor) -> ServiceResult<String> {
        actor.require(Permission::IdentityWrite)?;
        actor.require_user()?;
        let secret = self.new_secret(&actor.tenant_id).await?;
        self.admin_audit(actor, "identity_secret.regenerate")
            .await?;
        Ok(secret)
    }

    async fn open_secret(&self, tenant_id: &str) -> ServiceResult<Option<String>> {
        match self.store.get_identity_secret(tenant_id).await? {
            Some(sealed) => Ok(Some(self.sealer.open(&purpose(tenant_id), &sealed)?)),
            None => Ok(None),
        }
    }

    async fn new_secret(&self, tenant_id: &str) -> ServiceResult<String> {
        let secret = format!("ids_{}", random_token(40));
        let sealed = self.sealer.seal(&purpose(tenant_id), &secret)?;
        self.store.put_identity_secret(tenant_id, &sealed).await?;
        Ok(secret)
    }

    /// Verifies `user_hash` and binds the browser (its visitor token) to the visitor with
    /// external id `user_id`: the one already bound on another device, or this browser's own
    /// visitor when it had no external id yet, or a new one. Nothing changes on a wrong hash.
    pub async fn identify(&self, visitor_token: &str, id: Identify) -> ServiceResult<Identified> {
        let me = self.auth.authenticate_visitor(visitor_token)?;
        let mut checks = Checks::default();
        if id.user_id.is_empty() || id.user_id.len() > USER_ID_MAX {
            checks.fail("user_id", format!("must be 1 to {USER_ID_MAX} bytes"));
        }
        if id.user_hash.trim().is_empty() {
            checks.fail("user_hash", "is required");
        }
        let email = match id.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => checks.take(validate::email(e)),
            None => None,
        };
        let name = match id.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => checks.take(validate::name("name", n, 200)),
            None => None,
        };
        if let Some(a) = &id.attributes {
            checks.take(check_attributes(a));
        }
        checks.finish()?;
        let tenant_id = me.tenant_id.as_str();
        let current = self.store.get_visitor(tenant_id, &me.visitor_id).await?;
        let Some(secret) = self.open_secret(tenant_id).await? else {
            return Err(ServiceError::Forbidden(
                "identity verification is not set up for this site",
            ));
        };
        if !hash_matches(&secret, &id.user_id, &id.user_hash) {
            tracing::info!(tenant = %tenant_id, visitor = %current.id, "identify refused: wrong user_hash");
            return Err(ServiceError::Forbidden("user_hash does not match user_id"));
        }
        let target = self.bound_visitor(tenant_id, &current, &id.user_id).await?;
        let visitor = self
            .store
            .update_visitor_profile(
                tenant_id,
                &target.id,
                name.as_deref(),
                email.as_deref(),
                None,
                id.attributes.as_ref(),
            )
            .await?;
        let conversation = self
            .store
            .find_open_conversation(tenant_id, &visitor.id)
            .await?;
        if self
            .hooks
            .wants(tenant_id, events::VISITOR_IDENTIFIED)
            .await
        {
            let event = events::visitor_identified(&visitor, visitor.id != current.id);
            self.store.record_event(tenant_id, &event).await?;
        }
        Ok(Identified {
            token: self.auth.issue_visitor_token(tenant_id, &visitor.id)?,
            switched: visitor.id != current.id,
            visitor,
            conversation,
        })
    }

    /// The visitor that external id `user_id` is: the one bound already; else this browser's
    /// visitor if it is still anonymous; else (it is another user's) a new one.
    async fn bound_visitor(
        &self,
        tenant_id: &str,
        current: &Visitor,
        user_id: &str,
    ) -> ServiceResult<Visitor> {
        if let Some(v) = self
            .store
            .find_visitor_by_external_id(tenant_id, user_id)
            .await?
        {
            return Ok(v);
        }
        let bound = if current.external_id.is_none() {
            self.store
                .bind_visitor_external_id(tenant_id, &current.id, user_id)
                .await
        } else {
            self.store
                .create_visitor(
                    tenant_id,
                    NewVisitor {
                        external_id: Some(user_id.to_string()),
                        ip: current.ip.clone(),
                        user_agent: current.user_agent.clone(),
                        ..Default::default()
                    },
                )
                .await
        };
        match bound {
            Ok(v) => Ok(v),
            // Another device bound the same user at the same moment: that visitor it is.
            Err(StoreError::Conflict(_)) => self
                .store
                .find_visitor_by_external_id(tenant_id, user_id)
                .await?
                .ok_or(ServiceError::Conflict(
                    "the visitor changed meanwhile".into(),
                )),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_hex_hmac_sha256() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), RFC 4231 style.
        let good = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
        let msg = "The quick brown fox jumps over the lazy dog";
        assert!(hash_matches("key", msg, good));
        assert!(hash_matches("key", msg, &good.to_uppercase()));
        assert!(!hash_matches("key", "someone else", good));
        assert!(!hash_matches("other", msg, good));
        assert!(!hash_matches("key", msg, "not hex"));
        assert!(!hash_matches("key", msg, &good[..62]));
    }

    #[test]
    fn attributes_are_flat_and_bounded() {
        use serde_json::json;
        assert!(check_attributes(&json!({"plan": "pro", "orders": 3, "vip": true})).is_ok());
        assert!(check_attributes(&json!(["plan"])).is_err());
        assert!(check_attributes(&json!({"nested": {"a": 1}})).is_err());
        assert!(check_attributes(&json!({"long": "x".repeat(501)})).is_err());
        let many: serde_json::Map<_, _> = (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(check_attributes(&serde_json::Value::Object(many)).is_err());
    }
}
