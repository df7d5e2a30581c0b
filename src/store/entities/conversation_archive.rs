use sea_orm::entity::prelude::*;

/// An archived conversation: its messages live in the object `object_key`, not in `messages`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "conversation_archives")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub conversation_id: String,
    pub tenant_id: String,
    /// `archive/{tenant_id}/{conversation_id}.json.zst` in the file storage.
    pub object_key: String,
    pub message_count: i64,
    /// Visitor name and e-mail, agent, first lines: what archived conversations are found by.
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    pub archived_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
