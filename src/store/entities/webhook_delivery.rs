use sea_orm::entity::prelude::*;

use super::enums::DeliveryStatus;

/// One event for one endpoint, and how its attempts went.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub event_id: String,
    pub endpoint_id: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// A worker that claimed it owns it until then; another may claim it after.
    pub claimed_until: DateTimeUtc,
    /// Failing after this, it is dead.
    pub expires_at: DateTimeUtc,
    pub last_attempt_at: Option<DateTimeUtc>,
    pub response_code: Option<i32>,
    pub latency_ms: Option<i64>,
    /// The start of the last answer's body (at most 1 KiB).
    #[sea_orm(column_type = "Text", nullable)]
    pub body_excerpt: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
