use sea_orm::entity::prelude::*;

/// A tenant's own file limits, each at most the server's; null: the server's limit.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_file_limits")]
pub struct Model {
    /// The tenant's id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub max_file_bytes: Option<i64>,
    pub max_files_per_conversation: Option<i64>,
    /// JSON array of content types.
    #[sea_orm(column_type = "Text", nullable)]
    pub allowed_types: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
