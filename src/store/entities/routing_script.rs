use sea_orm::entity::prelude::*;

/// One version of a tenant's routing script (Lua); at most one version per tenant is active.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "routing_scripts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    /// 1, 2, 3 … per tenant.
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub source: String,
    /// The account that wrote it (None once that account is gone, or for an API token).
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
