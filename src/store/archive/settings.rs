//! When each tenant's closed conversations are archived and deleted (`archive_settings`).

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::super::entities::archive_settings;
use super::super::{now, Store, StoreResult};

/// A tenant's archive and deletion ages in days; 0 is never.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArchiveSettings {
    pub archive_after_days: u32,
    pub delete_after_days: u32,
}

impl ArchiveSettings {
    pub fn is_off(&self) -> bool {
        self.archive_after_days == 0 && self.delete_after_days == 0
    }
}

fn of(row: archive_settings::Model) -> ArchiveSettings {
    ArchiveSettings {
        archive_after_days: row.archive_after_days.max(0) as u32,
        delete_after_days: row.delete_after_days.max(0) as u32,
    }
}

impl Store {
    /// The tenant's settings; both 0 when never set.
    pub async fn get_archive_settings(&self, tenant_id: &str) -> StoreResult<ArchiveSettings> {
        Ok(archive_settings::Entity::find_by_id(tenant_id)
            .one(&self.db)
            .await?
            .map(of)
            .unwrap_or_default())
    }

    pub async fn save_archive_settings(
        &self,
        tenant_id: &str,
        s: ArchiveSettings,
    ) -> StoreResult<()> {
        let row = archive_settings::Model {
            tenant_id: tenant_id.to_string(),
            archive_after_days: s.archive_after_days.min(i32::MAX as u32) as i32,
            delete_after_days: s.delete_after_days.min(i32::MAX as u32) as i32,
            updated_at: now(),
        };
        archive_settings::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(archive_settings::Column::TenantId)
                    .update_columns([
                        archive_settings::Column::ArchiveAfterDays,
                        archive_settings::Column::DeleteAfterDays,
                        archive_settings::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// Every tenant that archives or deletes anything, with its settings, by tenant id.
    pub async fn tenants_archiving(&self) -> StoreResult<Vec<(String, ArchiveSettings)>> {
        let rows = archive_settings::Entity::find()
            .filter(
                archive_settings::Column::ArchiveAfterDays
                    .gt(0)
                    .or(archive_settings::Column::DeleteAfterDays.gt(0)),
            )
            .order_by_asc(archive_settings::Column::TenantId)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.tenant_id.clone(), of(r)))
            .collect())
    }
}
