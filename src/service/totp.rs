//! Time-based one-time passwords (RFC 6238 with RFC 4226's truncation): the codes an
//! authenticator app shows, HMAC-SHA1 over 30-second steps of a shared secret, 6 digits.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

/// Seconds per code.
pub const STEP_SECS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Bytes of a new shared secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Codes of this many steps before and after now are accepted too (clock drift).
const DRIFT_STEPS: i64 = 1;

/// A new random shared secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

/// The secret as authenticator apps take it: base32 without padding.
pub fn encode_secret(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

pub fn decode_secret(encoded: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD.decode(encoded.as_bytes()).ok()
}

/// The step a Unix time falls in.
pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The `digits`-digit code of `step` (RFC 4226 HOTP with the step as counter).
pub fn code(secret: &[u8], step: i64, digits: u32) -> u32 {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return u32::MAX;
    };
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let bin = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    bin % 10u32.pow(digits)
}

/// The step whose code `given` is, within the allowed drift around `unix_secs`, if any.
/// Spaces in `given` are ignored (apps show "123 456").
pub fn matching_step(secret: &[u8], given: &str, unix_secs: i64) -> Option<i64> {
    let given: String = given.chars().filter(|c| !c.is_whitespace()).collect();
    if given.len() != DIGITS as usize || !given.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let given: u32 = given.parse().ok()?;
    let now = step_of(unix_secs);
    let mut found = None;
    // Look at every candidate, so the time taken does not tell which one matched.
    for step in now - DRIFT_STEPS..=now + DRIFT_STEPS {
        if code(secret, step, DIGITS) == given {
            found = found.or(Some(step));
        }
    }
    found
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let label = format!("{}:{}", escape(issuer), escape(account));
    format!(
        "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        encode_secret(secret),
        escape(issuer)
    )
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (8 digits).
    #[test]
    fn rfc6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, expected) in [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(code(secret, step_of(t), 8), expected, "T = {t}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_one_either_side_only() {
        let secret = new_secret();
        let now = 1_700_000_000;
        let current = format!("{:06}", code(&secret, step_of(now), DIGITS));
        assert_eq!(matching_step(&secret, &current, now), Some(step_of(now)));
        let spaced = format!("{} {}", &current[..3], &current[3..]);
        assert_eq!(matching_step(&secret, &spaced, now), Some(step_of(now)));
        assert!(matching_step(&secret, &current, now + STEP_SECS).is_some());
        assert_eq!(matching_step(&secret, &current, now + 3 * STEP_SECS), None);
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn secrets_round_trip_through_base32_and_the_uri_names_them() {
        let secret = new_secret();
        let encoded = encode_secret(&secret);
        assert_eq!(decode_secret(&encoded), Some(secret.clone()));
        let uri = otpauth_uri("Acme Shop", "ann@acme.test", &secret);
        assert!(uri.starts_with("otpauth://totp/Acme%20Shop:ann@acme.test?secret="));
        assert!(uri.contains(&encoded));
    }
}
