//! "Suggest a reply": the tenant's language model drafts an answer to the visitor's last
//! message for the agent, who edits it and sends it (or not). Nothing is sent or stored here but
//! the tokens used. Hybrid mode (hybrid/) drafts the same way, by itself.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::bot::{Bot, BotFailure, Turn};
use super::model::ModelBot;
use super::settings::BotConfig;
use super::BotService;
use crate::service::authz::{Actor, Permission};
use crate::service::{ServiceError, ServiceResult};
use crate::store::{Conversation, MessageKind, SenderKind};

/// A draft for the agent.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub text: String,
    /// Language-model tokens the draft cost.
    pub tokens: i64,
}

impl BotService {
    pub async fn suggest_reply(
        &self,
        actor: &Actor,
        conversation_id: &str,
    ) -> ServiceResult<Suggestion> {
        actor.require(Permission::Chat)?;
        let c = self
            .chat
            .conversation_for_bot(&actor.tenant_id, conversation_id)
            .await?;
        let (config, key) = self.model_settings(&actor.tenant_id).await?;
        self.draft_reply(&c, c.last_seq, config, key).await
    }

    /// The tenant's settings and opened key, with a model set up; Conflict without one.
    pub(super) async fn model_settings(
        &self,
        tenant_id: &str,
    ) -> ServiceResult<(BotConfig, Option<String>)> {
        let no_model =
            || ServiceError::Conflict("no language model is set up (/api/admin/bots)".into());
        let (config, key, _) = self.settings_of(tenant_id).await?.ok_or_else(no_model)?;
        if config.model.base_url.is_empty() || config.model.model.is_empty() {
            return Err(no_model());
        }
        Ok((config, key))
    }

    /// The model's answer to the visitor's last text up to `seq`.
    pub(super) async fn draft_reply(
        &self,
        c: &Conversation,
        seq: i64,
        config: BotConfig,
        key: Option<String>,
    ) -> ServiceResult<Suggestion> {
        let history = self
            .chat
            .history_for_bot(c, seq, u64::from(config.model.history.max(1)))
            .await?;
        let question = history
            .iter()
            .rev()
            .find(|m| m.sender_kind == SenderKind::Visitor && m.kind == MessageKind::Text)
            .map(|m| m.body.clone())
            .ok_or_else(|| ServiceError::Conflict("the visitor has asked nothing yet".into()))?;
        let bot = self.model_bot(config, key);
        let turn = Turn {
            tenant_id: c.tenant_id.clone(),
            conversation_id: c.id.clone(),
            question,
            history,
        };
        answered(bot.respond(&turn).await)
    }

    /// One request with these prompt messages (the assists).
    pub(super) async fn ask_model(
        &self,
        tenant_id: &str,
        config: BotConfig,
        key: Option<String>,
        messages: Vec<Value>,
    ) -> ServiceResult<Suggestion> {
        let bot = self.model_bot(config, key);
        answered(bot.ask(tenant_id, messages).await.map(Some))
    }

    /// The model, not streaming: the agent gets the whole text at once.
    fn model_bot(&self, config: BotConfig, key: Option<String>) -> ModelBot {
        let mut model = config.model;
        model.stream = false;
        ModelBot {
            store: self.store.clone(),
            http: self.http.clone(),
            config: model,
            key,
            partial: Arc::new(|_: &str| {}),
        }
    }
}

fn answered(outcome: Result<Option<super::bot::Reply>, BotFailure>) -> ServiceResult<Suggestion> {
    match outcome {
        Ok(Some(reply)) => Ok(Suggestion {
            text: reply.text,
            tokens: reply.tokens,
        }),
        Ok(None) => Err(ServiceError::Upstream("the model gave no answer".into())),
        Err(BotFailure::OverCap) => Err(ServiceError::Conflict(
            "the monthly token cap is reached".into(),
        )),
        Err(failure) => Err(ServiceError::Upstream(failure.to_string())),
    }
}
