//! TOTP codes (RFC 6238) computed from the shared secret, as an authenticator app does.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The 6-digit code of the 30 s step `offset` steps from now.
pub fn code(secret_b32: &str, offset: i64) -> String {
    let secret = data_encoding::BASE32_NOPAD
        .decode(secret_b32.as_bytes())
        .expect("base32 secret");
    let step = chrono::Utc::now().timestamp().div_euclid(30) + offset;
    let mut mac = Hmac::<Sha1>::new_from_slice(&secret).unwrap();
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let o = usize::from(h[19] & 0x0f);
    let bin = u32::from_be_bytes([h[o] & 0x7f, h[o + 1], h[o + 2], h[o + 3]]);
    format!("{:06}", bin % 1_000_000)
}
