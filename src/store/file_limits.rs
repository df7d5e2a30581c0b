//! A tenant's own file limits (`tenant_file_limits`, one row per tenant, created on first save).

use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, IntoActiveModel};

use super::entities::tenant_file_limits::{self, Column};
use super::{now, Store, StoreResult};

pub use tenant_file_limits::Model as TenantFileLimits;

impl Store {
    /// The tenant's row, or None while it has never saved one.
    pub async fn get_file_limits(&self, tenant_id: &str) -> StoreResult<Option<TenantFileLimits>> {
        Ok(
            tenant_file_limits::Entity::find_by_id(tenant_id.to_string())
                .one(&self.db)
                .await?,
        )
    }

    /// Writes the tenant's row whole, creating it on first use.
    pub async fn put_file_limits(&self, mut row: TenantFileLimits) -> StoreResult<()> {
        row.updated_at = now();
        tenant_file_limits::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(Column::Id)
                    .update_columns([
                        Column::MaxFileBytes,
                        Column::MaxFilesPerConversation,
                        Column::AllowedTypes,
                        Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }
}
