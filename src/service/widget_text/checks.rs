//! The rules for the pre-chat form and the texts per language.

use std::collections::{BTreeMap, BTreeSet};

use crate::service::{Checks, ServiceError, ServiceResult};
use crate::types::widget_text::{FieldKind, LanguageTexts, Prechat, PrechatField};

/// Longest draft forwarded with a typing frame, in characters.
pub const DRAFT_MAX: usize = 500;
const MESSAGE_MAX: usize = 1000;
const LABEL_MAX: usize = 100;
const FIELDS_MAX: usize = 10;
const OPTIONS_MAX: usize = 20;
const KEY_MAX: usize = 32;
const LANGUAGES_MAX: usize = 20;

/// A language tag like `en`, `zh` or `zh-tw`: 2 or 3 letters, optionally a hyphen and 2 to 8
/// letters or digits; lower case.
pub fn check_language_code(field: &str, code: &str) -> ServiceResult<()> {
    let ok = match code.split_once('-') {
        Some((lang, region)) => primary(lang) && subtag(region),
        None => primary(code),
    };
    if ok {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            field,
            format!("'{code}' is not a language code like en, zh or zh-tw"),
        ))
    }
}

fn primary(s: &str) -> bool {
    (2..=3).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase())
}

fn subtag(s: &str) -> bool {
    (2..=8).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// An attribute key: starts with a letter, then letters, digits or `_`; at most 32.
pub(super) fn is_key(key: &str) -> bool {
    key.len() <= KEY_MAX
        && key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// One line of at most `max` characters without control characters; empty allowed.
fn line(checks: &mut Checks, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        checks.fail(field, format!("must be at most {max} characters"));
    }
    if value.chars().any(char::is_control) {
        checks.fail(field, "must be one line without control characters");
    }
    value.to_string()
}

/// Text of at most `max` characters; line breaks allowed, other control characters not.
fn paragraph(checks: &mut Checks, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        checks.fail(field, format!("must be at most {max} characters"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        checks.fail(
            field,
            "must not contain control characters other than line breaks",
        );
    }
    value.to_string()
}

pub(super) fn prechat(checks: &mut Checks, p: Prechat) -> Prechat {
    if p.fields.len() > FIELDS_MAX {
        checks.fail("prechat.fields", format!("at most {FIELDS_MAX} fields"));
    }
    let mut keys = BTreeSet::new();
    let fields = p
        .fields
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let at = format!("prechat.fields[{i}]");
            if !is_key(&f.key) {
                checks.fail(
                    &format!("{at}.key"),
                    "must be 1 to 32 of a-z, 0-9 and _, starting with a letter",
                );
            } else if !keys.insert(f.key.clone()) || f.key == "name" || f.key == "email" {
                checks.fail(&format!("{at}.key"), format!("'{}' is used twice", f.key));
            }
            field(checks, &at, f)
        })
        .collect();
    Prechat { fields, ..p }
}

fn field(checks: &mut Checks, at: &str, f: PrechatField) -> PrechatField {
    let label = line(checks, &format!("{at}.label"), &f.label, LABEL_MAX);
    if label.is_empty() {
        checks.fail(&format!("{at}.label"), "must not be empty");
    }
    let mut options = Vec::new();
    match f.kind {
        FieldKind::Text if !f.options.is_empty() => {
            checks.fail(&format!("{at}.options"), "only select fields have options");
        }
        FieldKind::Text => {}
        FieldKind::Select => {
            if f.options.is_empty() || f.options.len() > OPTIONS_MAX {
                checks.fail(
                    &format!("{at}.options"),
                    format!("a select field needs 1 to {OPTIONS_MAX} options"),
                );
            }
            for (j, o) in f.options.iter().enumerate() {
                let o = line(checks, &format!("{at}.options[{j}]"), o, LABEL_MAX);
                if o.is_empty() || options.contains(&o) {
                    checks.fail(
                        &format!("{at}.options[{j}]"),
                        "must be non-empty and unique",
                    );
                }
                options.push(o);
            }
        }
    }
    PrechatField {
        label,
        options,
        ..f
    }
}

pub(super) fn languages(
    checks: &mut Checks,
    languages: BTreeMap<String, LanguageTexts>,
) -> BTreeMap<String, LanguageTexts> {
    if languages.len() > LANGUAGES_MAX {
        checks.fail("languages", format!("at most {LANGUAGES_MAX} languages"));
    }
    let mut clean = BTreeMap::new();
    for (code, texts) in languages {
        let code = code.trim().to_lowercase();
        let at = format!("languages.{code}");
        if checks.take(check_language_code(&at, &code)).is_none() {
            continue;
        }
        let texts = language(checks, &at, texts);
        if clean.insert(code, texts).is_some() {
            checks.fail(&at, "is given twice");
        }
    }
    clean
}

fn language(checks: &mut Checks, at: &str, t: LanguageTexts) -> LanguageTexts {
    let mut field_labels = BTreeMap::new();
    for (key, label) in &t.field_labels {
        if !is_key(key) {
            checks.fail(
                &format!("{at}.field_labels"),
                format!("'{key}' is not a field key"),
            );
        }
        let label = line(
            checks,
            &format!("{at}.field_labels.{key}"),
            label,
            LABEL_MAX,
        );
        field_labels.insert(key.clone(), label);
    }
    LanguageTexts {
        welcome_message: paragraph(
            checks,
            &format!("{at}.welcome_message"),
            &t.welcome_message,
            MESSAGE_MAX,
        ),
        offline_message: paragraph(
            checks,
            &format!("{at}.offline_message"),
            &t.offline_message,
            MESSAGE_MAX,
        ),
        prechat_title: line(
            checks,
            &format!("{at}.prechat_title"),
            &t.prechat_title,
            LABEL_MAX,
        ),
        name_label: line(
            checks,
            &format!("{at}.name_label"),
            &t.name_label,
            LABEL_MAX,
        ),
        email_label: line(
            checks,
            &format!("{at}.email_label"),
            &t.email_label,
            LABEL_MAX,
        ),
        submit_label: line(
            checks,
            &format!("{at}.submit_label"),
            &t.submit_label,
            LABEL_MAX,
        ),
        field_labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes() {
        for ok in ["en", "zh", "zh-tw", "yue", "es-419"] {
            assert!(check_language_code("x", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "e",
            "english",
            "zh_CN",
            "EN",
            "../x",
            "zh-",
            "en-toolongtag",
        ] {
            assert!(check_language_code("x", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys() {
        assert!(is_key("order_no2"));
        for bad in ["", "2x", "Order", "a-b", "x".repeat(33).as_str()] {
            assert!(!is_key(bad), "{bad}");
        }
    }
}
