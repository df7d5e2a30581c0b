//! Proactive triggers and the record of their firing (once per visitor per day).

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::entities::trigger::{self, Column};
use super::entities::trigger_fire;
use super::{now, Store, StoreError, StoreResult, Trigger};
use crate::types::ids::new_id;

/// A trigger's settings as an admin writes them (checked by the service).
#[derive(Debug, Clone)]
pub struct TriggerInput {
    pub name: String,
    pub url_match: String,
    pub url_value: String,
    pub seconds: i32,
    pub only_when_available: bool,
    pub only_within_hours: bool,
    pub message: String,
    pub sender_name: String,
    pub enabled: bool,
}

impl Store {
    pub async fn create_trigger(&self, tenant_id: &str, t: TriggerInput) -> StoreResult<Trigger> {
        let at = now();
        let model = trigger::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            name: t.name,
            url_match: t.url_match,
            url_value: t.url_value,
            seconds: t.seconds,
            only_when_available: t.only_when_available,
            only_within_hours: t.only_within_hours,
            message: t.message,
            sender_name: t.sender_name,
            enabled: t.enabled,
            created_at: at,
            updated_at: at,
        };
        trigger::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await?;
        Ok(model)
    }

    pub async fn get_trigger(&self, tenant_id: &str, id: &str) -> StoreResult<Trigger> {
        trigger::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("trigger"))
    }

    /// The tenant's triggers, oldest first; only the enabled ones with `enabled_only`.
    pub async fn list_triggers(
        &self,
        tenant_id: &str,
        enabled_only: bool,
    ) -> StoreResult<Vec<Trigger>> {
        let mut q = trigger::Entity::find().filter(Column::TenantId.eq(tenant_id));
        if enabled_only {
            q = q.filter(Column::Enabled.eq(true));
        }
        Ok(q.order_by_asc(Column::CreatedAt)
            .order_by_asc(Column::Id)
            .all(&self.db)
            .await?)
    }

    pub async fn update_trigger(
        &self,
        tenant_id: &str,
        id: &str,
        t: TriggerInput,
    ) -> StoreResult<Trigger> {
        let res = trigger::Entity::update_many()
            .col_expr(Column::Name, Expr::value(t.name))
            .col_expr(Column::UrlMatch, Expr::value(t.url_match))
            .col_expr(Column::UrlValue, Expr::value(t.url_value))
            .col_expr(Column::Seconds, Expr::value(t.seconds))
            .col_expr(
                Column::OnlyWhenAvailable,
                Expr::value(t.only_when_available),
            )
            .col_expr(Column::OnlyWithinHours, Expr::value(t.only_within_hours))
            .col_expr(Column::Message, Expr::value(t.message))
            .col_expr(Column::SenderName, Expr::value(t.sender_name))
            .col_expr(Column::Enabled, Expr::value(t.enabled))
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("trigger"));
        }
        self.get_trigger(tenant_id, id).await
    }

    pub async fn delete_trigger(&self, tenant_id: &str, id: &str) -> StoreResult<()> {
        let res = trigger::Entity::delete_many()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("trigger"));
        }
        Ok(())
    }

    /// Records that the trigger fires for the visitor today; false when it already fired for
    /// them today (the unique key decides, even with two nodes at once).
    pub async fn record_trigger_fire(
        &self,
        tenant_id: &str,
        trigger_id: &str,
        visitor_id: &str,
    ) -> StoreResult<bool> {
        let at = now();
        let model = trigger_fire::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            trigger_id: trigger_id.to_string(),
            visitor_id: visitor_id.to_string(),
            day: at.format("%Y-%m-%d").to_string(),
            fired_at: at,
        };
        match trigger_fire::Entity::insert(model.into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("trigger fire"))
        {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
