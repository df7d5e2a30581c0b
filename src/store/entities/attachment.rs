use sea_orm::entity::prelude::*;

use super::enums::SenderKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub conversation_id: String,
    /// visitor or agent
    pub uploader_kind: SenderKind,
    pub uploader_id: String,
    /// The name the uploader gave, cleaned for display; never used as a path.
    pub name: String,
    /// Detected from the bytes (never from the name or the request's header).
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// `{tenant}/{conversation}/{id}`, made by the server.
    pub object_key: String,
    pub thumbnail_key: Option<String>,
    /// Images only (0 for other files).
    pub width: i32,
    pub height: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
