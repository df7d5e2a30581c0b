use sea_orm::entity::prelude::*;

/// A tenant's SMTP server and the addresses its mail uses.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    pub host: String,
    pub port: i32,
    /// `none`, `starttls` or `tls`.
    pub tls: String,
    pub username: String,
    /// Sealed (`Sealer`, purpose `mail:<tenant id>`); never shown.
    #[sea_orm(column_type = "Text", nullable)]
    pub password: Option<String>,
    pub from_address: String,
    pub from_name: String,
    /// Where offline alerts go; empty: to the tenant's agents.
    pub team_address: String,
    pub transcript_on_close: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
