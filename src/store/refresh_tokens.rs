use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::entities::refresh_token::{self, Column};
use super::{micros, now, RefreshToken, Store, StoreResult};
use crate::types::ids::new_id;

impl Store {
    pub async fn insert_refresh_token(
        &self,
        tenant_id: &str,
        user_id: &str,
        family_id: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<RefreshToken> {
        let model = refresh_token::Model {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            user_id: user_id.to_string(),
            family_id: family_id.to_string(),
            token_hash: token_hash.to_string(),
            expires_at: micros(expires_at),
            revoked_at: None,
            replaced_by: None,
            created_at: now(),
        };
        refresh_token::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await?;
        Ok(model)
    }

    /// Finds a token by its hash, whatever its tenant: the token is the credential.
    pub async fn find_refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshToken>> {
        Ok(refresh_token::Entity::find()
            .filter(Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?)
    }

    /// Marks a live token as used and replaced. False when it was already revoked or used:
    /// only one of two concurrent rotations of the same token can win.
    pub async fn rotate_refresh_token(
        &self,
        tenant_id: &str,
        id: &str,
        replaced_by: &str,
    ) -> StoreResult<bool> {
        let res = refresh_token::Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(now()))
            .col_expr(Column::ReplacedBy, Expr::value(replaced_by))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .filter(Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected == 1)
    }

    /// Revokes every live token of a family; returns how many.
    pub async fn revoke_refresh_family(
        &self,
        tenant_id: &str,
        family_id: &str,
    ) -> StoreResult<u64> {
        let res = refresh_token::Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(now()))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::FamilyId.eq(family_id))
            .filter(Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected)
    }

    /// Revokes every live token of a user (password change, disable).
    pub async fn revoke_user_refresh_tokens(
        &self,
        tenant_id: &str,
        user_id: &str,
    ) -> StoreResult<u64> {
        let res = refresh_token::Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(now()))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::UserId.eq(user_id))
            .filter(Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected)
    }
}
