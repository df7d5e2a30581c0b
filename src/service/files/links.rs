//! Signed, expiring download links: `/files/{id}?exp=…&sig=…` (and `&thumb=true`).
//!
//! The signature is an HMAC-SHA256 over the file's tenant, conversation, id, variant and
//! expiry, under a key derived from the token secret: a link for one file opens no other,
//! and stops working at `exp`.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct LinkSigner {
    key: [u8; 32],
}

/// Which bytes a link serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original,
    Thumbnail,
}

impl Variant {
    fn as_str(self) -> &'static str {
        match self {
            Variant::Original => "original",
            Variant::Thumbnail => "thumbnail",
        }
    }
}

/// What a link names.
pub struct LinkTarget<'a> {
    pub tenant_id: &'a str,
    pub conversation_id: &'a str,
    pub file_id: &'a str,
    pub variant: Variant,
}

impl LinkSigner {
    pub fn new(secret: &str) -> Self {
        let mut h = Sha256::new();
        h.update(b"uniqchat file links\0");
        h.update(secret.as_bytes());
        LinkSigner {
            key: h.finalize().into(),
        }
    }

    fn mac(&self, t: &LinkTarget<'_>, exp: i64) -> HmacSha256 {
        // A 32-byte key always fits HMAC.
        let mut mac = HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        let message = format!(
            "{}\n{}\n{}\n{}\n{exp}",
            t.tenant_id,
            t.conversation_id,
            t.file_id,
            t.variant.as_str()
        );
        mac.update(message.as_bytes());
        mac
    }

    /// The query string of a link that works until `exp` (Unix seconds).
    pub fn sign(&self, t: &LinkTarget<'_>, exp: i64) -> String {
        let sig = hex::encode(self.mac(t, exp).finalize().into_bytes());
        match t.variant {
            Variant::Original => format!("exp={exp}&sig={sig}"),
            Variant::Thumbnail => format!("exp={exp}&sig={sig}&thumb=true"),
        }
    }

    /// Whether `sig` was made by `sign` for this target and expiry (compared in constant time).
    pub fn verify(&self, t: &LinkTarget<'_>, exp: i64, sig: &str) -> bool {
        let Ok(raw) = hex::decode(sig) else {
            return false;
        };
        self.mac(t, exp).verify_slice(&raw).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_opens_only_its_own_file() {
        let s = LinkSigner::new("a secret of at least thirty-two characters");
        let t = |file_id| LinkTarget {
            tenant_id: "t1",
            conversation_id: "c1",
            file_id,
            variant: Variant::Original,
        };
        let q = s.sign(&t("f1"), 100);
        let sig = q.split("sig=").nth(1).unwrap_or_default();
        assert!(s.verify(&t("f1"), 100, sig));
        assert!(!s.verify(&t("f2"), 100, sig));
        assert!(!s.verify(&t("f1"), 101, sig));
        assert!(!s.verify(&t("f1"), 100, "zz"));
        let thumb = LinkTarget {
            variant: Variant::Thumbnail,
            ..t("f1")
        };
        assert!(!s.verify(&thumb, 100, sig));
        let other = LinkSigner::new("another secret of thirty-two characters!");
        assert!(!other.verify(&t("f1"), 100, sig));
    }
}
