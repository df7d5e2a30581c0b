use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::entities::tenant_settings::{self, Column};
use super::{now, Store, StoreError, StoreResult, TenantSettings};

impl Store {
    pub async fn get_settings(&self, tenant_id: &str) -> StoreResult<TenantSettings> {
        tenant_settings::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("tenant settings"))
    }

    /// Replaces the tenant's settings with `settings` (its tenant id picks the row).
    pub async fn save_settings(&self, settings: TenantSettings) -> StoreResult<TenantSettings> {
        let tenant_id = settings.tenant_id.clone();
        // Make sure the row exists in this tenant before writing over it.
        self.get_settings(&tenant_id).await?;
        let mut model = settings.into_active_model();
        model.updated_at = sea_orm::Set(now());
        // Every field must be written, not only the ones that differ from a loaded copy.
        model = model.reset_all();
        model.update(&self.db).await?;
        self.get_settings(&tenant_id).await
    }
}
