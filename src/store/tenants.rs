use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use super::entities::{tenant, tenant_settings, user};
use super::users::NewUser;
use super::{now, RoutingStrategy, Store, StoreError, StoreResult, Tenant, User};
use crate::types::ids::{new_id, new_site_key};

pub struct NewTenant {
    pub name: String,
}

impl Store {
    /// Creates a tenant, its default settings and its owner in one transaction.
    pub async fn create_tenant_with_owner(
        &self,
        tenant: NewTenant,
        owner: NewUser,
    ) -> StoreResult<(Tenant, User)> {
        let at = now();
        let tenant = tenant::Model {
            id: new_id(),
            name: tenant.name,
            site_key: new_site_key(),
            require_two_factor: false,
            created_at: at,
        };
        let settings = tenant_settings::Model {
            tenant_id: tenant.id.clone(),
            welcome_message: "Hi there! How can we help you today?".into(),
            offline_message:
                "We're away right now. Leave a message and we'll get back to you by e-mail.".into(),
            business_hours: "{}".into(),
            timezone: "UTC".into(),
            routing_strategy: RoutingStrategy::RoundRobin,
            widget_color: "#2563eb".into(),
            widget_title: tenant.name.clone(),
            widget_position: "right".into(),
            allowed_origins: "[]".into(),
            updated_at: at,
        };
        let owner = owner.into_model(&tenant.id, at);

        let txn = self.db.begin().await?;
        tenant::Entity::insert(tenant.clone().into_active_model())
            .exec_without_returning(&txn)
            .await
            .map_err(StoreError::unique("tenant"))?;
        tenant_settings::Entity::insert(settings.into_active_model())
            .exec_without_returning(&txn)
            .await?;
        user::Entity::insert(owner.clone().into_active_model())
            .exec_without_returning(&txn)
            .await
            .map_err(StoreError::unique("an account with this e-mail"))?;
        txn.commit().await?;
        Ok((tenant, owner))
    }

    pub async fn get_tenant(&self, id: &str) -> StoreResult<Tenant> {
        tenant::Entity::find_by_id(id.to_string())
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("tenant"))
    }

    pub async fn find_tenant_by_site_key(&self, site_key: &str) -> StoreResult<Option<Tenant>> {
        Ok(tenant::Entity::find()
            .filter(tenant::Column::SiteKey.eq(site_key))
            .one(&self.db)
            .await?)
    }

    pub async fn rename_tenant(&self, id: &str, name: &str) -> StoreResult<Tenant> {
        let mut model = self.get_tenant(id).await?.into_active_model();
        model.name = sea_orm::Set(name.to_string());
        Ok(model.update(&self.db).await?)
    }

    /// Sets whether every account of the tenant must sign in with a second factor.
    pub async fn set_require_two_factor(&self, id: &str, on: bool) -> StoreResult<Tenant> {
        let mut model = self.get_tenant(id).await?.into_active_model();
        model.require_two_factor = sea_orm::Set(on);
        Ok(model.update(&self.db).await?)
    }

    pub async fn count_tenants(&self) -> StoreResult<u64> {
        Ok(tenant::Entity::find().count(&self.db).await?)
    }

    /// Deletes a tenant and, through the foreign keys, everything it owns.
    pub async fn delete_tenant(&self, id: &str) -> StoreResult<()> {
        let res = tenant::Entity::delete_by_id(id.to_string())
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("tenant"));
        }
        Ok(())
    }

    /// Up to `limit` tenants in creation order, after the tenant id `after`.
    pub async fn list_tenants(&self, after: Option<&str>, limit: u64) -> StoreResult<Vec<Tenant>> {
        let mut query = tenant::Entity::find();
        if let Some(after) = after {
            query = query.filter(tenant::Column::Id.gt(after));
        }
        Ok(query
            .order_by_asc(tenant::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
