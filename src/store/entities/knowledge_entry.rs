use sea_orm::entity::prelude::*;

/// A question-and-answer entry of a tenant's knowledge base.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "knowledge_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    /// JSON array of strings: the ways a visitor may ask.
    #[sea_orm(column_type = "Text")]
    pub questions: String,
    #[sea_orm(column_type = "Text")]
    pub answer: String,
    /// JSON array of strings.
    #[sea_orm(column_type = "Text")]
    pub tags: String,
    pub language: String,
    /// How many visitors rated the answer helpful, and not helpful.
    pub helpful: i32,
    pub unhelpful: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
