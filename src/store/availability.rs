//! Who of the connected agents can answer a visitor: the widget's offline rule reads it.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::entities::user::{self, Column};
use super::{AgentStatus, Store, StoreResult};

impl Store {
    /// How many of these accounts are enabled and set to `online` or `busy` (present, even when
    /// at no capacity), as opposed to `away` or `offline`.
    pub async fn count_present_agents(&self, tenant_id: &str, ids: &[String]) -> StoreResult<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(user::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.is_in(ids.iter().cloned()))
            .filter(Column::Disabled.eq(false))
            .filter(Column::Status.is_in([AgentStatus::Online, AgentStatus::Busy]))
            .count(&self.db)
            .await?)
    }
}
