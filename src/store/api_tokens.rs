use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::entities::api_token::{self, Column};
use super::{now, ApiToken, Store, StoreError, StoreResult};
use crate::types::ids::new_id;

impl Store {
    pub async fn create_api_token(
        &self,
        tenant_id: &str,
        name: &str,
        token_hash: &str,
        scopes: &[String],
        created_by: Option<&str>,
    ) -> StoreResult<ApiToken> {
        let model = api_token::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            name: name.to_string(),
            token_hash: token_hash.to_string(),
            scopes: serde_json::to_string(scopes)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            created_by: created_by.map(str::to_string),
            created_at: now(),
            last_used_at: None,
            revoked_at: None,
        };
        api_token::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique("api token"))?;
        Ok(model)
    }

    /// A token that has not been revoked, by the hash of its secret.
    pub async fn find_active_api_token(&self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
        Ok(api_token::Entity::find()
            .filter(Column::TokenHash.eq(token_hash))
            .filter(Column::RevokedAt.is_null())
            .one(&self.db)
            .await?)
    }

    pub async fn list_api_tokens(&self, tenant_id: &str) -> StoreResult<Vec<ApiToken>> {
        Ok(api_token::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .order_by_desc(Column::Id)
            .all(&self.db)
            .await?)
    }

    pub async fn touch_api_token(&self, tenant_id: &str, id: &str) -> StoreResult<()> {
        api_token::Entity::update_many()
            .col_expr(Column::LastUsedAt, Expr::value(now()))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Revokes a live token; NotFound when there is none with this id in the tenant.
    pub async fn revoke_api_token(&self, tenant_id: &str, id: &str) -> StoreResult<()> {
        let res = api_token::Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(now()))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .filter(Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("api token"));
        }
        Ok(())
    }
}
