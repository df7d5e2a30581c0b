use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "visitors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    /// The customer's own id for a verified visitor (set through identify).
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub referrer: Option<String>,
    /// JSON array of the page URLs seen, newest last.
    #[sea_orm(column_type = "Text")]
    pub pages: String,
    /// JSON object of custom attributes.
    #[sea_orm(column_type = "Text")]
    pub attributes: String,
    /// The widget's language (`en`, `zh`), which picks the e-mail templates.
    pub language: Option<String>,
    /// Visits so far (a visit: an arrival after 30 minutes or more without one).
    pub visits: i32,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
