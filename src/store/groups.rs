use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::entities::{group, group_member, user};
use super::{now, Group, Store, StoreError, StoreResult, User};
use crate::types::ids::new_id;

impl Store {
    pub async fn create_group(
        &self,
        tenant_id: &str,
        name: &str,
        description: &str,
    ) -> StoreResult<Group> {
        let model = group::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            name: name.to_string(),
            description: description.to_string(),
            created_at: now(),
        };
        group::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("a group with this name"))?;
        Ok(model)
    }

    pub async fn get_group(&self, tenant_id: &str, id: &str) -> StoreResult<Group> {
        group::Entity::find()
            .filter(group::Column::TenantId.eq(tenant_id))
            .filter(group::Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("group"))
    }

    pub async fn list_groups(&self, tenant_id: &str) -> StoreResult<Vec<Group>> {
        Ok(group::Entity::find()
            .filter(group::Column::TenantId.eq(tenant_id))
            .order_by_asc(group::Column::Name)
            .all(&self.db)
            .await?)
    }

    pub async fn update_group(
        &self,
        tenant_id: &str,
        id: &str,
        name: &str,
        description: &str,
    ) -> StoreResult<Group> {
        group::Entity::update_many()
            .col_expr(group::Column::Name, Expr::value(name))
            .col_expr(group::Column::Description, Expr::value(description))
            .filter(group::Column::TenantId.eq(tenant_id))
            .filter(group::Column::Id.eq(id))
            .exec(&self.db)
            .await
            .map_err(StoreError::unique("a group with this name"))?;
        self.get_group(tenant_id, id).await
    }

    pub async fn delete_group(&self, tenant_id: &str, id: &str) -> StoreResult<()> {
        let res = group::Entity::delete_many()
            .filter(group::Column::TenantId.eq(tenant_id))
            .filter(group::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("group"));
        }
        Ok(())
    }

    /// Adds a user to a group of the same tenant; adding a member twice is not an error.
    pub async fn add_group_member(
        &self,
        tenant_id: &str,
        group_id: &str,
        user_id: &str,
    ) -> StoreResult<()> {
        self.get_group(tenant_id, group_id).await?;
        self.get_user(tenant_id, user_id).await?;
        let member = group_member::Model {
            group_id: group_id.to_string(),
            user_id: user_id.to_string(),
            tenant_id: tenant_id.to_string(),
        };
        match group_member::Entity::insert(member.into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("membership"))
        {
            Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub async fn remove_group_member(
        &self,
        tenant_id: &str,
        group_id: &str,
        user_id: &str,
    ) -> StoreResult<()> {
        let res = group_member::Entity::delete_many()
            .filter(group_member::Column::TenantId.eq(tenant_id))
            .filter(group_member::Column::GroupId.eq(group_id))
            .filter(group_member::Column::UserId.eq(user_id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("membership"));
        }
        Ok(())
    }

    pub async fn list_group_members(
        &self,
        tenant_id: &str,
        group_id: &str,
    ) -> StoreResult<Vec<User>> {
        let rows = self
            .memberships(tenant_id, group_member::Column::GroupId.eq(group_id))
            .await?;
        Ok(user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant_id))
            .filter(user::Column::Id.is_in(rows.into_iter().map(|m| m.user_id)))
            .order_by_asc(user::Column::Id)
            .all(&self.db)
            .await?)
    }

    pub async fn list_user_groups(
        &self,
        tenant_id: &str,
        user_id: &str,
    ) -> StoreResult<Vec<Group>> {
        let rows = self
            .memberships(tenant_id, group_member::Column::UserId.eq(user_id))
            .await?;
        Ok(group::Entity::find()
            .filter(group::Column::TenantId.eq(tenant_id))
            .filter(group::Column::Id.is_in(rows.into_iter().map(|m| m.group_id)))
            .order_by_asc(group::Column::Name)
            .all(&self.db)
            .await?)
    }

    async fn memberships(
        &self,
        tenant_id: &str,
        condition: sea_orm::sea_query::SimpleExpr,
    ) -> StoreResult<Vec<group_member::Model>> {
        Ok(group_member::Entity::find()
            .filter(group_member::Column::TenantId.eq(tenant_id))
            .filter(condition)
            .all(&self.db)
            .await?)
    }
}
