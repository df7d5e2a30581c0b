use sea_orm::entity::prelude::*;

use super::enums::Role;

/// A tenant's OpenID Connect provider for single sign-on.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sso_providers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    pub enabled: bool,
    /// The sign-in button says "Sign in with <display_name>".
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    /// Sealed (purpose `sso:<tenant id>`); empty when none was set. Never returned.
    pub client_secret: String,
    /// Space-separated, always with `openid`.
    pub scopes: String,
    /// Unknown (verified) e-mails get an account with `default_role`.
    pub auto_provision: bool,
    pub default_role: Role,
    /// Space-separated e-mail domains; empty allows every domain.
    pub allowed_domains: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
