use sea_orm::entity::prelude::*;

use super::enums::{MessageKind, SenderKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub conversation_id: String,
    /// Gap-free position in the conversation, from 1.
    pub seq: i64,
    pub sender_kind: SenderKind,
    pub sender_id: Option<String>,
    /// The sender's display name when they wrote (agents); shown to the visitor.
    pub sender_name: Option<String>,
    /// The sender's own id for the message; a resend with the same id is the same message.
    pub client_msg_id: Option<String>,
    pub kind: MessageKind,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// For agents only: never sent to the visitor (an event card posted with
    /// `visible_to_visitor: false`).
    pub internal: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
