//! Identifiers and secrets: sortable ids for rows, random strings for keys and tokens.

use rand::distributions::Alphanumeric;
use rand::Rng;

/// A new row id: UUIDv7 text, so ids sort by creation time on every backend.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A random string of `len` ASCII letters and digits from the OS-seeded CSPRNG.
pub fn random_token(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// The public key that a site puts in its widget snippet.
pub fn new_site_key() -> String {
    format!("sk_{}", random_token(24))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_creation() {
        let a = new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new_id();
        assert!(a < b, "{a} should sort before {b}");
        assert_eq!(a.len(), 36);
    }

    #[test]
    fn tokens_are_random_and_sized() {
        let a = random_token(32);
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_token(32));
        assert!(new_site_key().starts_with("sk_"));
    }
}
