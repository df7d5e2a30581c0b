use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "two_factor")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: String,
    pub tenant_id: String,
    /// The TOTP shared secret, base32; never returned after enrolment.
    pub secret: String,
    /// False between setup and the first correct code.
    pub enabled: bool,
    /// The time step of the last accepted code: a code works once.
    pub last_step: i64,
    /// JSON array of the unused recovery codes' SHA-256 hashes.
    pub recovery_codes: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
