use sea_orm::entity::prelude::*;

/// When a tenant's closed conversations are archived and deleted; no row: never.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "archive_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    /// Closed conversations older than this many days go to object storage; 0: never.
    pub archive_after_days: i32,
    /// Closed conversations older than this many days are deleted everywhere; 0: never.
    pub delete_after_days: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
