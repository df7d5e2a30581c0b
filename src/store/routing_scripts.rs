//! The versions of each tenant's routing script; at most one active per tenant.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use super::entities::routing_script::{self, Column};
use super::{now, Store, StoreError, StoreResult};
use crate::types::ids::new_id;

pub type RoutingScript = routing_script::Model;

impl Store {
    /// Stores `source` as the tenant's next version (inactive).
    pub async fn create_routing_script(
        &self,
        tenant_id: &str,
        source: &str,
        created_by: Option<&str>,
    ) -> StoreResult<RoutingScript> {
        let last: Option<i32> = routing_script::Entity::find()
            .select_only()
            .column_as(Column::Version.max(), "max")
            .filter(Column::TenantId.eq(tenant_id))
            .into_tuple::<Option<i32>>()
            .one(&self.db)
            .await?
            .flatten();
        let model = routing_script::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            version: last.unwrap_or(0) + 1,
            source: source.to_string(),
            created_by: created_by.map(str::to_string),
            created_at: now(),
            active: false,
        };
        routing_script::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("routing script version"))?;
        Ok(model)
    }

    pub async fn get_routing_script(
        &self,
        tenant_id: &str,
        id: &str,
    ) -> StoreResult<RoutingScript> {
        routing_script::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("routing script"))
    }

    /// The tenant's versions, newest first.
    pub async fn list_routing_scripts(&self, tenant_id: &str) -> StoreResult<Vec<RoutingScript>> {
        Ok(routing_script::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .order_by_desc(Column::Version)
            .all(&self.db)
            .await?)
    }

    pub async fn active_routing_script(
        &self,
        tenant_id: &str,
    ) -> StoreResult<Option<RoutingScript>> {
        Ok(routing_script::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Active.eq(true))
            .one(&self.db)
            .await?)
    }

    /// Makes `id` the tenant's only active version.
    pub async fn activate_routing_script(&self, tenant_id: &str, id: &str) -> StoreResult<()> {
        let txn = self.db.begin().await?;
        routing_script::Entity::update_many()
            .col_expr(Column::Active, Expr::value(false))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Active.eq(true))
            .exec(&txn)
            .await?;
        let res = routing_script::Entity::update_many()
            .col_expr(Column::Active, Expr::value(true))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Err(StoreError::NotFound("routing script"));
        }
        txn.commit().await?;
        Ok(())
    }

    /// No active version: default routing for the tenant.
    pub async fn deactivate_routing_scripts(&self, tenant_id: &str) -> StoreResult<()> {
        routing_script::Entity::update_many()
            .col_expr(Column::Active, Expr::value(false))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Active.eq(true))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
