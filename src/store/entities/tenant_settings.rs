use sea_orm::entity::prelude::*;

use super::enums::RoutingStrategy;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "tenant_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(column_type = "Text")]
    pub welcome_message: String,
    #[sea_orm(column_type = "Text")]
    pub offline_message: String,
    /// JSON: weekly opening hours, e.g. `{"mon": [["09:00", "17:00"]], ...}`; `{}` means always open.
    #[sea_orm(column_type = "Text")]
    pub business_hours: String,
    pub timezone: String,
    pub routing_strategy: RoutingStrategy,
    pub widget_color: String,
    pub widget_title: String,
    pub widget_position: String,
    /// JSON array of origins allowed to embed the widget; `[]` allows any.
    #[sea_orm(column_type = "Text")]
    pub allowed_origins: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
