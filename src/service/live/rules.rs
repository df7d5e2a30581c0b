//! Admins' triggers: what they may say, and whether a page matches one.

use serde::{Deserialize, Serialize};

use super::LiveService;
use crate::service::authz::{Actor, Permission};
use crate::service::{validate, ServiceError, ServiceResult};
use crate::store::{Trigger, TriggerInput};

/// How a trigger's `url_value` is compared with the page URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UrlMatch {
    /// The page URL contains the value (e.g. `/checkout`).
    Contains,
    /// The page URL is exactly the value.
    Equals,
}

impl UrlMatch {
    fn as_str(self) -> &'static str {
        match self {
            UrlMatch::Contains => "contains",
            UrlMatch::Equals => "equals",
        }
    }
}

/// A trigger as an admin writes it.
pub struct TriggerDraft {
    pub name: String,
    pub url_match: UrlMatch,
    pub url_value: String,
    pub seconds: i32,
    pub only_when_available: bool,
    pub only_within_hours: bool,
    pub message: String,
    pub sender_name: String,
    pub enabled: bool,
}

/// Longest wait a trigger may ask for: one hour.
pub const SECONDS_MAX: i32 = 3600;

pub(super) fn matches(t: &Trigger, url: &str) -> bool {
    match t.url_match.as_str() {
        "equals" => url == t.url_value,
        _ => url.contains(t.url_value.as_str()),
    }
}

fn checked(d: TriggerDraft) -> ServiceResult<TriggerInput> {
    let name = validate::name("name", &d.name, 100)?;
    let url_value = d.url_value.trim().to_string();
    if url_value.is_empty() || url_value.chars().count() > super::insight::URL_MAX {
        return Err(ServiceError::invalid(
            "url_value",
            format!("must be 1 to {} characters", super::insight::URL_MAX),
        ));
    }
    if !(0..=SECONDS_MAX).contains(&d.seconds) {
        return Err(ServiceError::invalid(
            "seconds",
            format!("must be 0 to {SECONDS_MAX}"),
        ));
    }
    let message = d.message.trim().to_string();
    if message.is_empty() || message.chars().count() > 2000 {
        return Err(ServiceError::invalid(
            "message",
            "must be 1 to 2000 characters",
        ));
    }
    Ok(TriggerInput {
        name,
        url_match: d.url_match.as_str().to_string(),
        url_value,
        seconds: d.seconds,
        only_when_available: d.only_when_available,
        only_within_hours: d.only_within_hours,
        message,
        sender_name: validate::name("sender_name", &d.sender_name, 100)?,
        enabled: d.enabled,
    })
}

impl LiveService {
    pub async fn list_triggers(&self, actor: &Actor) -> ServiceResult<Vec<Trigger>> {
        actor.require(Permission::SettingsRead)?;
        Ok(self.store.list_triggers(&actor.tenant_id, false).await?)
    }

    pub async fn create_trigger(&self, actor: &Actor, d: TriggerDraft) -> ServiceResult<Trigger> {
        actor.require(Permission::SettingsWrite)?;
        let input = checked(d)?;
        Ok(self.store.create_trigger(&actor.tenant_id, input).await?)
    }

    pub async fn update_trigger(
        &self,
        actor: &Actor,
        id: &str,
        d: TriggerDraft,
    ) -> ServiceResult<Trigger> {
        actor.require(Permission::SettingsWrite)?;
        let input = checked(d)?;
        Ok(self
            .store
            .update_trigger(&actor.tenant_id, id, input)
            .await?)
    }

    pub async fn delete_trigger(&self, actor: &Actor, id: &str) -> ServiceResult<()> {
        actor.require(Permission::SettingsWrite)?;
        Ok(self.store.delete_trigger(&actor.tenant_id, id).await?)
    }
}
