//! Which changes write a webhook event: only those some enabled endpoint of the tenant receives
//! (the subscription set is cached), so a tenant without webhooks pays nothing.

use super::ChatService;
use crate::service::outbox::events;
use crate::store::{
    Conversation, EventFor, MessageHook, MessageKind, NewEvent, NewMessage, SenderKind,
};

type Build = &'static (dyn Fn(&Conversation) -> NewEvent + Sync);

impl ChatService {
    /// `build` when the tenant receives `event_type`, else nothing.
    pub(super) async fn hook(
        &self,
        tenant_id: &str,
        event_type: &'static str,
        build: Build,
    ) -> EventFor<'static> {
        self.hooks
            .wants(tenant_id, event_type)
            .await
            .then_some(build)
    }

    pub(super) async fn on_created(&self, tenant_id: &str) -> EventFor<'static> {
        self.hook(tenant_id, events::CONVERSATION_CREATED, &events::on_created)
            .await
    }

    pub(super) async fn on_assigned(&self, tenant_id: &str) -> EventFor<'static> {
        self.hook(
            tenant_id,
            events::CONVERSATION_ASSIGNED,
            &events::on_assigned,
        )
        .await
    }

    pub(super) async fn on_transferred(&self, tenant_id: &str) -> EventFor<'static> {
        self.hook(
            tenant_id,
            events::CONVERSATION_TRANSFERRED,
            &events::on_transferred,
        )
        .await
    }

    pub(super) async fn on_closed(&self, tenant_id: &str) -> EventFor<'static> {
        self.hook(tenant_id, events::CONVERSATION_CLOSED, &events::on_closed)
            .await
    }

    pub(super) async fn on_rated(&self, tenant_id: &str) -> EventFor<'static> {
        self.hook(tenant_id, events::CONVERSATION_RATED, &events::on_rated)
            .await
    }

    /// `message.created` for what visitors, agents and bots write (not system notices, not
    /// internal notes), when the tenant receives it.
    pub(super) async fn on_message(&self, tenant_id: &str, m: &NewMessage) -> Option<MessageHook> {
        let told = matches!(
            m.sender_kind,
            SenderKind::Visitor | SenderKind::Agent | SenderKind::Bot
        ) && m.kind != MessageKind::Note
            && m.kind != MessageKind::Event;
        if told && self.hooks.wants(tenant_id, events::MESSAGE_CREATED).await {
            Some(events::message_created)
        } else {
            None
        }
    }
}
