//! "Suggest a reply": the tenant's language model drafts an answer to the visitor's last
//! message for the agent, who edits it and sends it (or not). Nothing is sent or stored here but
//! the tokens used.

use std::sync::Arc;

use serde::Serialize;

use super::bot::{Bot, BotFailure, Turn};
use super::model::ModelBot;
use super::BotService;
use crate::service::authz::{Actor, Permission};
use crate::service::{ServiceError, ServiceResult};
use crate::store::{MessageKind, SenderKind};

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
        let no_model =
            || ServiceError::Conflict("no language model is set up (/api/admin/bots)".into());
        let (config, key, _) = self
            .settings_of(&actor.tenant_id)
            .await?
            .ok_or_else(no_model)?;
        if config.model.base_url.is_empty() || config.model.model.is_empty() {
            return Err(no_model());
        }
        let history = self
            .chat
            .history_for_bot(&c, c.last_seq, u64::from(config.model.history.max(1)))
            .await?;
        let question = history
            .iter()
            .rev()
            .find(|m| m.sender_kind == SenderKind::Visitor && m.kind == MessageKind::Text)
            .map(|m| m.body.clone())
            .ok_or_else(|| ServiceError::Conflict("the visitor has asked nothing yet".into()))?;
        let mut model = config.model.clone();
        model.stream = false;
        let bot = ModelBot {
            store: self.store.clone(),
            http: self.http.clone(),
            config: model,
            key,
            partial: Arc::new(|_: &str| {}),
        };
        let turn = Turn {
            tenant_id: c.tenant_id.clone(),
            conversation_id: c.id.clone(),
            question,
            history,
        };
        match bot.respond(&turn).await {
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
}
