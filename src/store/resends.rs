//! What makes two messages the same message: one sender resending one client id. A resend is
//! recognised whichever conversation it names, so a client that resends a visitor's first
//! message after its conversation closed gets the first copy back instead of a new
//! conversation (docs/protocol.md §3).

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use super::entities::message;
use super::messages::NewMessage;
use super::{Message, SenderKind, Store, StoreResult};

/// One sender's client id, within a tenant.
#[derive(Hash, PartialEq, Eq, Clone, Debug)]
pub(super) struct ResendKey {
    tenant_id: String,
    sender_kind: SenderKind,
    sender_id: Option<String>,
    client_msg_id: String,
}

impl ResendKey {
    pub(super) fn of_new(tenant_id: &str, m: &NewMessage) -> Option<ResendKey> {
        Some(ResendKey {
            tenant_id: tenant_id.to_string(),
            sender_kind: m.sender_kind,
            sender_id: m.sender_id.clone(),
            client_msg_id: m.client_msg_id.clone()?,
        })
    }

    pub(super) fn of_stored(m: &Message) -> Option<ResendKey> {
        Some(ResendKey {
            tenant_id: m.tenant_id.clone(),
            sender_kind: m.sender_kind,
            sender_id: m.sender_id.clone(),
            client_msg_id: m.client_msg_id.clone()?,
        })
    }

    /// Tenant, sender kind, sender id and client id.
    pub(super) fn parts(&self) -> (&str, SenderKind, Option<&str>, &str) {
        (
            &self.tenant_id,
            self.sender_kind,
            self.sender_id.as_deref(),
            &self.client_msg_id,
        )
    }

    /// The rows stored under this key (at most one: a resend stores nothing).
    fn condition(&self) -> Condition {
        let sender = match &self.sender_id {
            Some(id) => message::Column::SenderId.eq(id.as_str()),
            None => message::Column::SenderId.is_null(),
        };
        Condition::all()
            .add(sender)
            .add(message::Column::ClientMsgId.eq(self.client_msg_id.as_str()))
            .add(message::Column::SenderKind.eq(self.sender_kind))
            .add(message::Column::TenantId.eq(self.tenant_id.as_str()))
    }
}

/// The first copies of the messages these keys name, in one query.
pub(super) async fn first_copies<C: ConnectionTrait>(
    db: &C,
    keys: &[ResendKey],
) -> StoreResult<Vec<Message>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let any = keys
        .iter()
        .fold(Condition::any(), |any, k| any.add(k.condition()));
    Ok(message::Entity::find().filter(any).all(db).await?)
}

impl Store {
    /// The message this sender stored under `client_msg_id`, in any of their conversations.
    pub async fn find_sent_message(
        &self,
        tenant_id: &str,
        sender_kind: SenderKind,
        sender_id: &str,
        client_msg_id: &str,
    ) -> StoreResult<Option<Message>> {
        let key = ResendKey {
            tenant_id: tenant_id.to_string(),
            sender_kind,
            sender_id: Some(sender_id.to_string()),
            client_msg_id: client_msg_id.to_string(),
        };
        Ok(first_copies(&self.db, &[key]).await?.into_iter().next())
    }
}
