//! The webhook event types and the `data` each carries (docs/webhooks.md).

use serde_json::{json, Value};

use crate::store::{Appended, Conversation, Message, NewEvent, Visitor};

pub const CONVERSATION_CREATED: &str = "conversation.created";
pub const CONVERSATION_ASSIGNED: &str = "conversation.assigned";
pub const CONVERSATION_TRANSFERRED: &str = "conversation.transferred";
pub const CONVERSATION_CLOSED: &str = "conversation.closed";
pub const CONVERSATION_RATED: &str = "conversation.rated";
pub const MESSAGE_CREATED: &str = "message.created";
pub const VISITOR_IDENTIFIED: &str = "visitor.identified";
pub const OFFLINE_MESSAGE_CREATED: &str = "offline_message.created";
/// Sent by "send test event" only; no endpoint subscribes to it.
pub const PING: &str = "ping";

/// The types an endpoint may subscribe to.
pub const EVENT_TYPES: [&str; 8] = [
    CONVERSATION_CREATED,
    CONVERSATION_ASSIGNED,
    CONVERSATION_TRANSFERRED,
    CONVERSATION_CLOSED,
    CONVERSATION_RATED,
    MESSAGE_CREATED,
    VISITOR_IDENTIFIED,
    OFFLINE_MESSAGE_CREATED,
];

/// A conversation as webhooks show it.
pub fn conversation_json(c: &Conversation) -> Value {
    json!({
        "id": c.id,
        "visitor_id": c.visitor_id,
        "agent_id": c.agent_id,
        "group_id": c.group_id,
        "state": c.state,
        "previous_id": c.previous_id,
        "created_at": c.created_at,
        "assigned_at": c.assigned_at,
        "closed_at": c.closed_at,
        "close_reason": c.close_reason,
        "rating": c.rating,
        "rating_comment": c.rating_comment,
    })
}

/// A message as webhooks show it.
pub fn message_json(m: &Message) -> Value {
    json!({
        "id": m.id,
        "conversation_id": m.conversation_id,
        "seq": m.seq,
        "sender_kind": m.sender_kind,
        "sender_id": m.sender_id,
        "sender_name": m.sender_name,
        "kind": m.kind,
        "body": m.body,
        "created_at": m.created_at,
    })
}

/// `{"conversation": …}`, the data of every conversation.* event.
pub fn conversation_event(event_type: &'static str, c: &Conversation) -> NewEvent {
    NewEvent {
        event_type,
        payload: json!({ "conversation": conversation_json(c) }),
    }
}

/// The data of `message.created` (the writer calls it in the message's transaction).
pub fn message_created(a: &Appended) -> NewEvent {
    NewEvent {
        event_type: MESSAGE_CREATED,
        payload: json!({
            "message": message_json(&a.message),
            "conversation": conversation_json(&a.conversation),
        }),
    }
}

/// The data of `offline_message.created`: a conversation started while nobody could answer.
pub fn offline_message(c: &Conversation, first: &Message, within_hours: bool) -> NewEvent {
    NewEvent {
        event_type: OFFLINE_MESSAGE_CREATED,
        payload: json!({
            "conversation": conversation_json(c),
            "message": message_json(first),
            "within_business_hours": within_hours,
        }),
    }
}

/// The data of `visitor.identified`: the site proved who the visitor is (`uniqchat('identify')`).
/// `switched`: the browser was someone else's visitor before and now continues as this one.
pub fn visitor_identified(v: &Visitor, switched: bool) -> NewEvent {
    let attributes: Value = serde_json::from_str(&v.attributes).unwrap_or_else(|_| json!({}));
    NewEvent {
        event_type: VISITOR_IDENTIFIED,
        payload: json!({
            "visitor": {
                "id": v.id,
                "external_id": v.external_id,
                "name": v.name,
                "email": v.email,
                "attributes": attributes,
            },
            "switched_browser": switched,
        }),
    }
}

/// The builders the conversation changes take (see `store::EventFor`).
pub fn on_created(c: &Conversation) -> NewEvent {
    conversation_event(CONVERSATION_CREATED, c)
}

pub fn on_assigned(c: &Conversation) -> NewEvent {
    conversation_event(CONVERSATION_ASSIGNED, c)
}

pub fn on_transferred(c: &Conversation) -> NewEvent {
    conversation_event(CONVERSATION_TRANSFERRED, c)
}

pub fn on_closed(c: &Conversation) -> NewEvent {
    conversation_event(CONVERSATION_CLOSED, c)
}

pub fn on_rated(c: &Conversation) -> NewEvent {
    conversation_event(CONVERSATION_RATED, c)
}
