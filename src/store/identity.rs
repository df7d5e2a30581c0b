//! A tenant's identity-verification secret (stored sealed; the service opens it).

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::entities::identity_secret::{self, Column};
use super::{now, Store, StoreResult};

impl Store {
    /// The sealed secret, if the tenant has one.
    pub async fn get_identity_secret(&self, tenant_id: &str) -> StoreResult<Option<String>> {
        Ok(identity_secret::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .one(&self.db)
            .await?
            .map(|row| row.secret))
    }

    /// Stores the sealed secret, replacing the tenant's earlier one.
    pub async fn put_identity_secret(&self, tenant_id: &str, sealed: &str) -> StoreResult<()> {
        let row = identity_secret::Model {
            tenant_id: tenant_id.to_string(),
            secret: sealed.to_string(),
            created_at: now(),
        };
        identity_secret::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(Column::TenantId)
                    .update_columns([Column::Secret, Column::CreatedAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }
}
