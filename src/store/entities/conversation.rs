use sea_orm::entity::prelude::*;

use super::enums::ConversationState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub visitor_id: String,
    pub agent_id: Option<String>,
    pub group_id: Option<String>,
    pub state: ConversationState,
    /// The closed conversation this one continues, if any.
    pub previous_id: Option<String>,
    /// The highest `seq` given to a message of this conversation (0 before the first).
    pub last_seq: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub assigned_at: Option<DateTimeUtc>,
    pub first_response_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub close_reason: Option<String>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
