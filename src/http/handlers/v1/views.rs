//! Shapes of the `/api/v1` answers.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::store::{Conversation, ConversationState, VisitorEvent};

/// A business event on the visitor's timeline (or delivered into a conversation).
#[derive(Serialize, ToSchema)]
pub struct TimelineEventView {
    pub id: String,
    pub visitor_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// The card: `{type, title, fields: [{label, value}], url}`.
    #[schema(value_type = Object)]
    pub card: serde_json::Value,
    pub visible_to_visitor: bool,
    /// Where it was delivered as a message (null: on the timeline only).
    pub conversation_id: Option<String>,
    pub message_id: Option<String>,
    pub seq: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<VisitorEvent> for TimelineEventView {
    fn from(e: VisitorEvent) -> Self {
        TimelineEventView {
            card: serde_json::from_str(&e.body).unwrap_or_default(),
            id: e.id,
            visitor_id: e.visitor_id,
            event_type: e.event_type,
            visible_to_visitor: e.visible_to_visitor,
            conversation_id: e.conversation_id,
            message_id: e.message_id,
            seq: e.seq,
            created_at: e.created_at,
        }
    }
}

/// A conversation as `/api/v1` shows it.
#[derive(Serialize, ToSchema)]
pub struct V1ConversationView {
    pub id: String,
    pub visitor_id: String,
    pub agent_id: Option<String>,
    pub group_id: Option<String>,
    /// waiting, bot, chatting, transferring or closed
    #[schema(value_type = String, example = "chatting")]
    pub state: ConversationState,
    pub previous_id: Option<String>,
    pub last_seq: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: Option<String>,
    pub rating: Option<i32>,
}

impl From<Conversation> for V1ConversationView {
    fn from(c: Conversation) -> Self {
        V1ConversationView {
            id: c.id,
            visitor_id: c.visitor_id,
            agent_id: c.agent_id,
            group_id: c.group_id,
            state: c.state,
            previous_id: c.previous_id,
            last_seq: c.last_seq,
            created_at: c.created_at,
            updated_at: c.updated_at,
            assigned_at: c.assigned_at,
            closed_at: c.closed_at,
            close_reason: c.close_reason,
            rating: c.rating,
        }
    }
}
