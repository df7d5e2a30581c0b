//! The visitor's answers to the pre-chat form: checked against the tenant's form and stored
//! on the visitor (name, e-mail, and each custom answer as the attribute of its key).

use std::collections::BTreeMap;

use crate::service::auth::AuthService;
use crate::service::{validate, Checks, ServiceError, ServiceResult};
use crate::store::{Store, Visitor};
use crate::types::widget_text::{Ask, FieldKind, Prechat};

/// Longest name, in characters.
const NAME_MAX: usize = 200;
/// Longest answer to a text field, in characters.
const ANSWER_MAX: usize = 500;

/// What the widget sends from the form.
#[derive(Default)]
pub struct PrechatAnswers {
    pub name: Option<String>,
    pub email: Option<String>,
    /// Custom answers by field key.
    pub fields: BTreeMap<String, String>,
}

/// Checks `answers` against the tenant's form and stores them on the visitor the token names.
pub async fn submit(
    store: &Store,
    auth: &AuthService,
    visitor_token: &str,
    answers: PrechatAnswers,
) -> ServiceResult<Visitor> {
    let me = auth.authenticate_visitor(visitor_token)?;
    let form = super::load(store, &me.tenant_id).await?.prechat;
    if !form.enabled {
        return Err(ServiceError::Conflict(
            "this site has no pre-chat form".into(),
        ));
    }
    let (name, email, custom) = check(&form, answers)?;
    let visitor = store.get_visitor(&me.tenant_id, &me.visitor_id).await?;
    let mut attributes: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&visitor.attributes).unwrap_or_default();
    for (key, value) in custom {
        attributes.insert(key, serde_json::Value::String(value));
    }
    let attributes = serde_json::Value::Object(attributes);
    Ok(store
        .update_visitor_profile(
            &me.tenant_id,
            &me.visitor_id,
            name.as_deref(),
            email.as_deref(),
            None,
            Some(&attributes),
        )
        .await?)
}

type Checked = (Option<String>, Option<String>, BTreeMap<String, String>);

fn check(form: &Prechat, answers: PrechatAnswers) -> ServiceResult<Checked> {
    let mut checks = Checks::default();
    let given = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let name = match (form.name, given(answers.name)) {
        (Ask::Off, Some(_)) => {
            checks.fail("name", "is not asked by this form");
            None
        }
        (Ask::Required, None) => {
            checks.fail("name", "is required");
            None
        }
        (_, Some(n)) => {
            if n.chars().any(char::is_control) {
                checks.fail("name", "must be one line without control characters");
            }
            checks.take(validate::name("name", &n, NAME_MAX))
        }
        (_, None) => None,
    };
    let email = match (form.email, given(answers.email)) {
        (Ask::Off, Some(_)) => {
            checks.fail("email", "is not asked by this form");
            None
        }
        (Ask::Required, None) => {
            checks.fail("email", "is required");
            None
        }
        (_, Some(e)) => checks.take(validate::email(&e)),
        (_, None) => None,
    };
    let mut custom = BTreeMap::new();
    for key in answers.fields.keys() {
        if !form.fields.iter().any(|f| &f.key == key) {
            checks.fail(&format!("fields.{key}"), "is not a field of this form");
        }
    }
    for f in &form.fields {
        let at = format!("fields.{}", f.key);
        let Some(value) = given(answers.fields.get(&f.key).cloned()) else {
            if f.required {
                checks.fail(&at, "is required");
            }
            continue;
        };
        match f.kind {
            FieldKind::Select if !f.options.contains(&value) => {
                checks.fail(&at, format!("must be one of: {}", f.options.join(", ")));
            }
            FieldKind::Text if value.chars().count() > ANSWER_MAX => {
                checks.fail(&at, format!("must be at most {ANSWER_MAX} characters"));
            }
            _ if value.chars().any(char::is_control) => {
                checks.fail(&at, "must be one line without control characters");
            }
            _ => {
                custom.insert(f.key.clone(), value);
            }
        }
    }
    checks.finish()?;
    Ok((name, email, custom))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::widget_text::PrechatField;

    fn form() -> Prechat {
        Prechat {
            enabled: true,
            name: Ask::Required,
            email: Ask::Optional,
            fields: vec![PrechatField {
                key: "topic".into(),
                label: "Topic".into(),
                kind: FieldKind::Select,
                options: vec!["Billing".into(), "Shipping".into()],
                required: true,
            }],
        }
    }

    #[test]
    fn required_and_choices() {
        let ok = check(
            &form(),
            PrechatAnswers {
                name: Some(" Ann ".into()),
                email: None,
                fields: [("topic".to_string(), "Billing".to_string())].into(),
            },
        );
        assert_eq!(ok.ok().map(|c| c.0), Some(Some("Ann".to_string())));
        let Err(ServiceError::Invalid(fields)) = check(
            &form(),
            PrechatAnswers {
                name: Some("a\u{7}b".into()),
                email: Some("nope".into()),
                fields: [
                    ("topic".to_string(), "Other".to_string()),
                    ("extra".to_string(), "x".to_string()),
                ]
                .into(),
            },
        ) else {
            panic!("expected field errors");
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        for want in ["name", "email", "fields.topic", "fields.extra"] {
            assert!(names.contains(&want), "{want} in {names:?}");
        }
    }
}
