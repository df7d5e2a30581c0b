use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

use super::entities::blacklist_entry::{self, Column};
use super::{micros, now, BlacklistEntry, BlacklistKind, Store, StoreError, StoreResult};
use crate::types::ids::new_id;

impl Store {
    pub async fn create_blacklist_entry(
        &self,
        tenant_id: &str,
        kind: BlacklistKind,
        value: &str,
        reason: &str,
        expires_at: Option<DateTime<Utc>>,
        created_by: Option<&str>,
    ) -> StoreResult<BlacklistEntry> {
        let model = blacklist_entry::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            kind,
            value: value.to_string(),
            reason: reason.to_string(),
            expires_at: expires_at.map(micros),
            created_by: created_by.map(str::to_string),
            created_at: now(),
        };
        blacklist_entry::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await?;
        Ok(model)
    }

    /// The tenant's entries newest first, expired ones included; `kind` narrows, `before` pages.
    pub async fn list_blacklist(
        &self,
        tenant_id: &str,
        kind: Option<BlacklistKind>,
        before: Option<&str>,
        limit: u64,
    ) -> StoreResult<Vec<BlacklistEntry>> {
        let mut query = blacklist_entry::Entity::find().filter(Column::TenantId.eq(tenant_id));
        if let Some(kind) = kind {
            query = query.filter(Column::Kind.eq(kind));
        }
        if let Some(before) = before {
            query = query.filter(Column::Id.lt(before));
        }
        Ok(query
            .order_by_desc(Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Entries in force at `at`: no expiry, or an expiry after it.
    pub async fn active_blacklist(
        &self,
        tenant_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<BlacklistEntry>> {
        Ok(blacklist_entry::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(
                Condition::any()
                    .add(Column::ExpiresAt.is_null())
                    .add(Column::ExpiresAt.gt(at)),
            )
            .order_by_desc(Column::Id)
            .all(&self.db)
            .await?)
    }

    pub async fn delete_blacklist_entry(&self, tenant_id: &str, id: &str) -> StoreResult<()> {
        let res = blacklist_entry::Entity::delete_many()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("blacklist entry"));
        }
        Ok(())
    }
}
