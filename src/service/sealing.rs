//! Secrets the database must keep readable (two-factor keys, sign-on client secrets, webhook
//! signing secrets, SMTP passwords) are stored sealed: AES-256-GCM under a key derived from
//! `auth.secret_key`, with a random nonce per value and the value's purpose as associated
//! data, so a sealed value copied into another row or column does not open.

use std::sync::Arc;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use data_encoding::BASE64URL_NOPAD;
use sha2::{Digest, Sha256};

use super::{ServiceError, ServiceResult};

/// Marks a sealed value (and its format version).
pub const PREFIX: &str = "sealed1:";
const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct Sealer {
    cipher: Arc<Aes256Gcm>,
}

impl Sealer {
    /// A sealer whose key is derived from the configured secret.
    pub fn new(secret: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"uniqchat sealing key v1\0");
        hasher.update(secret.as_bytes());
        let key: [u8; 32] = hasher.finalize().into();
        Sealer {
            cipher: Arc::new(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key))),
        }
    }

    /// Seals `plain` for one purpose, e.g. `two_factor:<user id>`.
    pub fn seal(&self, purpose: &str, plain: &str) -> ServiceResult<String> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| ServiceError::Internal("cannot seal a secret".into()))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", BASE64URL_NOPAD.encode(&bytes)))
    }

    /// Opens what `seal` made for the same purpose.
    pub fn open(&self, purpose: &str, sealed: &str) -> ServiceResult<String> {
        let unreadable = || {
            ServiceError::Internal(
                "a sealed secret cannot be opened (was auth.secret_key changed?)".into(),
            )
        };
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| BASE64URL_NOPAD.decode(b.as_bytes()).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or_else(unreadable)?;
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| unreadable())?;
        String::from_utf8(plain).map_err(|_| unreadable())
    }

    /// Whether a stored value was sealed (values stored before sealing existed were not).
    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_what_it_sealed_for_the_same_purpose_only() {
        let sealer = Sealer::new("a secret of more than thirty-two characters");
        let sealed = sealer.seal("two_factor:u1", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(Sealer::is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            sealer.open("two_factor:u1", &sealed).unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(sealer.open("two_factor:u2", &sealed).is_err());
        let other = Sealer::new("another secret of more than thirty-two characters");
        assert!(other.open("two_factor:u1", &sealed).is_err());
        // The same value sealed twice differs (a fresh nonce each time).
        assert_ne!(
            sealed,
            sealer.seal("two_factor:u1", "JBSWY3DPEHPK3PXP").unwrap()
        );
    }

    #[test]
    fn refuses_garbage() {
        let sealer = Sealer::new("a secret of more than thirty-two characters");
        for bad in [
            "",
            "sealed1:",
            "sealed1:!!!",
            "JBSWY3DPEHPK3PXP",
            "sealed1:AAAA",
        ] {
            assert!(sealer.open("p", bad).is_err(), "{bad}");
        }
    }
}
