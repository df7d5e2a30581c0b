//! What the tenant's bots (service/bots) do in a conversation in state `bot`: read it, show
//! typing, answer, and hand it over to the queue. Bot messages go through the same writer path
//! as every other message, with the same guarantees.

use super::ChatService;
use crate::cluster::EventKind;
use crate::service::ServiceResult;
use crate::store::{
    Conversation, ConversationState, Message, MessageKind, NewMessage, Precondition, SenderKind,
    StoreError,
};

/// Where a bot may write: only while the conversation is still the bots'.
const BOT_ONLY: &[ConversationState] = &[ConversationState::Bot];

/// A bot's answer to one visitor message.
pub struct BotReply<'a> {
    /// The bot's name, e.g. `knowledge` (sender id `bot:<name>`).
    pub bot: &'a str,
    /// The name shown to the visitor.
    pub display_name: &'a str,
    /// The visitor message it answers: keys the reply, so it is stored once.
    pub answers: &'a str,
    pub text: &'a str,
}

impl ChatService {
    /// The conversation, for a bot.
    pub async fn conversation_for_bot(
        &self,
        tenant_id: &str,
        conversation_id: &str,
    ) -> ServiceResult<Conversation> {
        Ok(self
            .store
            .get_conversation(tenant_id, conversation_id)
            .await?)
    }

    /// The last `limit` messages up to and including `seq`, oldest first.
    pub async fn history_for_bot(
        &self,
        c: &Conversation,
        seq: i64,
        limit: u64,
    ) -> ServiceResult<Vec<Message>> {
        Ok(self
            .store
            .list_messages_before(&c.tenant_id, &c.id, seq + 1, limit)
            .await?)
    }

    /// Shows (or stops showing) the bot typing to the visitor.
    pub fn bot_typing(&self, c: &Conversation, on: bool) {
        self.publish(
            c,
            EventKind::Typing {
                from: SenderKind::Bot,
                on,
                draft: None,
            },
        );
    }

    /// Shows the visitor the bot's answer so far, while a model streams it: a typing frame
    /// whose `draft` is the text so far (docs/protocol.md).
    pub fn bot_draft(&self, c: &Conversation, text: &str) {
        let text: String = text.chars().take(self.max_chars).collect();
        self.publish(
            c,
            EventKind::Typing {
                from: SenderKind::Bot,
                on: true,
                draft: Some(text),
            },
        );
    }

    /// Offers the agent holding the conversation the model's draft of a reply (hybrid mode).
    pub fn offer_draft(&self, c: &Conversation, draft_id: &str, body: &str) {
        self.publish(
            c,
            EventKind::Draft {
                draft_id: draft_id.to_string(),
                body: body.to_string(),
            },
        );
    }

    /// Stores a bot's reply if the conversation is still the bots'; None when it is not (an
    /// agent took it, or it was handed over or closed meanwhile). A second call for the same
    /// visitor message returns the first reply.
    pub async fn bot_reply(
        &self,
        c: &Conversation,
        reply: BotReply<'_>,
    ) -> ServiceResult<Option<Message>> {
        let text: String = reply.text.chars().take(self.max_chars).collect();
        let appended = self
            .append(
                &c.tenant_id,
                NewMessage {
                    sentiment: None,
                    conversation_id: c.id.clone(),
                    sender_kind: SenderKind::Bot,
                    sender_id: Some(format!("bot:{}", reply.bot)),
                    sender_name: Some(reply.display_name.to_string()),
                    client_msg_id: Some(format!("re:{}", reply.answers)),
                    kind: MessageKind::Text,
                    body: text,
                    internal: false,
                    precondition: Precondition {
                        states: BOT_ONLY,
                        ..Default::default()
                    },
                },
            )
            .await;
        match appended {
            Ok(a) => Ok(Some(a.message)),
            Err(StoreError::Precondition(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Moves a `bot` conversation to the queue at once: `notice` tells the visitor (when not
    /// blank), `summary` is an internal note for the agent who takes it, then routing offers it
    /// as any waiting conversation. False when it was no longer the bots'.
    pub async fn bot_hand_over(
        &self,
        c: &Conversation,
        notice: &str,
        summary: &str,
    ) -> ServiceResult<bool> {
        let event = self.on_transferred(&c.tenant_id).await;
        if !self
            .store
            .set_conversation_state_emitting(
                &c.tenant_id,
                &c.id,
                ConversationState::Bot,
                ConversationState::Waiting,
                c.group_id.as_deref(),
                event,
            )
            .await?
        {
            return Ok(false);
        }
        self.bot_typing(c, false);
        if !notice.trim().is_empty() {
            self.bot_message(&c.tenant_id, &c.id, notice).await?;
        }
        self.append(
            &c.tenant_id,
            NewMessage {
                sentiment: None,
                conversation_id: c.id.clone(),
                sender_kind: SenderKind::Bot,
                sender_id: None,
                sender_name: None,
                client_msg_id: None,
                kind: MessageKind::Note,
                body: summary.chars().take(self.max_chars).collect(),
                internal: true,
                precondition: Precondition::default(),
            },
        )
        .await?;
        let moved = self.store.get_conversation(&c.tenant_id, &c.id).await?;
        self.publish(&moved, EventKind::Updated(moved.clone()));
        self.route(&moved).await?;
        self.publish_queue(&c.tenant_id).await?;
        Ok(true)
    }
}
