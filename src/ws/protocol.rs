//! The frames of the realtime protocol (docs/protocol.md): JSON text frames, one envelope
//! `{"type": ...}`; requests may carry an `id` that the reply echoes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cluster::{Invitation, LiveVisitor, WidgetLook};
use crate::store::{AgentStatus, Conversation, Message, SenderKind};

/// Frames a client sends.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Store a message; answered by `ack` once it is committed.
    Send {
        id: Option<String>,
        /// Visitors may leave it out: their open conversation is used, or a new one started.
        conversation_id: Option<String>,
        /// The client's own id for the message: a resend with the same id is the same message.
        client_msg_id: String,
        /// The text; left out (or empty) with `attachment_id`.
        #[serde(default)]
        body: String,
        /// A file uploaded to this conversation by the sender (POST …/conversations/{id}/files):
        /// the message is of kind `image` or `file` and its body the file's description.
        attachment_id: Option<String>,
    },
    /// Replay what was missed: the last `seq` the client has, per conversation.
    Resume {
        id: Option<String>,
        conversations: BTreeMap<String, i64>,
    },
    Read {
        id: Option<String>,
        conversation_id: String,
        seq: i64,
    },
    Typing {
        conversation_id: String,
        on: bool,
        /// Visitors: the text typed so far (typing preview); dropped unless the tenant turned
        /// `typing_preview` on, and never taken from agents.
        #[serde(default)]
        draft: Option<String>,
    },
    /// Agents: take a waiting conversation.
    Accept {
        id: Option<String>,
        conversation_id: String,
    },
    /// Close a conversation (its visitor, or the agent holding it).
    Close {
        id: Option<String>,
        conversation_id: String,
    },
    /// Visitors: rate a closed conversation, 1 to 5.
    Rate {
        id: Option<String>,
        conversation_id: String,
        rating: i32,
        comment: Option<String>,
    },
    /// Agents: an internal note in a conversation they hold (agents only see it).
    Note {
        id: Option<String>,
        conversation_id: String,
        client_msg_id: String,
        body: String,
    },
    /// Agents: hand the conversation to another agent or to a group's queue.
    Transfer {
        id: Option<String>,
        conversation_id: String,
        to_agent_id: Option<String>,
        to_group_id: Option<String>,
        note: Option<String>,
    },
    /// Agents: block the conversation's visitor (closes it and their connections).
    Block {
        id: Option<String>,
        conversation_id: String,
        reason: Option<String>,
    },
    /// Agents: online, away or busy.
    Status {
        id: Option<String>,
        status: AgentStatus,
    },
    Ping {
        id: Option<String>,
    },
    /// Visitors: the page the widget is on now (on load and on every in-page navigation).
    Page {
        id: Option<String>,
        url: String,
        title: Option<String>,
        /// The page's referrer, on the first page of a visit.
        referrer: Option<String>,
        /// The browser's IANA time zone, e.g. "Europe/Paris".
        timezone: Option<String>,
        /// The browser's language, e.g. "zh-CN".
        language: Option<String>,
    },
    /// Agents: follow every event of a conversation the connection shows, even one that is
    /// neither theirs nor in the queue (null: stop).
    Watch {
        id: Option<String>,
        conversation_id: Option<String>,
    },
}

pub const CLIENT_TYPES: [&str; 14] = [
    "send", "resume", "read", "typing", "accept", "close", "rate", "note", "transfer", "block",
    "status", "ping", "watch", "page",
];

/// Frames the server sends.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame<'a> {
    /// First frame of every connection.
    Hello {
        /// visitor or agent
        role: SenderKind,
        participant_id: &'a str,
        /// Conversations to follow, with their `last_seq`.
        conversations: &'a [Conversation],
        heartbeat_secs: u64,
    },
    Ack {
        id: Option<&'a str>,
        conversation_id: &'a str,
        message_id: &'a str,
        client_msg_id: Option<&'a str>,
        seq: i64,
        created_at: chrono::DateTime<chrono::Utc>,
        /// True when the message had been stored before (a resend); nothing new was stored.
        duplicate: bool,
    },
    Message {
        message: &'a Message,
    },
    /// The end of a replay: the last `seq` now delivered per conversation.
    Resumed {
        id: Option<&'a str>,
        conversations: &'a BTreeMap<String, i64>,
    },
    Typing {
        conversation_id: &'a str,
        from: SenderKind,
        on: bool,
        /// To agents only, with the tenant's typing preview on.
        #[serde(skip_serializing_if = "Option::is_none")]
        draft: Option<&'a str>,
    },
    Read {
        conversation_id: &'a str,
        by: SenderKind,
        seq: i64,
    },
    Conversation {
        conversation: &'a Conversation,
    },
    /// The visitor's place in the queue (1 = next).
    Queue {
        conversation_id: &'a str,
        position: u64,
    },
    /// A reply the model drafted, for the holding agent to approve or dismiss (hybrid mode).
    Draft {
        conversation_id: &'a str,
        draft_id: &'a str,
        body: &'a str,
    },
    Closed {
        id: Option<&'a str>,
        conversation: &'a Conversation,
    },
    Rated {
        id: Option<&'a str>,
        conversation: &'a Conversation,
    },
    Transferred {
        id: Option<&'a str>,
        conversation: &'a Conversation,
    },
    Blocked {
        id: Option<&'a str>,
        conversation: &'a Conversation,
    },
    Status {
        id: Option<&'a str>,
        status: AgentStatus,
    },
    Accepted {
        id: Option<&'a str>,
        conversation: &'a Conversation,
    },
    Error {
        id: Option<&'a str>,
        code: &'a str,
        message: &'a str,
    },
    Pong {
        id: Option<&'a str>,
    },
    /// The conversation this connection now watches (null: none).
    Watching {
        id: Option<&'a str>,
        conversation_id: Option<&'a str>,
    },
    /// The tenant's widget settings changed (visitors): apply them without a reload.
    Settings {
        settings: &'a WidgetLook,
    },
    /// Visitors: the `page` report with this `id` was recorded.
    Tracked {
        id: Option<&'a str>,
    },
    /// Agents: a visitor arrived on the site or moved to another page (docs/protocol.md).
    LiveVisitor {
        visitor: &'a LiveVisitor,
    },
    /// Agents: a visitor left the site (their last widget closed).
    LiveVisitorLeft {
        visitor_id: &'a str,
    },
    /// Visitors: open the widget with this message (an agent's invitation or a trigger's).
    Invitation {
        invitation: &'a Invitation,
    },
}

impl ServerFrame<'_> {
    pub fn to_text(&self) -> String {
        // Serialising these plain structs cannot fail; an empty frame would be ignored by clients.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Why a frame could not be read, with the request `id` when the frame had a readable one, so
/// the error answers the request it refuses.
pub struct FrameError {
    pub id: Option<String>,
    pub kind: FrameErrorKind,
}

pub enum FrameErrorKind {
    Malformed(String),
    UnknownType(String),
    /// A text field holds a control character (other than tab, line feed, carriage return).
    Invalid {
        field: String,
        message: &'static str,
    },
}

impl FrameError {
    pub fn code(&self) -> &'static str {
        match self.kind {
            FrameErrorKind::Malformed(_) => "invalid_frame",
            FrameErrorKind::UnknownType(_) => "unknown_type",
            FrameErrorKind::Invalid { .. } => "validation_failed",
        }
    }

    pub fn message(&self) -> String {
        match &self.kind {
            FrameErrorKind::Malformed(why) => why.clone(),
            FrameErrorKind::UnknownType(t) => format!("unknown frame type '{t}'"),
            FrameErrorKind::Invalid { field, message } => format!("{field}: {message}"),
        }
    }
}

/// The `id` of a frame that is an object with a string `id`, whatever else is wrong with it.
pub fn request_id(value: &serde_json::Value) -> Option<String> {
    value.get("id")?.as_str().map(str::to_string)
}

pub fn parse(text: &str) -> Result<ClientFrame, FrameError> {
    let malformed = |id: Option<String>, why: String| FrameError {
        id,
        kind: FrameErrorKind::Malformed(why),
    };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| malformed(None, e.to_string()))?;
    let id = request_id(&value);
    let Some(kind) = value.get("type").and_then(|t| t.as_str()) else {
        return Err(malformed(id, "a frame needs a string \"type\"".into()));
    };
    if !CLIENT_TYPES.contains(&kind) {
        return Err(FrameError {
            kind: FrameErrorKind::UnknownType(kind.to_string()),
            id,
        });
    }
    if let Err((field, message)) = crate::service::validate::check_text(&value) {
        return Err(FrameError {
            id,
            kind: FrameErrorKind::Invalid { field, message },
        });
    }
    serde_json::from_value(value).map_err(|e| malformed(id, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert!(matches!(
            parse(r#"{"type":"send","id":"1","client_msg_id":"c","body":"hi"}"#),
            Ok(ClientFrame::Send { .. })
        ));
        let refused = |text: &str| match parse(text) {
            Err(e) => (e.code(), e.id),
            Ok(f) => panic!("{text} was accepted as {f:?}"),
        };
        assert_eq!(refused("{"), ("invalid_frame", None));
        assert_eq!(
            refused(r#"{"type":"dance","id":"7"}"#),
            ("unknown_type", Some("7".into()))
        );
        assert_eq!(
            refused(r#"{"type":"send","id":"8","body":5}"#),
            ("invalid_frame", Some("8".into()))
        );
        // A required field missing is a malformed frame too.
        assert_eq!(
            refused(r#"{"type":"send","id":"9","body":"hi"}"#),
            ("invalid_frame", Some("9".into()))
        );
        assert_eq!(
            refused(r#"{"type":"ping","extra":true}"#),
            ("invalid_frame", None)
        );
        assert_eq!(
            refused(r#"{"id":"10"}"#),
            ("invalid_frame", Some("10".into()))
        );
        assert_eq!(refused(r#"[1,2]"#), ("invalid_frame", None));
    }
}
