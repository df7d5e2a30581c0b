//! The server's side of the pre-chat form: a visitor whose answers to a required question are
//! missing cannot start a conversation. The answers count wherever they came from — the form
//! (`POST /api/visitor/prechat`), `identify`, or the session's profile — since all of them are
//! stored on the visitor. A form without required questions asks for nothing to enforce.

use crate::service::{ServiceError, ServiceResult};
use crate::store::Store;
use crate::types::widget_text::{Ask, Prechat};

/// Refuses with `prechat_required` while the tenant's form is on and `visitor` lacks one of its
/// required answers.
pub async fn require_answers(
    store: &Store,
    tenant_id: &str,
    visitor_id: &str,
) -> ServiceResult<()> {
    let form = super::load(store, tenant_id).await?.prechat;
    if !form.enabled || !asks_anything(&form) {
        return Ok(());
    }
    let visitor = store.get_visitor(tenant_id, visitor_id).await?;
    let missing = missing(
        &form,
        visitor.name.as_deref(),
        visitor.email.as_deref(),
        &visitor.attributes,
    );
    if missing.is_empty() {
        return Ok(());
    }
    Err(ServiceError::PrechatRequired(format!(
        "answer the pre-chat form first (POST /api/visitor/prechat); missing: {}",
        missing.join(", ")
    )))
}

fn asks_anything(form: &Prechat) -> bool {
    form.name == Ask::Required
        || form.email == Ask::Required
        || form.fields.iter().any(|f| f.required)
}

/// The required answers a visitor with this name, e-mail and attributes (a JSON object) has not
/// given, named as the form's answers are (`name`, `email`, `fields.{key}`).
fn missing(
    form: &Prechat,
    name: Option<&str>,
    email: Option<&str>,
    attributes: &str,
) -> Vec<String> {
    let filled = |v: Option<&str>| v.is_some_and(|s| !s.trim().is_empty());
    let attributes: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(attributes).unwrap_or_default();
    let answered = |key: &str| match attributes.get(key) {
        Some(serde_json::Value::String(s)) => !s.trim().is_empty(),
        Some(serde_json::Value::Null) | None => false,
        Some(_) => true,
    };
    let mut out = Vec::new();
    if form.name == Ask::Required && !filled(name) {
        out.push("name".to_string());
    }
    if form.email == Ask::Required && !filled(email) {
        out.push("email".to_string());
    }
    for f in form
        .fields
        .iter()
        .filter(|f| f.required && !answered(&f.key))
    {
        out.push(format!("fields.{}", f.key));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::widget_text::{FieldKind, PrechatField};

    fn form() -> Prechat {
        Prechat {
            enabled: true,
            name: Ask::Required,
            email: Ask::Optional,
            fields: vec![PrechatField {
                key: "order".into(),
                label: "Order number".into(),
                kind: FieldKind::Text,
                options: vec![],
                required: true,
            }],
        }
    }

    fn missing_for(name: Option<&str>, attributes: &str) -> Vec<String> {
        missing(&form(), name, None, attributes)
    }

    #[test]
    fn names_each_missing_required_answer() {
        assert_eq!(missing_for(None, "{}"), ["name", "fields.order"]);
        assert_eq!(
            missing_for(Some(" "), r#"{"order":""}"#),
            ["name", "fields.order"]
        );
        assert!(missing_for(Some("Ann"), r#"{"order":"A-1"}"#).is_empty());
        assert!(missing_for(Some("Ann"), r#"{"order":17}"#).is_empty());
    }

    #[test]
    fn optional_questions_ask_nothing() {
        let mut f = form();
        f.name = Ask::Optional;
        f.fields[0].required = false;
        assert!(!asks_anything(&f));
    }
}
