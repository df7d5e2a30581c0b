//! The frames of the chat scenario, made and read cheaply: a `send` frame is written into a
//! buffer from a template made once per visitor (no JSON value, no per-field strings), and the
//! frames that come back are read into one borrowed struct (no `serde_json::Value`, no copy of
//! a string unless it holds an escape).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Deserialize;

/// Every measured message's body starts with this, followed by its send time in µs.
pub const BODY_PREFIX: &str = "bench ";

/// The `send` frames of one visitor in one conversation: only the message number and the send
/// time change from one to the next.
pub struct SendTemplate {
    /// `{"type":"send","conversation_id":"…","client_msg_id":"b<visitor>-`
    head: String,
}

impl SendTemplate {
    pub fn new(conversation: &str, visitor: usize) -> SendTemplate {
        let mut head = String::with_capacity(96 + conversation.len());
        head.push_str(r#"{"type":"send","conversation_id":"#);
        // Conversation ids come from the server: write them as JSON would.
        head.push_str(&serde_json::to_string(conversation).unwrap_or_default());
        let _ = write!(head, r#","client_msg_id":"b{visitor}-"#);
        SendTemplate { head }
    }

    /// The frame of message `n`, sent `sent_at` µs after the run's origin.
    pub fn frame(&self, n: u64, sent_at: u64) -> String {
        let mut out = String::with_capacity(self.head.len() + 64);
        out.push_str(&self.head);
        let _ = write!(out, r#"{n}","body":"{BODY_PREFIX}{sent_at}"}}"#);
        out
    }
}

/// The body of a measured message sent at `sent_at` µs.
pub fn body(sent_at: u64) -> String {
    format!("{BODY_PREFIX}{sent_at}")
}

/// `b<visitor>-<n>` → (visitor, n); anything else (the warm-up, another client's ids) → None.
pub fn parse_client_id(id: &str) -> Option<(u32, u64)> {
    let (visitor, n) = id.strip_prefix('b')?.split_once('-')?;
    Some((visitor.parse().ok()?, n.parse().ok()?))
}

/// The send time a measured body carries.
pub fn sent_at(body: &str) -> Option<u64> {
    body.strip_prefix(BODY_PREFIX)?.parse().ok()
}

/// Every server frame the chat scenario reads, with the fields it looks at.
#[derive(Deserialize)]
pub struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    #[serde(borrow, default)]
    pub conversation_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub client_msg_id: Option<Cow<'a, str>>,
    #[serde(default)]
    pub seq: Option<i64>,
    #[serde(borrow, default)]
    pub code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub message: Option<MessageFields<'a>>,
    /// In an ack: the server had stored this client id already (a resend).
    #[serde(default)]
    pub duplicate: bool,
}

#[derive(Deserialize)]
pub struct MessageFields<'a> {
    #[serde(borrow)]
    pub conversation_id: Cow<'a, str>,
    pub seq: i64,
    #[serde(borrow)]
    pub sender_kind: Cow<'a, str>,
    #[serde(borrow, default)]
    pub client_msg_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub body: Cow<'a, str>,
}

pub fn parse(text: &str) -> Option<Frame<'_>> {
    serde_json::from_str(text).ok()
}

#[derive(Deserialize)]
struct Resumed {
    conversations: HashMap<String, i64>,
}

/// A `resumed` frame's conversations: (id, the seq its replay reached).
pub fn resumed(text: &str) -> Option<HashMap<String, i64>> {
    serde_json::from_str::<Resumed>(text)
        .ok()
        .map(|r| r.conversations)
}

#[derive(Deserialize)]
struct Hello {
    #[serde(default)]
    conversations: Vec<Listed>,
}

#[derive(Deserialize)]
struct Listed {
    id: String,
    #[serde(default)]
    state: String,
}

/// The conversations a `hello` lists as the participant's own (not the queue's `waiting` ones).
pub fn own_conversations(hello: &str) -> Vec<String> {
    serde_json::from_str::<Hello>(hello)
        .map(|h| {
            h.conversations
                .into_iter()
                .filter(|c| c.state != "waiting")
                .map(|c| c.id)
                .collect()
        })
        .unwrap_or_default()
}

/// A `resume` frame for these conversations, each from the seq held.
pub fn resume<'a>(conversations: impl IntoIterator<Item = (&'a str, i64)>) -> String {
    let map: HashMap<&str, i64> = conversations.into_iter().collect();
    serde_json::json!({"type": "resume", "id": "resume", "conversations": map}).to_string()
}

impl MessageFields<'_> {
    /// (visitor, n) when this is a measured message written by a visitor of the run.
    pub fn bench_id(&self) -> Option<(u32, u64)> {
        if self.sender_kind != "visitor" {
            return None;
        }
        parse_client_id(self.client_msg_id.as_deref()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_makes_the_frame_serde_would() {
        let t = SendTemplate::new("c-1\"x", 7);
        let frame: serde_json::Value =
            serde_json::from_str(&t.frame(42, 123_456)).expect("valid JSON");
        assert_eq!(
            frame,
            serde_json::json!({"type": "send", "conversation_id": "c-1\"x",
                "client_msg_id": "b7-42", "body": "bench 123456"})
        );
        assert_eq!(parse_client_id("b7-42"), Some((7, 42)));
        assert_eq!(parse_client_id("w7"), None);
        assert_eq!(parse_client_id("b7-x"), None);
        assert_eq!(sent_at("bench 123456"), Some(123_456));
        assert_eq!(body(5), "bench 5");
    }

    #[test]
    fn frames_are_read_with_the_fields_the_ledger_needs() {
        let ack = parse(r#"{"type":"ack","id":null,"conversation_id":"c","message_id":"m","client_msg_id":"b1-2","seq":5,"created_at":"x","duplicate":false}"#)
            .expect("ack");
        assert_eq!(
            (ack.kind.as_ref(), ack.seq, ack.client_msg_id.as_deref()),
            ("ack", Some(5), Some("b1-2"))
        );
        let msg = parse(r#"{"type":"message","message":{"id":"m","tenant_id":"t","conversation_id":"c","seq":5,"sender_kind":"visitor","sender_id":"v","sender_name":null,"client_msg_id":"b1-2","kind":"text","body":"bench 9","created_at":"x"}}"#)
            .expect("message");
        let m = msg.message.expect("fields");
        assert_eq!((m.seq, m.bench_id()), (5, Some((1, 2))));
        let bot = parse(r#"{"type":"message","message":{"conversation_id":"c","seq":1,"sender_kind":"bot","client_msg_id":"b1-2","body":"hi"}}"#)
            .and_then(|f| f.message)
            .expect("bot");
        assert_eq!(
            bot.bench_id(),
            None,
            "only visitors write measured messages"
        );
        assert!(parse("not json").is_none());
        let dup = parse(r#"{"type":"ack","conversation_id":"c","client_msg_id":"b1-2","seq":5,"duplicate":true}"#)
            .expect("ack");
        assert!(dup.duplicate);
        let reached = resumed(r#"{"type":"resumed","id":"resume","conversations":{"c":9}}"#)
            .expect("resumed");
        assert_eq!(reached.get("c"), Some(&9));
        let hello = r#"{"type":"hello","conversations":[{"id":"a","state":"chatting"},{"id":"q","state":"waiting"}]}"#;
        assert_eq!(own_conversations(hello), vec!["a".to_string()]);
        let frame: serde_json::Value = serde_json::from_str(&resume([("c", 4)])).expect("JSON");
        assert_eq!(frame["conversations"]["c"], 4);
    }
}
