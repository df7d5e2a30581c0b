use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};

use super::entities::audit_entry::{self, Column};
use super::{now, AuditEntry, Store, StoreResult};
use crate::types::ids::new_id;

/// What an audit entry records.
pub struct NewAudit<'a> {
    pub actor_id: Option<&'a str>,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: Option<&'a str>,
    pub details: serde_json::Value,
}

impl Store {
    pub async fn append_audit(
        &self,
        tenant_id: &str,
        entry: NewAudit<'_>,
    ) -> StoreResult<AuditEntry> {
        let model = audit_entry::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            actor_id: entry.actor_id.map(str::to_string),
            action: entry.action.to_string(),
            target_kind: entry.target_kind.to_string(),
            target_id: entry.target_id.map(str::to_string),
            details: entry.details.to_string(),
            created_at: now(),
        };
        audit_entry::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await?;
        Ok(model)
    }

    /// Newest first, below the entry id `before` when paging.
    pub async fn list_audit(
        &self,
        tenant_id: &str,
        before: Option<&str>,
        limit: u64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let mut query = audit_entry::Entity::find().filter(Column::TenantId.eq(tenant_id));
        if let Some(before) = before {
            query = query.filter(Column::Id.lt(before));
        }
        Ok(query
            .order_by_desc(Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
