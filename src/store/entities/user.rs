use sea_orm::entity::prelude::*;

use super::enums::{AgentStatus, Role};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    /// Unique per tenant (`ux_users_tenant_email`).
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub max_chats: i32,
    pub status: AgentStatus,
    pub disabled: bool,
    /// Set for invited accounts: the one-time password must be changed at first login.
    pub must_change_password: bool,
    /// Bumped whenever the account's sessions must end; access tokens carry the value they
    /// were issued under and are refused once it moved on.
    pub token_generation: i64,
    /// When a one-time password stops working (None for passwords the person chose).
    pub password_expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
