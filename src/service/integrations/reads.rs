//! The `/api/v1` operations for API tokens: conversations (read, write as an agent or a bot,
//! transfer, close) and visitors by external id. Thin: the chat service does the work.

use super::IntegrationService;
use crate::service::archive::Span;
use crate::service::authz::{Actor, ActorKind, Permission};
use crate::service::chat::{Sent, TransferTo};
use crate::service::page::{self, Page};
use crate::service::{validate, ServiceError, ServiceResult};
use crate::store::{
    Conversation, ConversationFilter, ConversationState, Message, Visitor, VisitorEvent,
};

/// Timeline entries a visitor lookup returns, newest first.
const TIMELINE_MAX: u64 = 50;

pub struct ConversationWithMessages {
    pub conversation: Conversation,
    /// After `after_seq`, oldest first, at most one page.
    pub messages: Vec<Message>,
}

/// Who a message sent through `/api/v1` is from.
pub enum ApiSender {
    Agent { id: String },
    Bot { name: String },
}

impl IntegrationService {
    pub async fn list_conversations(
        &self,
        actor: &Actor,
        states: Vec<ConversationState>,
        cursor: Option<String>,
        limit: Option<u64>,
    ) -> ServiceResult<Page<Conversation>> {
        actor.require(Permission::ConversationsRead)?;
        let limit = page::limit(limit)?;
        let filter = ConversationFilter {
            states,
            before: cursor,
            ..Default::default()
        };
        let rows = self
            .store
            .list_conversations(&actor.tenant_id, filter, limit + 1)
            .await?;
        Ok(Page::from_rows(rows, limit, |c| c.id.clone()))
    }

    pub async fn conversation(
        &self,
        actor: &Actor,
        id: &str,
        after_seq: Option<i64>,
        limit: Option<u64>,
    ) -> ServiceResult<ConversationWithMessages> {
        actor.require(Permission::ConversationsRead)?;
        let limit = page::limit(limit)?;
        let after = after_seq.unwrap_or(0);
        if after < 0 {
            return Err(ServiceError::invalid("after_seq", "must not be negative"));
        }
        let conversation = self.store.get_conversation(&actor.tenant_id, id).await?;
        let archived = self
            .chat
            .archive()
            .messages(&conversation, Span::After(after), limit, false)
            .await?;
        let messages = match archived {
            Some(messages) => messages,
            None => {
                self.store
                    .list_messages_after(&actor.tenant_id, id, after, limit)
                    .await?
            }
        };
        Ok(ConversationWithMessages {
            conversation,
            messages,
        })
    }

    pub async fn send_message(
        &self,
        actor: &Actor,
        conversation_id: &str,
        from: ApiSender,
        client_msg_id: &str,
        body: &str,
    ) -> ServiceResult<Sent> {
        actor.require(Permission::ConversationsWrite)?;
        let tenant_id = &actor.tenant_id;
        match from {
            ApiSender::Agent { id } => {
                self.chat
                    .send_as_agent(tenant_id, &id, conversation_id, client_msg_id, body)
                    .await
            }
            ApiSender::Bot { name } => {
                let name = validate::name("bot_name", &name, 100)?;
                // Resends are recognised per token, under the token's id.
                let bot_id = match &actor.kind {
                    ActorKind::ApiToken { id, .. } | ActorKind::User { id, .. } => id.clone(),
                };
                self.chat
                    .send_as_bot(
                        tenant_id,
                        &bot_id,
                        &name,
                        conversation_id,
                        client_msg_id,
                        body,
                    )
                    .await
            }
        }
    }

    pub async fn transfer(
        &self,
        actor: &Actor,
        conversation_id: &str,
        to: TransferTo,
        note: Option<&str>,
    ) -> ServiceResult<Conversation> {
        actor.require(Permission::ConversationsWrite)?;
        self.chat
            .transfer_for_holder(&actor.tenant_id, conversation_id, to, note)
            .await
    }

    pub async fn close(&self, actor: &Actor, conversation_id: &str) -> ServiceResult<Conversation> {
        actor.require(Permission::ConversationsWrite)?;
        self.chat
            .close_by_integration(&actor.tenant_id, conversation_id)
            .await
    }

    /// The visitor with this external id, their conversations (newest first) and timeline.
    pub async fn visitor_by_external_id(
        &self,
        actor: &Actor,
        external_id: &str,
    ) -> ServiceResult<(Visitor, Vec<Conversation>, Vec<VisitorEvent>)> {
        actor.require(Permission::VisitorsRead)?;
        if external_id.is_empty() {
            return Err(ServiceError::invalid("external_id", "is required"));
        }
        let visitor = self
            .store
            .find_visitor_by_external_id(&actor.tenant_id, external_id)
            .await?
            .ok_or(ServiceError::NotFound("visitor"))?;
        let filter = ConversationFilter {
            visitor_id: Some(visitor.id.clone()),
            ..Default::default()
        };
        let conversations = self
            .store
            .list_conversations(&actor.tenant_id, filter, 50)
            .await?;
        let timeline = self
            .store
            .visitor_timeline(&actor.tenant_id, &visitor.id, TIMELINE_MAX)
            .await?;
        Ok((visitor, conversations, timeline))
    }
}
