use sea_orm::entity::prelude::*;

/// One visitor message handled by the tenant's bots, and what came of it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bot_turns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub conversation_id: String,
    /// The visitor's message (unique per tenant: one turn per message, whichever node).
    pub message_id: String,
    #[sea_orm(column_type = "Text")]
    pub question: String,
    /// `pending`, `answered` or `handover`.
    pub outcome: String,
    /// The bot that answered, or why the conversation was handed over.
    pub detail: Option<String>,
    /// Thousandths.
    pub confidence: i32,
    /// The knowledge-base entry that answered.
    pub entry_id: Option<String>,
    /// The bot's reply message.
    pub reply_id: Option<String>,
    /// 1 helpful, -1 not helpful.
    pub rating: Option<i32>,
    pub tokens: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
