//! The export document: the visitor's record, then each conversation with everything hanging
//! off it, then what is kept about the visitor outside conversations. docs/privacy.md lists
//! every field.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};

use crate::service::files::FileService;
use crate::store::VisitorRecords;

/// Names this layout; a changed layout gets a new name.
pub const FORMAT: &str = "uniqchat.visitor-export.v1";

#[derive(Debug, Clone, Serialize)]
pub struct VisitorExport {
    pub format: &'static str,
    pub exported_at: DateTime<Utc>,
    pub tenant_id: String,
    /// The visitor record; `pages` and `attributes` as JSON, not text.
    pub visitor: Value,
    /// Oldest first, each with `messages`, `files`, `bot_turns` and `reply_drafts`.
    pub conversations: Vec<Value>,
    /// Business events posted about the visitor through `/api/v1/events`.
    pub events: Vec<Value>,
    /// Proactive messages (triggers) shown to the visitor.
    pub trigger_fires: Vec<Value>,
    /// Mail about the visitor's conversations: transcripts, offline replies.
    pub mails: Vec<Value>,
}

/// JSON text kept in a column, as JSON; text that is not JSON stays text.
fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

pub fn build(r: VisitorRecords, files: &FileService) -> VisitorExport {
    let mut visitor = serde_json::to_value(&r.visitor).unwrap_or_default();
    visitor["pages"] = parsed(&r.visitor.pages);
    visitor["attributes"] = parsed(&r.visitor.attributes);

    let sentiment: HashMap<&str, f64> = r
        .sentiment
        .iter()
        .map(|s| (s.message_id.as_str(), s.score))
        .collect();
    let mut per_conversation: HashMap<String, Conv> = HashMap::new();
    for m in &r.messages {
        let mut v = serde_json::to_value(m).unwrap_or_default();
        v["sentiment"] = json!(sentiment.get(m.id.as_str()));
        per_conversation
            .entry(m.conversation_id.clone())
            .or_default()
            .messages
            .push(v);
    }
    for l in files.linked_all(r.attachments) {
        let a = &l.attachment;
        per_conversation
            .entry(a.conversation_id.clone())
            .or_default()
            .files
            .push(json!({
                "id": a.id,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "width": a.width,
                "height": a.height,
                "uploader_kind": a.uploader_kind,
                "uploader_id": a.uploader_id,
                "object_key": a.object_key,
                "thumbnail_key": a.thumbnail_key,
                "url": l.url,
                "thumbnail_url": l.thumbnail_url,
                "link_expires_at": l.expires_at,
                "created_at": a.created_at,
            }));
    }
    for t in &r.bot_turns {
        per_conversation
            .entry(t.conversation_id.clone())
            .or_default()
            .bot_turns
            .push(json!({
                "id": t.id,
                "message_id": t.message_id,
                "question": t.question,
                "outcome": t.outcome,
                "detail": t.detail,
                "reply_id": t.reply_id,
                "rating": t.rating,
                "created_at": t.created_at,
            }));
    }
    for d in &r.reply_drafts {
        per_conversation
            .entry(d.conversation_id.clone())
            .or_default()
            .reply_drafts
            .push(serde_json::to_value(d).unwrap_or_default());
    }
    let conversations = r
        .conversations
        .iter()
        .map(|c| {
            let parts = per_conversation.remove(&c.id).unwrap_or_default();
            let mut v = serde_json::to_value(c).unwrap_or_default();
            v["messages"] = Value::Array(parts.messages);
            v["files"] = Value::Array(parts.files);
            v["bot_turns"] = Value::Array(parts.bot_turns);
            v["reply_drafts"] = Value::Array(parts.reply_drafts);
            v
        })
        .collect();
    let events = r
        .events
        .iter()
        .map(|e| {
            let mut v = serde_json::to_value(e).unwrap_or_default();
            v["body"] = parsed(&e.body);
            v
        })
        .collect();
    let trigger_fires = r
        .trigger_fires
        .iter()
        .map(|f| json!({ "trigger_id": f.trigger_id, "day": f.day, "fired_at": f.fired_at }))
        .collect();
    let mails = r
        .mails
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "kind": m.kind,
                "conversation_id": m.conversation_id,
                "recipient": m.recipient,
                "subject": m.subject,
                "status": m.status,
                "created_at": m.created_at,
                "sent_at": m.sent_at,
            })
        })
        .collect();
    VisitorExport {
        format: FORMAT,
        exported_at: Utc::now(),
        tenant_id: r.visitor.tenant_id.clone(),
        visitor,
        conversations,
        events,
        trigger_fires,
        mails,
    }
}

#[derive(Default)]
struct Conv {
    messages: Vec<Value>,
    files: Vec<Value>,
    bot_turns: Vec<Value>,
    reply_drafts: Vec<Value>,
}
