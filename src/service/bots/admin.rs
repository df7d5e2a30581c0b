//! What admins do: the chain and its settings (the model key sealed), the knowledge base, and
//! the questions no entry answered.

use serde::Serialize;

use super::knowledge::{Entry, EntryDraft};
use super::model::month_now;
use super::settings::BotConfig;
use super::{key_purpose, BotService};
use crate::service::authz::{Actor, Permission};
use crate::service::{ServiceError, ServiceResult};

/// Unanswered questions listed at most.
const UNANSWERED_MAX: u64 = 200;
/// Longest model key accepted, in characters.
const KEY_MAX: usize = 4096;

/// The settings as admins read them: never the key itself.
#[derive(Debug, Clone, Serialize)]
pub struct BotSettingsView {
    pub enabled: bool,
    pub config: BotConfig,
    pub model_key_set: bool,
    /// The current month (`YYYY-MM`, UTC) and the model tokens used in it.
    pub month: String,
    pub tokens_this_month: i64,
}

/// What a write does to the stored model key.
pub enum KeyChange {
    Keep,
    Clear,
    Set(String),
}

/// A visitor question that no knowledge-base entry answered.
#[derive(Debug, Clone, Serialize)]
pub struct Unanswered {
    pub conversation_id: String,
    pub message_id: String,
    pub question: String,
    /// `answered` (by another bot) or `handover`.
    pub outcome: String,
    /// The bot that answered, or why the conversation was handed over.
    pub detail: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl BotService {
    pub async fn settings(&self, actor: &Actor) -> ServiceResult<BotSettingsView> {
        actor.require(Permission::SettingsRead)?;
        let tenant_id = &actor.tenant_id;
        let row = self.store.get_bot_settings(tenant_id).await?;
        let month = month_now();
        let tokens_this_month = self.store.bot_tokens(tenant_id, &month).await?;
        Ok(match row {
            Some(r) => BotSettingsView {
                enabled: r.enabled,
                config: BotConfig::parse(&r.config),
                model_key_set: r.model_key.is_some(),
                month,
                tokens_this_month,
            },
            None => BotSettingsView {
                enabled: false,
                config: BotConfig::default(),
                model_key_set: false,
                month,
                tokens_this_month,
            },
        })
    }

    pub async fn put_settings(
        &self,
        actor: &Actor,
        enabled: bool,
        config: BotConfig,
        key: KeyChange,
    ) -> ServiceResult<BotSettingsView> {
        actor.require(Permission::SettingsWrite)?;
        config.check(enabled)?;
        let tenant_id = &actor.tenant_id;
        let key = match key {
            KeyChange::Keep => None,
            KeyChange::Clear => Some(None),
            KeyChange::Set(k) => {
                let k = k.trim();
                if k.is_empty() || k.chars().count() > KEY_MAX {
                    return Err(ServiceError::invalid(
                        "model_key",
                        format!("1 to {KEY_MAX} characters, or null to remove it"),
                    ));
                }
                Some(Some(self.sealer.seal(&key_purpose(tenant_id), k)?))
            }
        };
        let json = serde_json::to_string(&config)
            .map_err(|e| ServiceError::Internal(format!("bot settings: {e}")))?;
        self.store
            .put_bot_settings(tenant_id, enabled, json, key)
            .await?;
        // Saved hybrid settings are checked (a model is required), so on means on.
        self.hybrid_tenants.note(tenant_id, config.hybrid);
        self.settings(actor).await
    }

    pub async fn list_entries(&self, actor: &Actor) -> ServiceResult<Vec<Entry>> {
        actor.require(Permission::SettingsRead)?;
        let rows = self.store.list_knowledge_entries(&actor.tenant_id).await?;
        Ok(rows.into_iter().map(Entry::from).collect())
    }

    pub async fn create_entry(&self, actor: &Actor, draft: EntryDraft) -> ServiceResult<Entry> {
        actor.require(Permission::SettingsWrite)?;
        let input = draft.checked()?;
        let row = self
            .store
            .create_knowledge_entry(&actor.tenant_id, input)
            .await?;
        Ok(row.into())
    }

    pub async fn update_entry(
        &self,
        actor: &Actor,
        id: &str,
        draft: EntryDraft,
    ) -> ServiceResult<Entry> {
        actor.require(Permission::SettingsWrite)?;
        let input = draft.checked()?;
        let row = self
            .store
            .update_knowledge_entry(&actor.tenant_id, id, input)
            .await?;
        Ok(row.into())
    }

    pub async fn delete_entry(&self, actor: &Actor, id: &str) -> ServiceResult<()> {
        actor.require(Permission::SettingsWrite)?;
        Ok(self
            .store
            .delete_knowledge_entry(&actor.tenant_id, id)
            .await?)
    }

    /// Questions no entry answered, newest first.
    pub async fn unanswered(&self, actor: &Actor) -> ServiceResult<Vec<Unanswered>> {
        actor.require(Permission::SettingsRead)?;
        let turns = self
            .store
            .unanswered_turns(&actor.tenant_id, UNANSWERED_MAX)
            .await?;
        Ok(turns
            .into_iter()
            .map(|t| Unanswered {
                conversation_id: t.conversation_id,
                message_id: t.message_id,
                question: t.question,
                outcome: t.outcome,
                detail: t.detail,
                created_at: t.created_at,
            })
            .collect())
    }
}
