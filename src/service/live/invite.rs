//! An agent invites a browsing visitor: the conversation and its first message are stored by
//! the chat service; the visitor's widget is told to open with it.

use super::LiveService;
use crate::cluster::{Invitation, Notice};
use crate::service::authz::Actor;
use crate::service::chat::Sent;
use crate::service::ServiceResult;

impl LiveService {
    pub async fn invite(
        &self,
        actor: &Actor,
        visitor_id: &str,
        client_msg_id: &str,
        body: &str,
    ) -> ServiceResult<Sent> {
        let who = self.chat.agent(actor).await?;
        let sent = self
            .chat
            .invite(&who, visitor_id, client_msg_id, body)
            .await?;
        let tenant_id = &actor.tenant_id;
        self.bus.notice(Notice::Invite {
            tenant_id: tenant_id.clone(),
            visitor_id: visitor_id.to_string(),
            invitation: Invitation {
                conversation_id: Some(sent.conversation.id.clone()),
                trigger_id: None,
                from_name: sent.message.sender_name.clone().unwrap_or_default(),
                body: sent.message.body.clone(),
                sent_at: sent.message.created_at,
            },
        });
        let view = self.registry().view(tenant_id, visitor_id);
        self.announce(tenant_id, view).await;
        Ok(sent)
    }
}
