use sea_orm::entity::prelude::*;

/// A reply the language model drafted for the agent holding a conversation (hybrid mode),
/// waiting for the agent's approval, or approved (and sent) or dismissed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "reply_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub conversation_id: String,
    /// The visitor message it answers.
    pub message_id: String,
    /// What the model wrote.
    pub body: String,
    /// What the agent sent, after any edits.
    pub final_body: Option<String>,
    /// `pending`, `approved` or `dismissed`.
    pub status: String,
    pub approved_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
