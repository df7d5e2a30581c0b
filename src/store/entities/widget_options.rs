use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "widget_options")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    /// Whether agents see what the visitor types before it is sent.
    pub typing_preview: bool,
    /// JSON: the pre-chat form (`types::widget_text::Prechat`).
    #[sea_orm(column_type = "Text")]
    pub prechat: String,
    /// The language used when the visitor's is not enabled.
    pub default_language: String,
    /// JSON: texts per enabled language (`{"en": {...}, "zh": {...}}`).
    #[sea_orm(column_type = "Text")]
    pub languages: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
