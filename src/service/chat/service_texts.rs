//! The service's own texts in a conversation: the steps it records (joined, closed, …) and
//! the tenant's automatic texts (the welcome message). Stored through the writer like any
//! message, without a sender and without a precondition.

use super::ChatService;
use crate::service::ServiceResult;
use crate::store::{MessageKind, NewMessage, Precondition, SenderKind};

impl ChatService {
    /// Records a step of the conversation (joined, closed, …) as a message everyone sees.
    pub(super) async fn system_message(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        text: &str,
    ) -> ServiceResult<()> {
        self.service_message(
            tenant_id,
            conversation_id,
            SenderKind::System,
            MessageKind::Event,
            text,
        )
        .await
    }

    /// The tenant's automatic texts, such as the welcome message.
    pub(super) async fn bot_message(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        text: &str,
    ) -> ServiceResult<()> {
        self.service_message(
            tenant_id,
            conversation_id,
            SenderKind::Bot,
            MessageKind::Text,
            text,
        )
        .await
    }

    async fn service_message(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        sender_kind: SenderKind,
        kind: MessageKind,
        text: &str,
    ) -> ServiceResult<()> {
        self.append(
            tenant_id,
            NewMessage {
                sentiment: None,
                conversation_id: conversation_id.to_string(),
                sender_kind,
                sender_id: None,
                sender_name: None,
                client_msg_id: None,
                kind,
                body: text.to_string(),
                internal: false,
                precondition: Precondition::default(),
            },
        )
        .await?;
        Ok(())
    }
}
