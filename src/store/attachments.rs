//! Attachment records: always read with the tenant (and the conversation where one is known).

use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter};

use super::entities::attachment::{self, Column};
use super::{Attachment, Store, StoreError, StoreResult};

impl Store {
    pub async fn insert_attachment(&self, a: &Attachment) -> StoreResult<()> {
        attachment::Entity::insert(a.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("attachment"))?;
        Ok(())
    }

    /// The attachment with this id in the tenant; NotFound otherwise.
    pub async fn get_attachment(&self, tenant_id: &str, id: &str) -> StoreResult<Attachment> {
        attachment::Entity::find_by_id(id.to_string())
            .filter(Column::TenantId.eq(tenant_id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("file"))
    }

    /// By id alone: for a signed download link, whose signature names the tenant it was made for.
    pub async fn find_attachment(&self, id: &str) -> StoreResult<Option<Attachment>> {
        Ok(attachment::Entity::find_by_id(id.to_string())
            .one(&self.db)
            .await?)
    }

    pub async fn count_attachments(
        &self,
        tenant_id: &str,
        conversation_id: &str,
    ) -> StoreResult<u64> {
        Ok(attachment::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::ConversationId.eq(conversation_id))
            .count(&self.db)
            .await?)
    }
}
