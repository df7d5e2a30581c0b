//! The archive object of one conversation: JSON (format `uniqchat.conversation-archive`,
//! version 1, docs/retention.md) compressed with zstd, at
//! `archive/{tenant_id}/{conversation_id}.json.zst`.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::service::{ServiceError, ServiceResult};
use crate::store::{ArchiveContents, Conversation, Message, SenderKind};

pub const FORMAT: &str = "uniqchat.conversation-archive";
pub const VERSION: u32 = 1;
const LEVEL: i32 = 3;

/// Where a conversation's archive object lives (agreed with privacy erase: keep it exactly).
pub fn object_key(tenant_id: &str, conversation_id: &str) -> String {
    format!("archive/{tenant_id}/{conversation_id}.json.zst")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedVisitor {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedAttachment {
    pub id: String,
    pub uploader_kind: SenderKind,
    pub uploader_id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub object_key: String,
    pub thumbnail_key: Option<String>,
    pub width: i32,
    pub height: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedCursor {
    pub participant_kind: SenderKind,
    pub participant_id: String,
    pub last_read_seq: i64,
    pub updated_at: DateTime<Utc>,
}

/// The whole archive document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchiveDoc {
    pub format: String,
    pub version: u32,
    pub written_at: DateTime<Utc>,
    pub conversation: Conversation,
    pub visitor: Option<ArchivedVisitor>,
    /// Every message, notes and event cards included, by `seq`.
    pub messages: Vec<Message>,
    pub attachments: Vec<ArchivedAttachment>,
    pub read_cursors: Vec<ArchivedCursor>,
}

impl ArchiveDoc {
    pub fn of(c: ArchiveContents) -> ArchiveDoc {
        ArchiveDoc {
            format: FORMAT.to_string(),
            version: VERSION,
            written_at: Utc::now(),
            visitor: c.visitor.map(|v| ArchivedVisitor {
                id: v.id,
                name: v.name,
                email: v.email,
            }),
            conversation: c.conversation,
            messages: c.messages,
            attachments: c
                .attachments
                .into_iter()
                .map(|a| ArchivedAttachment {
                    id: a.id,
                    uploader_kind: a.uploader_kind,
                    uploader_id: a.uploader_id,
                    name: a.name,
                    content_type: a.content_type,
                    size: a.size,
                    sha256: a.sha256,
                    object_key: a.object_key,
                    thumbnail_key: a.thumbnail_key,
                    width: a.width,
                    height: a.height,
                    created_at: a.created_at,
                })
                .collect(),
            read_cursors: c
                .read_cursors
                .into_iter()
                .map(|r| ArchivedCursor {
                    participant_kind: r.participant_kind,
                    participant_id: r.participant_id,
                    last_read_seq: r.last_read_seq,
                    updated_at: r.updated_at,
                })
                .collect(),
        }
    }

    pub fn encode(&self) -> ServiceResult<Bytes> {
        let json = serde_json::to_vec(self)
            .map_err(|e| ServiceError::Internal(format!("archive encode: {e}")))?;
        let packed = zstd::encode_all(json.as_slice(), LEVEL)
            .map_err(|e| ServiceError::Internal(format!("archive compress: {e}")))?;
        Ok(Bytes::from(packed))
    }

    /// Reads an object back; one of another format or a newer version is refused.
    pub fn decode(bytes: &[u8]) -> ServiceResult<ArchiveDoc> {
        let json = zstd::decode_all(bytes)
            .map_err(|e| ServiceError::Internal(format!("archive decompress: {e}")))?;
        let doc: ArchiveDoc = serde_json::from_slice(&json)
            .map_err(|e| ServiceError::Internal(format!("archive decode: {e}")))?;
        if doc.format != FORMAT || doc.version != VERSION {
            return Err(ServiceError::Internal(format!(
                "archive object is {} version {}, not {FORMAT} version {VERSION}",
                doc.format, doc.version
            )));
        }
        Ok(doc)
    }
}

/// What archived conversations are found by: the visitor's name and e-mail, the agent, and
/// the first lines of text, lower-cased, at most about 1000 characters.
pub fn summary(doc: &ArchiveDoc, agent_name: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(v) = &doc.visitor {
        parts.extend(v.name.iter().cloned());
        parts.extend(v.email.iter().cloned());
    }
    parts.extend(agent_name.map(str::to_string));
    for m in doc
        .messages
        .iter()
        .filter(|m| matches!(m.kind, crate::store::MessageKind::Text) && !m.internal)
        .take(5)
    {
        parts.push(m.body.chars().take(200).collect());
    }
    let mut text = parts.join(" | ").to_lowercase();
    if text.chars().count() > 1000 {
        text = text.chars().take(1000).collect();
    }
    text
}
