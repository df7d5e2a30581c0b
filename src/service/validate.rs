//! Input rules shared by services.

use super::{ServiceError, ServiceResult};

/// Lower-cases and checks an e-mail address: one `@`, a local part, a dotted domain, no spaces.
pub fn email(raw: &str) -> ServiceResult<String> {
    let email = raw.trim().to_lowercase();
    let bad = || ServiceError::invalid("email", format!("'{raw}' is not a valid e-mail address"));
    if email.len() > 254 || email.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    if local.is_empty() || domain.contains('@') || !domain.contains('.') {
        return Err(bad());
    }
    if domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") {
        return Err(bad());
    }
    Ok(email)
}

/// Trims a required name and checks its length in characters.
pub fn name(field: &'static str, raw: &str, max: usize) -> ServiceResult<String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(ServiceError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(ServiceError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(value.to_string())
}

/// Why text with control characters is refused (they break PostgreSQL, logs and terminals).
pub const CONTROL_CHARS: &str =
    "must not contain control characters (tab, line feed and carriage return are allowed)";

/// Whether a character may appear in text input: anything but control characters, except
/// tab, line feed and carriage return (multi-line text from any platform).
pub fn allowed_char(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

/// Finds the first string (or object key) in a JSON value that holds a refused control
/// character, and names it by its path: `name`, `attributes.plan`, `items[2].body`.
pub fn check_text(value: &serde_json::Value) -> Result<(), (String, &'static str)> {
    fn walk(value: &serde_json::Value, path: &mut String) -> Result<(), ()> {
        match value {
            serde_json::Value::String(s) if !s.chars().all(allowed_char) => Err(()),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    if !key.chars().all(allowed_char) {
                        return Err(());
                    }
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    let mut path = String::new();
    walk(value, &mut path).map_err(|()| {
        if path.is_empty() {
            path.push_str("body");
        }
        (path, CONTROL_CHARS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_and_named() {
        use serde_json::json;
        assert!(check_text(&json!({"a": "line\r\nnext\ttab", "n": 5, "b": [true, null]})).is_ok());
        assert_eq!(
            check_text(&json!({"name": "a\u{0}b"})).unwrap_err().0,
            "name"
        );
        assert_eq!(
            check_text(&json!({"x": {"items": ["ok", "bell\u{7}"]}}))
                .unwrap_err()
                .0,
            "x.items[1]"
        );
        assert_eq!(check_text(&json!({"k": "del\u{7f}"})).unwrap_err().0, "k");
        assert_eq!(check_text(&json!({"k": "c1\u{85}"})).unwrap_err().0, "k");
        assert_eq!(
            check_text(&json!({"attrs": {"bad\u{1}key": 1}}))
                .unwrap_err()
                .0,
            "attrs"
        );
        assert_eq!(check_text(&json!("\u{0}")).unwrap_err().0, "body");
    }

    #[test]
    fn emails() {
        assert_eq!(email(" Ann@Example.COM ").unwrap(), "ann@example.com");
        for bad in [
            "",
            "ann",
            "@example.com",
            "ann@",
            "ann@example",
            "a b@x.io",
            "a@@x.io",
            "a@x..io",
        ] {
            assert!(email(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn names() {
        assert_eq!(name("name", "  Acme ", 10).unwrap(), "Acme");
        assert!(name("name", "   ", 10).is_err());
        assert!(name("name", "abcdefghijk", 10).is_err());
    }
}
