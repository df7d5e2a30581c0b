use sea_orm::entity::prelude::*;

/// One e-mail to one recipient, and how its attempts went. The body is rendered when it is
/// sent, so a reply mail held back for a moment carries every message of the burst.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    /// `test`, `offline_alert`, `reply`, `transcript`.
    pub kind: String,
    pub conversation_id: Option<String>,
    pub recipient: String,
    pub subject: String,
    /// `en` or `zh`.
    pub language: String,
    /// The `Message-ID` header, the same on every attempt.
    pub message_id: String,
    /// `pending`, `sent`, `dead`, `skipped`.
    pub status: String,
    pub attempts: i32,
    /// Not sent before this (the coalescing delay, then the backoff).
    pub next_attempt_at: DateTimeUtc,
    pub claimed_until: DateTimeUtc,
    pub last_attempt_at: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
