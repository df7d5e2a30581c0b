use sea_orm::entity::prelude::*;

/// A proactive trigger: when a visitor has been on a matching page for `seconds`, the widget
/// opens with `message`, signed `sender_name`; at most once per visitor per day.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "triggers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    /// `contains` or `equals`.
    pub url_match: String,
    #[sea_orm(column_type = "Text")]
    pub url_value: String,
    pub seconds: i32,
    pub only_when_available: bool,
    pub only_within_hours: bool,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub sender_name: String,
    pub enabled: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
