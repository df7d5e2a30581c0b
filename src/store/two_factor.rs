//! Two-factor sign-in rows (one per account that set it up).

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::entities::two_factor::{self, Column};
use super::{now, Store, StoreResult};

pub type TwoFactor = two_factor::Model;

impl Store {
    pub async fn get_two_factor(
        &self,
        tenant_id: &str,
        user_id: &str,
    ) -> StoreResult<Option<TwoFactor>> {
        Ok(two_factor::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::UserId.eq(user_id))
            .one(&self.db)
            .await?)
    }

    /// Starts (or restarts) enrolment with a new secret; two-factor stays off until enabled.
    pub async fn start_two_factor(
        &self,
        tenant_id: &str,
        user_id: &str,
        secret: &str,
    ) -> StoreResult<()> {
        self.delete_two_factor(tenant_id, user_id).await?;
        let row = TwoFactor {
            user_id: user_id.to_string(),
            tenant_id: tenant_id.to_string(),
            secret: secret.to_string(),
            enabled: false,
            last_step: 0,
            recovery_codes: "[]".into(),
            updated_at: now(),
        };
        two_factor::Entity::insert(row.into_active_model())
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// Turns two-factor on with the recovery codes' hashes (JSON array).
    pub async fn enable_two_factor(
        &self,
        tenant_id: &str,
        user_id: &str,
        recovery_codes: &str,
    ) -> StoreResult<()> {
        self.update_two_factor(
            tenant_id,
            user_id,
            vec![
                (Column::Enabled, Expr::value(true)),
                (Column::RecoveryCodes, Expr::value(recovery_codes)),
            ],
        )
        .await
    }

    /// Records `step` as used unless it (or a later one) already was: false means replay.
    pub async fn use_two_factor_step(
        &self,
        tenant_id: &str,
        user_id: &str,
        step: i64,
    ) -> StoreResult<bool> {
        let done = two_factor::Entity::update_many()
            .col_expr(Column::LastStep, Expr::value(step))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::UserId.eq(user_id))
            .filter(Column::LastStep.lt(step))
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// Replaces the recovery code list `old` by `new` (both JSON): false when another request
    /// changed it meanwhile (the same code used twice at once).
    pub async fn replace_recovery_codes(
        &self,
        tenant_id: &str,
        user_id: &str,
        old: &str,
        new: &str,
    ) -> StoreResult<bool> {
        let done = two_factor::Entity::update_many()
            .col_expr(Column::RecoveryCodes, Expr::value(new))
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::UserId.eq(user_id))
            .filter(Column::RecoveryCodes.eq(old))
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// Rows whose secret is not in `prefix` form (kept before secrets were sealed).
    pub async fn two_factor_rows_without_prefix(
        &self,
        prefix: &str,
    ) -> StoreResult<Vec<TwoFactor>> {
        Ok(two_factor::Entity::find()
            .filter(Column::Secret.not_like(format!("{prefix}%")))
            .all(&self.db)
            .await?)
    }

    /// Replaces the secret `old` by `new`, unless the row changed meanwhile.
    pub async fn replace_two_factor_secret(
        &self,
        tenant_id: &str,
        user_id: &str,
        old: &str,
        new: &str,
    ) -> StoreResult<bool> {
        let done = two_factor::Entity::update_many()
            .col_expr(Column::Secret, Expr::value(new))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::UserId.eq(user_id))
            .filter(Column::Secret.eq(old))
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    pub async fn delete_two_factor(&self, tenant_id: &str, user_id: &str) -> StoreResult<()> {
        two_factor::Entity::delete_many()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::UserId.eq(user_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    async fn update_two_factor(
        &self,
        tenant_id: &str,
        user_id: &str,
        cols: Vec<(Column, sea_orm::sea_query::SimpleExpr)>,
    ) -> StoreResult<()> {
        let mut update =
            two_factor::Entity::update_many().col_expr(Column::UpdatedAt, Expr::value(now()));
        for (col, value) in cols {
            update = update.col_expr(col, value);
        }
        update
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::UserId.eq(user_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
