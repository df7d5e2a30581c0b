use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

use super::entities::blacklist_entry::{self, Column};
use super::{micros, now, BlacklistEntry, BlacklistKind, Store, StoreError, StoreResult};
use crate::types::ids::new_id;

/// How long a tenant's blacklist, once read, answers the checks: every visitor session and
/// connection checks it, and in a reconnect storm reading it each time was a fifth of the
/// server's CPU. Changes made through this store drop the tenant's copy at once; changes made
/// by another node apply to new connections within this time (its bus cuts live ones).
const CACHE_TTL: Duration = Duration::from_secs(2);

/// A tenant's entries in force when they were read, and when that was.
type ReadCopy = (Instant, Arc<Vec<BlacklistEntry>>);

/// The tenants' entries in force when last read.
#[derive(Default)]
pub(super) struct BlacklistCache {
    copies: Mutex<HashMap<String, ReadCopy>>,
    /// Counts changes, so a read that a change overtook is not kept.
    changes: AtomicU64,
}

impl BlacklistCache {
    fn copies(&self) -> MutexGuard<'_, HashMap<String, ReadCopy>> {
        self.copies
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn fresh(&self, tenant_id: &str) -> Option<Arc<Vec<BlacklistEntry>>> {
        self.copies()
            .get(tenant_id)
            .filter(|(read, _)| read.elapsed() < CACHE_TTL)
            .map(|(_, entries)| entries.clone())
    }

    fn changes(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
    }

    /// Keeps a copy read when `changes` were counted, unless a change came since.
    fn keep(&self, tenant_id: &str, entries: Arc<Vec<BlacklistEntry>>, changes: u64) {
        let mut copies = self.copies();
        if self.changes() == changes {
            copies.insert(tenant_id.to_string(), (Instant::now(), entries));
        }
    }

    fn forget(&self, tenant_id: &str) {
        let mut copies = self.copies();
        self.changes.fetch_add(1, Ordering::AcqRel);
        copies.remove(tenant_id);
    }
}

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
        self.blacklists.forget(tenant_id);
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

    /// Entries in force at `at` (no expiry, or an expiry after it), newest first. Answered from
    /// a copy read at most `CACHE_TTL` ago; expiry is still checked against `at`.
    pub async fn active_blacklist(
        &self,
        tenant_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<BlacklistEntry>> {
        let entries = match self.blacklists.fresh(tenant_id) {
            Some(entries) => entries,
            None => {
                let changes = self.blacklists.changes();
                let read: Arc<Vec<BlacklistEntry>> = Arc::new(
                    blacklist_entry::Entity::find()
                        .filter(Column::TenantId.eq(tenant_id))
                        .filter(
                            Condition::any()
                                .add(Column::ExpiresAt.is_null())
                                .add(Column::ExpiresAt.gt(now())),
                        )
                        .order_by_desc(Column::Id)
                        .all(&self.db)
                        .await?,
                );
                self.blacklists.keep(tenant_id, read.clone(), changes);
                read
            }
        };
        Ok(entries
            .iter()
            .filter(|e| e.expires_at.is_none_or(|until| until > at))
            .cloned()
            .collect())
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
        self.blacklists.forget(tenant_id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_overtaken_by_a_change_is_not_kept() {
        let cache = BlacklistCache::default();
        let before = cache.changes();
        cache.keep("acme", Arc::new(Vec::new()), before);
        assert!(cache.fresh("acme").is_some());

        let read_started = cache.changes();
        cache.forget("acme"); // a block lands while the read is on its way
        cache.keep("acme", Arc::new(Vec::new()), read_started);
        assert!(cache.fresh("acme").is_none(), "the stale read was kept");

        cache.keep("acme", Arc::new(Vec::new()), cache.changes());
        assert!(cache.fresh("acme").is_some());
    }
}
