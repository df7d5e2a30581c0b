//! `POST /api/v1/events`: a business event (an order shipped, a payment failed) becomes an
//! event card in the visitor's open conversation, or an entry on their timeline when they have
//! none. Idempotent on the tenant's `idempotency_key`.

use serde::{Deserialize, Serialize};

use super::IntegrationService;
use crate::service::authz::{Actor, Permission};
use crate::service::chat::Card;
use crate::service::{Checks, ServiceError, ServiceResult};
use crate::store::{Conversation, StoreError, Visitor, VisitorEvent};
use crate::types::ids::new_id;

const TITLE_MAX: usize = 200;
const FIELDS_MAX: usize = 20;
const LABEL_MAX: usize = 100;
const VALUE_MAX: usize = 500;
const URL_MAX: usize = 2048;
const KEY_MAX: usize = 64;

/// Whom the event is about.
pub enum EventTarget {
    /// The visitor with this verified external id (their open conversation, else timeline).
    Visitor { external_id: String },
    /// This conversation (its visitor's timeline when it is closed).
    Conversation { id: String },
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct EventField {
    pub label: String,
    pub value: String,
}

/// The card as stored in the message body (and on the timeline), JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct EventCard {
    #[serde(rename = "type")]
    pub event_type: String,
    pub title: String,
    pub fields: Vec<EventField>,
    pub url: Option<String>,
}

pub struct NewEvent {
    pub target: EventTarget,
    pub card: EventCard,
    pub idempotency_key: String,
    pub visible_to_visitor: bool,
}

/// Where an event went; `duplicate` when the key was seen before (nothing new stored).
pub struct Posted {
    pub event: VisitorEvent,
    pub duplicate: bool,
}

/// `^[a-z][a-z0-9_.-]{0,63}$`
fn valid_type(t: &str) -> bool {
    let mut chars = t.chars();
    matches!(chars.next(), Some('a'..='z'))
        && t.len() <= 64
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '.' | '-'))
}

fn check(e: &NewEvent) -> ServiceResult<()> {
    let mut checks = Checks::default();
    let c = &e.card;
    if !valid_type(&c.event_type) {
        checks.fail("type", "must match ^[a-z][a-z0-9_.-]{0,63}$");
    }
    let title = c.title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        checks.fail("title", format!("must be 1 to {TITLE_MAX} characters"));
    }
    if c.fields.len() > FIELDS_MAX {
        checks.fail("fields", format!("at most {FIELDS_MAX}"));
    }
    for (i, f) in c.fields.iter().enumerate() {
        if f.label.trim().is_empty() || f.label.chars().count() > LABEL_MAX {
            checks.fail(
                &format!("fields[{i}].label"),
                format!("must be 1 to {LABEL_MAX} characters"),
            );
        }
        if f.value.chars().count() > VALUE_MAX {
            checks.fail(
                &format!("fields[{i}].value"),
                format!("at most {VALUE_MAX} characters"),
            );
        }
    }
    if let Some(url) = &c.url {
        let lower = url.to_ascii_lowercase();
        let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
        if !scheme_ok || url.len() > URL_MAX || url.contains(char::is_whitespace) {
            checks.fail(
                "url",
                format!("must be an http(s) URL of at most {URL_MAX} bytes"),
            );
        }
    }
    let key = &e.idempotency_key;
    if key.is_empty() || key.len() > KEY_MAX {
        checks.fail("idempotency_key", format!("must be 1 to {KEY_MAX} bytes"));
    }
    match &e.target {
        EventTarget::Visitor { external_id } if external_id.is_empty() => {
            checks.fail("visitor.external_id", "is required")
        }
        EventTarget::Conversation { id } if id.is_empty() => {
            checks.fail("conversation_id", "is required")
        }
        _ => {}
    }
    checks.finish()
}

impl IntegrationService {
    pub async fn post_event(&self, actor: &Actor, mut e: NewEvent) -> ServiceResult<Posted> {
        actor.require(Permission::EventsWrite)?;
        check(&e)?;
        e.card.title = e.card.title.trim().to_string();
        let tenant_id = actor.tenant_id.as_str();
        if let Some(event) = self
            .store
            .find_visitor_event(tenant_id, &e.idempotency_key)
            .await?
        {
            return Ok(Posted {
                event,
                duplicate: true,
            });
        }
        let (visitor, open) = self.target(tenant_id, &e.target).await?;
        let body = serde_json::to_string(&e.card)
            .map_err(|err| ServiceError::Internal(err.to_string()))?;
        let mut event = VisitorEvent {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            visitor_id: visitor.id.clone(),
            idempotency_key: e.idempotency_key.clone(),
            event_type: e.card.event_type.clone(),
            body: body.clone(),
            visible_to_visitor: e.visible_to_visitor,
            conversation_id: None,
            message_id: None,
            seq: None,
            created_at: chrono::Utc::now(),
        };
        if let Some(c) = open {
            let card = Card {
                conversation_id: &c.id,
                key: &e.idempotency_key,
                body,
                visible_to_visitor: e.visible_to_visitor,
            };
            match self.chat.post_card(tenant_id, card).await {
                Ok(appended) => {
                    event.conversation_id = Some(appended.conversation.id.clone());
                    event.message_id = Some(appended.message.id.clone());
                    event.seq = Some(appended.message.seq);
                    event.created_at = appended.message.created_at;
                }
                // Closed meanwhile: the event goes on the timeline instead.
                Err(StoreError::Precondition(_)) => {}
                Err(other) => return Err(other.into()),
            }
        }
        match self.store.insert_visitor_event(event).await {
            Ok(event) => Ok(Posted {
                event,
                duplicate: false,
            }),
            // The same key posted at the same moment: the first one stands.
            Err(StoreError::Conflict(_)) => {
                let event = self
                    .store
                    .find_visitor_event(tenant_id, &e.idempotency_key)
                    .await?
                    .ok_or(ServiceError::Conflict("the event changed meanwhile".into()))?;
                Ok(Posted {
                    event,
                    duplicate: true,
                })
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The visitor the event is about and their open conversation, if any. Another tenant's
    /// ids are unknown here.
    async fn target(
        &self,
        tenant_id: &str,
        target: &EventTarget,
    ) -> ServiceResult<(Visitor, Option<Conversation>)> {
        match target {
            EventTarget::Visitor { external_id } => {
                let visitor = self
                    .store
                    .find_visitor_by_external_id(tenant_id, external_id)
                    .await?
                    .ok_or(ServiceError::NotFound("visitor"))?;
                let open = self
                    .store
                    .find_open_conversation(tenant_id, &visitor.id)
                    .await?;
                Ok((visitor, open))
            }
            EventTarget::Conversation { id } => {
                let c = self.store.get_conversation(tenant_id, id).await?;
                let visitor = self.store.get_visitor(tenant_id, &c.visitor_id).await?;
                let open = (c.state != crate::store::ConversationState::Closed).then_some(c);
                Ok((visitor, open))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::valid_type;

    #[test]
    fn event_types() {
        for good in ["order.updated", "a", "payment_failed-2"] {
            assert!(valid_type(good), "{good}");
        }
        for bad in [
            "",
            "Order",
            "1order",
            "order updated",
            "ordér",
            &"a".repeat(65),
        ] {
            assert!(!valid_type(bad), "{bad}");
        }
        assert!(valid_type(&"a".repeat(64)));
    }
}
