//! A tenant's widget options (typing preview, pre-chat form, texts per language).

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::entities::widget_options::{self, Column};
use super::{now, Store, StoreResult};

pub use widget_options::Model as WidgetOptions;

impl Store {
    /// The tenant's row, or None while it has never saved any (the service supplies defaults).
    pub async fn get_widget_options(&self, tenant_id: &str) -> StoreResult<Option<WidgetOptions>> {
        Ok(widget_options::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .one(&self.db)
            .await?)
    }

    /// Writes the tenant's row whole, creating it on first use.
    pub async fn put_widget_options(&self, mut row: WidgetOptions) -> StoreResult<()> {
        row.updated_at = now();
        widget_options::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(Column::TenantId)
                    .update_columns([
                        Column::TypingPreview,
                        Column::Prechat,
                        Column::DefaultLanguage,
                        Column::Languages,
                        Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }
}
