use sea_orm::entity::prelude::*;

/// A single sign-on in flight: single-use, short-lived.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sso_logins")]
pub struct Model {
    /// SHA-256 hex of the state (kind `state`) or of the one-time code (kind `handoff`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub kind: String,
    pub tenant_id: String,
    /// The signed-in account (kind `handoff`).
    pub user_id: Option<String>,
    /// Where the browser goes back to: `agent` or `admin`.
    pub app: String,
    /// The ID token's expected nonce (kind `state`).
    pub nonce: String,
    /// The PKCE code verifier, sealed (kind `state`).
    pub verifier: String,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
