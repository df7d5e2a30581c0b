//! The widget's options beyond its look: the typing preview (agents see the visitor's draft),
//! the pre-chat form and the widget's texts per language. Loaded with the settings, checked
//! here, stored in `widget_options` (one row per tenant; no row means the defaults).

mod checks;
pub mod prechat;
pub mod prechat_gate;

use std::collections::BTreeMap;

use crate::service::{Checks, ServiceResult};
use crate::store::{Store, WidgetOptions};
use crate::types::widget_text::{LanguageTexts, Prechat};

pub use checks::{check_language_code, DRAFT_MAX};

/// The language of a tenant that never chose one.
pub const DEFAULT_LANGUAGE: &str = "en";

/// The options as the settings show them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WidgetTexts {
    pub typing_preview: bool,
    pub prechat: Prechat,
    pub default_language: String,
    pub languages: BTreeMap<String, LanguageTexts>,
}

impl Default for WidgetTexts {
    fn default() -> Self {
        WidgetTexts {
            typing_preview: false,
            prechat: Prechat::default(),
            default_language: DEFAULT_LANGUAGE.to_string(),
            languages: BTreeMap::new(),
        }
    }
}

/// A partial change: `None` leaves an option as it is.
#[derive(Default)]
pub struct WidgetTextsPatch {
    pub typing_preview: Option<bool>,
    pub prechat: Option<Prechat>,
    pub default_language: Option<String>,
    pub languages: Option<BTreeMap<String, LanguageTexts>>,
}

impl WidgetTextsPatch {
    pub fn is_empty(&self) -> bool {
        self.typing_preview.is_none()
            && self.prechat.is_none()
            && self.default_language.is_none()
            && self.languages.is_none()
    }

    /// The names of the options this patch sets (for the audit log).
    pub fn changed(&self) -> Vec<&'static str> {
        [
            ("typing_preview", self.typing_preview.is_some()),
            ("prechat", self.prechat.is_some()),
            ("default_language", self.default_language.is_some()),
            ("languages", self.languages.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// The tenant's options, the defaults when it never saved any.
pub async fn load(store: &Store, tenant_id: &str) -> ServiceResult<WidgetTexts> {
    let Some(row) = store.get_widget_options(tenant_id).await? else {
        return Ok(WidgetTexts::default());
    };
    Ok(WidgetTexts {
        typing_preview: row.typing_preview,
        prechat: serde_json::from_str(&row.prechat).unwrap_or_default(),
        default_language: row.default_language,
        languages: serde_json::from_str(&row.languages).unwrap_or_default(),
    })
}

/// Whether the tenant lets agents see drafts.
pub async fn typing_preview(store: &Store, tenant_id: &str) -> ServiceResult<bool> {
    Ok(store
        .get_widget_options(tenant_id)
        .await?
        .is_some_and(|row| row.typing_preview))
}

/// Applies `patch` to `current`, recording every problem in `checks`; the result is only
/// meant to be saved when `checks` finishes clean.
pub fn apply(checks: &mut Checks, current: WidgetTexts, patch: WidgetTextsPatch) -> WidgetTexts {
    let mut next = current;
    if let Some(on) = patch.typing_preview {
        next.typing_preview = on;
    }
    if let Some(prechat) = patch.prechat {
        next.prechat = checks::prechat(checks, prechat);
    }
    if let Some(languages) = patch.languages {
        next.languages = checks::languages(checks, languages);
    }
    if let Some(code) = patch.default_language {
        next.default_language = code.trim().to_lowercase();
        if checks
            .take(check_language_code(
                "default_language",
                &next.default_language,
            ))
            .is_none()
        {
            return next;
        }
    }
    if !next.languages.is_empty() && !next.languages.contains_key(&next.default_language) {
        checks.fail(
            "default_language",
            format!(
                "'{}' is not one of the enabled languages ({})",
                next.default_language,
                next.languages
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    next
}

/// Stores the options whole.
pub async fn save(store: &Store, tenant_id: &str, texts: &WidgetTexts) -> ServiceResult<()> {
    store
        .put_widget_options(WidgetOptions {
            tenant_id: tenant_id.to_string(),
            typing_preview: texts.typing_preview,
            prechat: serde_json::to_string(&texts.prechat).unwrap_or_else(|_| "{}".into()),
            default_language: texts.default_language.clone(),
            languages: serde_json::to_string(&texts.languages).unwrap_or_else(|_| "{}".into()),
            updated_at: chrono::Utc::now(),
        })
        .await?;
    Ok(())
}

/// The draft a visitor's typing frame may carry on to agents: cut to `DRAFT_MAX` characters,
/// without control characters other than line breaks; None when there is nothing left.
pub fn clean_draft(draft: &str) -> Option<String> {
    let clean: String = draft
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(DRAFT_MAX)
        .collect();
    (!clean.trim().is_empty()).then_some(clean)
}
