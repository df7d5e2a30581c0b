use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub url: String,
    /// JSON array of the event types it receives.
    #[sea_orm(column_type = "Text")]
    pub events: String,
    /// The signing secret, sealed (service/sealing.rs, purpose `webhook:<id>`).
    #[sea_orm(column_type = "Text")]
    pub secret: String,
    pub enabled: bool,
    /// The admin let it reach non-public addresses (only if the server allows that at all).
    pub allow_private_network: bool,
    /// Failed attempts in a row; reset by a 2xx.
    pub failure_count: i32,
    pub disabled_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    pub fn event_types(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }

    pub fn subscribes(&self, event_type: &str) -> bool {
        self.event_types().iter().any(|t| t == event_type)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
