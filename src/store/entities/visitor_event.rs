use sea_orm::entity::prelude::*;

/// A business event posted through `/api/v1/events`: the idempotency record of every event,
/// and the visitor's timeline for those that found no open conversation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "visitor_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub visitor_id: String,
    pub idempotency_key: String,
    pub event_type: String,
    /// The event card as JSON: `{type, title, fields, url}`.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub visible_to_visitor: bool,
    /// Where it was delivered as a message; None: on the visitor's timeline only.
    pub conversation_id: Option<String>,
    pub message_id: Option<String>,
    pub seq: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
