//! Business events posted by integrations: the idempotency record of each, and the visitor's
//! timeline (the ones that found no open conversation).

use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};

use super::entities::visitor_event::{self, Column};
use super::{Store, StoreError, StoreResult};

pub type VisitorEvent = visitor_event::Model;

impl Store {
    /// The event recorded under this idempotency key in the tenant, if any.
    pub async fn find_visitor_event(
        &self,
        tenant_id: &str,
        idempotency_key: &str,
    ) -> StoreResult<Option<VisitorEvent>> {
        Ok(visitor_event::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::IdempotencyKey.eq(idempotency_key))
            .one(&self.db)
            .await?)
    }

    /// Records an event; a second one with the same key answers `Conflict`.
    pub async fn insert_visitor_event(&self, event: VisitorEvent) -> StoreResult<VisitorEvent> {
        visitor_event::Entity::insert(event.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("event"))?;
        Ok(event)
    }

    /// The visitor's timeline: events that went to no conversation, newest first.
    pub async fn visitor_timeline(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        limit: u64,
    ) -> StoreResult<Vec<VisitorEvent>> {
        Ok(visitor_event::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::VisitorId.eq(visitor_id))
            .filter(Column::ConversationId.is_null())
            .order_by_desc(Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
