//! The link in a reply mail that reopens the widget with the conversation: the visitor's
//! identity and an expiry, signed with HMAC-SHA256 under a key derived from `auth.secret_key`.
//! The widget sends it as `reopen_token` when it starts its session.

use chrono::Utc;
use data_encoding::BASE64URL_NOPAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct ReopenLinks {
    key: [u8; 32],
}

/// Who a valid token names.
#[derive(Debug, PartialEq, Eq)]
pub struct Reopen {
    pub tenant_id: String,
    pub visitor_id: String,
}

impl ReopenLinks {
    pub fn new(secret: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"uniqchat reopen link v1\0");
        hasher.update(secret.as_bytes());
        ReopenLinks {
            key: hasher.finalize().into(),
        }
    }

    fn mac(&self, payload: &str) -> Vec<u8> {
        // A 32-byte key is always accepted.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(payload.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// A token for the visitor, valid for `ttl_secs`.
    pub fn sign(&self, tenant_id: &str, visitor_id: &str, ttl_secs: u64) -> String {
        let exp = Utc::now().timestamp() + ttl_secs as i64;
        let payload = BASE64URL_NOPAD.encode(format!("{tenant_id}|{visitor_id}|{exp}").as_bytes());
        let sig = BASE64URL_NOPAD.encode(&self.mac(&payload));
        format!("{payload}.{sig}")
    }

    /// The visitor a token names, if it is genuine and not expired.
    pub fn verify(&self, token: &str) -> Option<Reopen> {
        let (payload, sig) = token.split_once('.')?;
        let sig = BASE64URL_NOPAD.decode(sig.as_bytes()).ok()?;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).ok()?;
        mac.update(payload.as_bytes());
        mac.verify_slice(&sig).ok()?;
        let plain = String::from_utf8(BASE64URL_NOPAD.decode(payload.as_bytes()).ok()?).ok()?;
        let mut parts = plain.split('|');
        let (tenant_id, visitor_id, exp) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || exp.parse::<i64>().ok()? < Utc::now().timestamp() {
            return None;
        }
        Some(Reopen {
            tenant_id: tenant_id.into(),
            visitor_id: visitor_id.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_opens_and_a_changed_one_does_not() {
        let links = ReopenLinks::new("k");
        let t = links.sign("t1", "v1", 60);
        assert_eq!(
            links.verify(&t),
            Some(Reopen {
                tenant_id: "t1".into(),
                visitor_id: "v1".into()
            })
        );
        assert_eq!(ReopenLinks::new("other").verify(&t), None);
        let forged = format!(
            "{}.{}",
            BASE64URL_NOPAD.encode(b"t1|v2|99999999999"),
            t.split_once('.').unwrap().1
        );
        assert_eq!(links.verify(&forged), None);
        assert_eq!(links.verify("garbage"), None);
    }

    #[test]
    fn an_expired_token_does_not_open() {
        let links = ReopenLinks::new("k");
        let payload = BASE64URL_NOPAD.encode(b"t1|v1|1");
        let sig = BASE64URL_NOPAD.encode(&links.mac(&payload));
        assert_eq!(links.verify(&format!("{payload}.{sig}")), None);
    }
}
