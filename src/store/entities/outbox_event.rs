use sea_orm::entity::prelude::*;

/// An event to deliver: written in the transaction of the change that causes it. Its id (UUIDv7)
/// is the stable event id receivers see.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub event_type: String,
    /// The event's `data`, as JSON text.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// Whether its deliveries (one per subscribed endpoint) have been created.
    pub fanned_out: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
