//! The widget's options that the admin API, the widget's session and the service share:
//! the pre-chat form and the texts per language. Stored as JSON; checked by
//! `service::widget_text` before they are written.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether the pre-chat form asks for a built-in field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    /// Not asked.
    Off,
    /// Asked; may be left empty.
    #[default]
    Optional,
    /// Asked; the form cannot be sent without it.
    Required,
}

/// The kind of a custom pre-chat field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of text (at most 500 characters).
    #[default]
    Text,
    /// One of `options`.
    Select,
}

/// A custom question of the pre-chat form; the answer is stored as the visitor's attribute `key`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrechatField {
    /// The attribute name: 1 to 32 of `a-z`, `0-9`, `_`, starting with a letter; unique.
    #[schema(example = "order_number")]
    pub key: String,
    /// The label shown when the visitor's language has none of its own (1 to 100 characters).
    #[schema(example = "Order number")]
    pub label: String,
    #[serde(rename = "type", default)]
    pub kind: FieldKind,
    /// For `select`: 1 to 20 choices of 1 to 100 characters; empty for `text`.
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub required: bool,
}

/// The form a visitor fills in before their first message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Prechat {
    /// Off by default.
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub name: Ask,
    #[serde(default)]
    pub email: Ask,
    /// At most 10 custom questions.
    #[serde(default)]
    pub fields: Vec<PrechatField>,
}

/// The widget's texts in one language. An empty text falls back to the tenant's
/// `welcome_message` / `offline_message`, and labels to the widget's built-in wording.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageTexts {
    /// At most 1000 characters.
    pub welcome_message: String,
    /// At most 1000 characters.
    pub offline_message: String,
    /// The pre-chat form's heading (at most 100 characters, one line).
    pub prechat_title: String,
    /// Label of the name field (at most 100 characters, one line).
    pub name_label: String,
    /// Label of the e-mail field (at most 100 characters, one line).
    pub email_label: String,
    /// The pre-chat form's button (at most 100 characters, one line).
    pub submit_label: String,
    /// Labels of the custom fields by key (at most 100 characters each, one line).
    pub field_labels: BTreeMap<String, String>,
}
