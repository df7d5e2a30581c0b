use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::entities::quick_reply::{self, Column};
use super::{now, QuickReply, Store, StoreError, StoreResult};
use crate::types::ids::new_id;

impl Store {
    /// `owner_id`: None for a reply shared by the tenant, Some for an agent's personal one.
    pub async fn create_quick_reply(
        &self,
        tenant_id: &str,
        owner_id: Option<&str>,
        shortcut: &str,
        title: &str,
        body: &str,
    ) -> StoreResult<QuickReply> {
        let at = now();
        let model = quick_reply::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            owner_id: owner_id.map(str::to_string),
            shortcut: shortcut.to_string(),
            title: title.to_string(),
            body: body.to_string(),
            created_at: at,
            updated_at: at,
        };
        quick_reply::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await?;
        Ok(model)
    }

    pub async fn get_quick_reply(&self, tenant_id: &str, id: &str) -> StoreResult<QuickReply> {
        quick_reply::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("quick reply"))
    }

    /// The tenant's shared replies plus the personal ones of `user_id`, by shortcut.
    pub async fn list_quick_replies(
        &self,
        tenant_id: &str,
        user_id: Option<&str>,
    ) -> StoreResult<Vec<QuickReply>> {
        let mut owner = Condition::any().add(Column::OwnerId.is_null());
        if let Some(user) = user_id {
            owner = owner.add(Column::OwnerId.eq(user));
        }
        Ok(quick_reply::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(owner)
            .order_by_asc(Column::Shortcut)
            .order_by_asc(Column::Id)
            .all(&self.db)
            .await?)
    }

    pub async fn update_quick_reply(
        &self,
        tenant_id: &str,
        id: &str,
        shortcut: &str,
        title: &str,
        body: &str,
    ) -> StoreResult<QuickReply> {
        quick_reply::Entity::update_many()
            .col_expr(Column::Shortcut, Expr::value(shortcut))
            .col_expr(Column::Title, Expr::value(title))
            .col_expr(Column::Body, Expr::value(body))
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        self.get_quick_reply(tenant_id, id).await
    }

    pub async fn delete_quick_reply(&self, tenant_id: &str, id: &str) -> StoreResult<()> {
        let res = quick_reply::Entity::delete_many()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("quick reply"));
        }
        Ok(())
    }
}
