use sea_orm::entity::prelude::*;

/// A trigger fired for a visitor on a day (UTC): unique per (trigger, visitor, day).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trigger_fires")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub trigger_id: String,
    pub visitor_id: String,
    pub day: String,
    pub fired_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
