//! The history of agents' statuses: one row per change, written by `set_user_status`.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};

use crate::store::entities::agent_status_change::{self, Column};
use crate::store::entities::user;
use crate::store::{AgentStatus, Store, StoreResult};
use crate::types::ids::new_id;

/// An agent's status from `at` until their next change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusChange {
    pub user_id: String,
    pub status: AgentStatus,
    pub at: DateTime<Utc>,
}

impl From<agent_status_change::Model> for StatusChange {
    fn from(m: agent_status_change::Model) -> Self {
        StatusChange {
            user_id: m.user_id,
            status: m.status,
            at: m.changed_at,
        }
    }
}

impl Store {
    pub async fn record_status_change(
        &self,
        tenant_id: &str,
        user_id: &str,
        status: AgentStatus,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let row = agent_status_change::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            user_id: user_id.to_string(),
            status,
            changed_at: at,
        };
        agent_status_change::Entity::insert(row.into_active_model())
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// Every status change of the tenant's agents in `[start, end)`, plus for each agent the
    /// last change before `start` (the status they were in when the range began), oldest first.
    pub async fn status_changes(
        &self,
        tenant_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<StatusChange>> {
        let users: Vec<String> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::TenantId.eq(tenant_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        // One indexed look-up per account (user_id, changed_at): teams are small.
        let mut changes = Vec::new();
        for user_id in users {
            let before = agent_status_change::Entity::find()
                .filter(Column::UserId.eq(user_id.as_str()))
                .filter(Column::TenantId.eq(tenant_id))
                .filter(Column::ChangedAt.lt(start))
                .order_by_desc(Column::ChangedAt)
                .one(&self.db)
                .await?;
            changes.extend(before.map(StatusChange::from));
        }
        let within = agent_status_change::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::ChangedAt.gte(start))
            .filter(Column::ChangedAt.lt(end))
            .order_by_asc(Column::ChangedAt)
            .all(&self.db)
            .await?;
        changes.extend(within.into_iter().map(StatusChange::from));
        changes.sort_by_key(|c| c.at);
        Ok(changes)
    }
}
