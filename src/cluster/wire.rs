//! What travels between nodes: every kind the in-process bus carries, plus the bus's own
//! housekeeping, as JSON tagged with the sending node.

use serde::{Deserialize, Serialize};

use super::{Block, Event, Notice, SessionsRevoked};

/// One bus message as it is published on the cluster's channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// The node that published it: a node skips its own (it delivered them at publish time).
    pub node: String,
    pub msg: BusMessage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum BusMessage {
    Event(Event),
    Block(Block),
    Notice(Notice),
    SessionsRevoked(SessionsRevoked),
    /// The sender's agents changed: read the presence keys again now.
    Presence,
    /// The sender dropped bus messages (Redis was down): every node's clients must resume.
    Resync,
}

impl Envelope {
    pub fn encode(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    pub fn decode(text: &str) -> Result<Envelope, serde_json::Error> {
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::cluster::{EventKind, WidgetLook};
    use crate::store::entities::{conversation, message};
    use crate::store::{BlacklistKind, ConversationState, MessageKind, SenderKind};

    fn message() -> message::Model {
        message::Model {
            id: "m1".into(),
            tenant_id: "t1".into(),
            conversation_id: "c1".into(),
            seq: 7,
            sender_kind: SenderKind::Agent,
            sender_id: Some("u1".into()),
            sender_name: Some("Ann \"the\" agent ✓".into()),
            client_msg_id: Some("cm-1".into()),
            kind: MessageKind::Text,
            body: "hello\nworld 你好".into(),
            internal: false,
            created_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        }
    }

    fn conversation() -> conversation::Model {
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        conversation::Model {
            id: "c1".into(),
            tenant_id: "t1".into(),
            visitor_id: "v1".into(),
            agent_id: Some("u1".into()),
            group_id: None,
            state: ConversationState::Chatting,
            previous_id: Some("c0".into()),
            last_seq: 7,
            created_at: at,
            updated_at: at,
            assigned_at: Some(at),
            first_response_at: None,
            closed_at: None,
            close_reason: None,
            rating: Some(5),
            rating_comment: Some("great".into()),
        }
    }

    fn event(kind: EventKind) -> BusMessage {
        BusMessage::Event(Event {
            tenant_id: "t1".into(),
            conversation_id: "c1".into(),
            visitor_id: "v1".into(),
            agent_id: None,
            kind,
        })
    }

    /// Every kind of bus message comes back from the wire as it was sent.
    #[test]
    fn every_bus_message_round_trips() {
        let all = vec![
            event(EventKind::Message(message())),
            event(EventKind::Typing {
                from: SenderKind::Visitor,
                on: true,
                draft: Some("I would like to ret".into()),
            }),
            event(EventKind::Read {
                by: SenderKind::Agent,
                seq: 3,
            }),
            event(EventKind::Updated(conversation())),
            event(EventKind::OfflineMessage(message())),
            event(EventKind::Queue { position: 2 }),
            event(EventKind::Draft {
                draft_id: "d1".into(),
                body: "Hello".into(),
            }),
            BusMessage::Block(Block {
                tenant_id: "t1".into(),
                kind: BlacklistKind::Cidr,
                value: "10.0.0.0/8".into(),
            }),
            BusMessage::Block(Block {
                tenant_id: "t1".into(),
                kind: BlacklistKind::Visitor,
                value: "v1".into(),
            }),
            BusMessage::Notice(Notice::Widget {
                tenant_id: "t1".into(),
                look: WidgetLook {
                    name: "Shop".into(),
                    widget_title: "Hi".into(),
                    widget_color: "#123456".into(),
                    widget_position: "right".into(),
                    welcome_message: "Welcome".into(),
                    offline_message: "Later".into(),
                },
            }),
            BusMessage::Notice(Notice::LiveVisitor {
                tenant_id: "t1".into(),
                visitor: crate::cluster::LiveVisitor {
                    visitor_id: "v1".into(),
                    name: "Brave Otter".into(),
                    page_url: Some("https://shop.test/checkout".into()),
                    page_title: None,
                    page_since: chrono::Utc::now(),
                    arrived_at: chrono::Utc::now(),
                    country: Some("DE".into()),
                    city: None,
                    browser: Some("Firefox".into()),
                    os: None,
                    chatting: false,
                },
            }),
            BusMessage::Notice(Notice::LiveVisitorLeft {
                tenant_id: "t1".into(),
                visitor_id: "v1".into(),
            }),
            BusMessage::Notice(Notice::Invite {
                tenant_id: "t1".into(),
                visitor_id: "v1".into(),
                invitation: crate::cluster::Invitation {
                    conversation_id: None,
                    trigger_id: Some("tr1".into()),
                    from_name: "Shop".into(),
                    body: "Need help?".into(),
                    sent_at: chrono::Utc::now(),
                },
            }),
            BusMessage::SessionsRevoked(SessionsRevoked {
                tenant_id: "t1".into(),
                user_id: "u1".into(),
            }),
            BusMessage::Presence,
            BusMessage::Resync,
        ];
        for msg in all {
            let sent = Envelope {
                node: "node-a".into(),
                msg,
            };
            let text = sent.encode().expect("encode");
            let back = Envelope::decode(&text).expect("decode");
            assert_eq!(back, sent, "{text}");
        }
    }

    #[test]
    fn garbage_is_refused_not_panicked_on() {
        assert!(Envelope::decode("not json").is_err());
        assert!(Envelope::decode(r#"{"node":"a","msg":{"t":"nope"}}"#).is_err());
        assert!(Envelope::decode(r#"{"node":"a"}"#).is_err());
    }
}
