//! Old conversations written straight into the server's database, with the times the test
//! chooses, and what is left of them afterwards.

use chrono::{Duration, Utc};
use sea_orm::{
    ColumnTrait, Database, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter,
};
use uniqchat::store::entities::{attachment, conversation, conversation_archive, message, visitor};
use uniqchat::store::{ConversationState, MessageKind, SenderKind};

pub struct History {
    pub db: DatabaseConnection,
    pub tenant: String,
    pub agent: String,
    n: usize,
}

impl History {
    pub async fn new(url: &str, tenant: &str, agent: &str) -> History {
        History {
            db: Database::connect(url)
                .await
                .expect("connect to the server's database"),
            tenant: tenant.to_string(),
            agent: agent.to_string(),
            n: 0,
        }
    }

    fn id(&mut self, kind: &str) -> String {
        self.n += 1;
        let tenant: String = self.tenant.chars().rev().take(8).collect();
        format!("{kind}-{:05}-{tenant}", self.n)
    }

    /// A conversation of the tenant's agent, created `days + 1` days ago and closed `days`
    /// ago (open when `days` is None), with a visitor text, an agent text, an internal note
    /// and an event card.
    pub async fn conversation(&mut self, closed_days_ago: Option<i64>, label: &str) -> String {
        let vid = self.id("v");
        let base = Utc::now() - Duration::days(closed_days_ago.unwrap_or(0) + 1);
        visitor::Entity::insert(
            visitor::Model {
                id: vid.clone(),
                tenant_id: self.tenant.clone(),
                external_id: None,
                name: Some(format!("Visitor {label}")),
                email: Some(format!("{label}@customer.test")),
                ip: None,
                user_agent: None,
                referrer: None,
                pages: "[]".into(),
                attributes: "{}".into(),
                language: None,
                visits: 1,
                created_at: base,
                last_seen_at: base,
            }
            .into_active_model(),
        )
        .exec_without_returning(&self.db)
        .await
        .expect("insert a visitor");
        let id = self.id("c");
        let closed = closed_days_ago.map(|d| Utc::now() - Duration::days(d));
        let lines = [
            (
                SenderKind::Visitor,
                MessageKind::Text,
                false,
                "where is my parcel",
            ),
            (
                SenderKind::Agent,
                MessageKind::Text,
                false,
                "it ships tomorrow",
            ),
            (
                SenderKind::Agent,
                MessageKind::Note,
                true,
                "customer is a reseller",
            ),
            (
                SenderKind::System,
                MessageKind::Event,
                false,
                "{\"title\":\"closed\"}",
            ),
        ];
        conversation::Entity::insert(
            conversation::Model {
                id: id.clone(),
                tenant_id: self.tenant.clone(),
                visitor_id: vid.clone(),
                agent_id: Some(self.agent.clone()),
                group_id: None,
                state: match closed {
                    Some(_) => ConversationState::Closed,
                    None => ConversationState::Chatting,
                },
                previous_id: None,
                last_seq: lines.len() as i64,
                created_at: base,
                updated_at: base,
                assigned_at: Some(base),
                first_response_at: Some(base),
                closed_at: closed,
                close_reason: closed.map(|_| "agent".to_string()),
                rating: closed.map(|_| 5),
                rating_comment: closed.map(|_| format!("thanks {label}")),
            }
            .into_active_model(),
        )
        .exec_without_returning(&self.db)
        .await
        .expect("insert a conversation");
        for (i, (sender, kind, internal, body)) in lines.into_iter().enumerate() {
            let sender_id = match sender {
                SenderKind::Visitor => Some(vid.clone()),
                SenderKind::Agent => Some(self.agent.clone()),
                _ => None,
            };
            message::Entity::insert(
                message::Model {
                    id: self.id("m"),
                    tenant_id: self.tenant.clone(),
                    conversation_id: id.clone(),
                    seq: i as i64 + 1,
                    sender_kind: sender,
                    sender_id,
                    sender_name: None,
                    client_msg_id: Some(format!("cm-{i}")),
                    kind,
                    body: format!("{body} ({label})"),
                    internal,
                    created_at: base + Duration::minutes(i as i64),
                }
                .into_active_model(),
            )
            .exec_without_returning(&self.db)
            .await
            .expect("insert a message");
        }
        id
    }

    /// An attachment row of the conversation whose object key is returned (the caller puts
    /// the bytes).
    pub async fn attachment(&mut self, conversation_id: &str) -> String {
        let id = self.id("f");
        let key = format!("{}/{conversation_id}/{id}", self.tenant);
        attachment::Entity::insert(
            attachment::Model {
                id,
                tenant_id: self.tenant.clone(),
                conversation_id: conversation_id.to_string(),
                uploader_kind: SenderKind::Visitor,
                uploader_id: "someone".into(),
                name: "note.txt".into(),
                content_type: "text/plain".into(),
                size: 5,
                sha256: "0".repeat(64),
                object_key: key.clone(),
                thumbnail_key: None,
                width: 0,
                height: 0,
                created_at: Utc::now(),
            }
            .into_active_model(),
        )
        .exec_without_returning(&self.db)
        .await
        .expect("insert an attachment");
        key
    }

    /// Adds an agent's internal note to a live conversation and closes it `days` ago.
    pub async fn note_and_close(&mut self, conversation_id: &str, days: i64) {
        use sea_orm::sea_query::Expr;
        let c = conversation::Entity::find_by_id(conversation_id)
            .one(&self.db)
            .await
            .expect("read conversation")
            .expect("the conversation");
        let seq = c.last_seq + 1;
        message::Entity::insert(
            message::Model {
                id: self.id("m"),
                tenant_id: self.tenant.clone(),
                conversation_id: conversation_id.to_string(),
                seq,
                sender_kind: SenderKind::Agent,
                sender_id: Some(self.agent.clone()),
                sender_name: None,
                client_msg_id: Some("note-1".into()),
                kind: MessageKind::Note,
                body: "visitor must not see this".into(),
                internal: false,
                created_at: Utc::now(),
            }
            .into_active_model(),
        )
        .exec_without_returning(&self.db)
        .await
        .expect("insert a note");
        let closed = Utc::now() - Duration::days(days);
        conversation::Entity::update_many()
            .col_expr(conversation::Column::LastSeq, Expr::value(seq))
            .col_expr(conversation::Column::State, Expr::value("closed"))
            .col_expr(conversation::Column::ClosedAt, Expr::value(closed))
            .filter(conversation::Column::Id.eq(conversation_id))
            .exec(&self.db)
            .await
            .expect("close in the past");
    }

    pub async fn hot_messages(&self, conversation_id: &str) -> u64 {
        message::Entity::find()
            .filter(message::Column::ConversationId.eq(conversation_id))
            .count(&self.db)
            .await
            .expect("count messages")
    }

    pub async fn archived(&self, conversation_id: &str) -> bool {
        conversation_archive::Entity::find_by_id(conversation_id)
            .one(&self.db)
            .await
            .expect("read archive row")
            .is_some()
    }

    pub async fn exists(&self, conversation_id: &str) -> bool {
        conversation::Entity::find_by_id(conversation_id)
            .one(&self.db)
            .await
            .expect("read conversation")
            .is_some()
    }

    pub async fn attachments(&self, conversation_id: &str) -> u64 {
        attachment::Entity::find()
            .filter(attachment::Column::ConversationId.eq(conversation_id))
            .count(&self.db)
            .await
            .expect("count attachments")
    }
}
