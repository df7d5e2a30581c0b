//! What the visitor does with the bots: rate an answer, and ask for a person (the widget's
//! button; typing "human" or "人工" does the same).

use super::handover::Why;
use super::BotService;
use crate::service::chat::Participant;
use crate::service::{ServiceError, ServiceResult};
use crate::store::{ConversationState, StoreError};

impl BotService {
    /// The visitor rates a bot's reply (a message id) helpful or not, once.
    pub async fn rate_reply(
        &self,
        who: &Participant,
        message_id: &str,
        helpful: bool,
    ) -> ServiceResult<()> {
        let Participant::Visitor {
            tenant_id,
            visitor_id,
        } = who
        else {
            return Err(ServiceError::Forbidden("only the visitor rates an answer"));
        };
        let turn = self
            .store
            .bot_turn_by_reply(tenant_id, message_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => ServiceError::NotFound("bot reply"),
                other => other.into(),
            })?;
        let c = self
            .chat
            .conversation_for_bot(tenant_id, &turn.conversation_id)
            .await?;
        if &c.visitor_id != visitor_id {
            return Err(ServiceError::NotFound("bot reply"));
        }
        let rating = if helpful { 1 } else { -1 };
        if !self
            .store
            .rate_bot_turn(tenant_id, &turn.id, rating)
            .await?
        {
            return Err(ServiceError::Conflict(
                "the answer was rated already".into(),
            ));
        }
        if let Some(entry) = turn.entry_id.as_deref() {
            self.store
                .count_knowledge_rating(tenant_id, entry, helpful)
                .await?;
        }
        Ok(())
    }

    /// The visitor asks for a person: their `bot` conversation goes to the queue at once.
    /// Returns whether it moved (false: it was not the bots' any more).
    pub async fn ask_for_human(
        &self,
        who: &Participant,
        conversation_id: &str,
    ) -> ServiceResult<bool> {
        let Participant::Visitor {
            tenant_id,
            visitor_id,
        } = who
        else {
            return Err(ServiceError::Forbidden(
                "only the visitor asks for a person",
            ));
        };
        let c = self
            .chat
            .conversation_for_bot(tenant_id, conversation_id)
            .await?;
        if &c.visitor_id != visitor_id {
            return Err(ServiceError::NotFound("conversation"));
        }
        if c.state != ConversationState::Bot {
            return Ok(false);
        }
        self.hand_over_conversation(&c, Why::VisitorAsked, "").await
    }
}
