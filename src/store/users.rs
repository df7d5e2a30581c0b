use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entities::user::{self, Column};
use super::{now, AgentStatus, Role, Store, StoreError, StoreResult, User};
use crate::types::ids::new_id;

/// Most accounts one e-mail is looked up in at sign-in: bounds the password checks per attempt.
pub const MAX_ACCOUNTS_PER_EMAIL: u64 = 20;

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub max_chats: i32,
    pub must_change_password: bool,
    /// When a one-time password stops working.
    pub password_expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl NewUser {
    pub(super) fn into_model(self, tenant_id: &str, at: chrono::DateTime<chrono::Utc>) -> User {
        User {
            id: new_id(),
            tenant_id: tenant_id.to_string(),
            email: self.email,
            name: self.name,
            role: self.role,
            password_hash: self.password_hash,
            max_chats: self.max_chats,
            status: AgentStatus::Offline,
            disabled: false,
            must_change_password: self.must_change_password,
            token_generation: 0,
            password_expires_at: self.password_expires_at,
            created_at: at,
            updated_at: at,
        }
    }
}

/// Which users a list returns; `None` does not narrow.
#[derive(Default, Clone, Copy)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// Fields an administrator may change; `None` leaves a field as it is.
#[derive(Default)]
pub struct UserPatch {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub max_chats: Option<i32>,
}

impl Store {
    pub async fn create_user(&self, tenant_id: &str, new: NewUser) -> StoreResult<User> {
        let model = new.into_model(tenant_id, now());
        user::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::unique(
                "an account with this e-mail in this tenant",
            ))?;
        Ok(model)
    }

    pub async fn get_user(&self, tenant_id: &str, id: &str) -> StoreResult<User> {
        user::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("user"))
    }

    /// The tenant's account with this e-mail: an e-mail is unique per tenant.
    pub async fn find_user_by_email(
        &self,
        tenant_id: &str,
        email: &str,
    ) -> StoreResult<Option<User>> {
        Ok(user::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Email.eq(email))
            .one(&self.db)
            .await?)
    }

    /// Every account with this e-mail, one per tenant at most, oldest tenant membership first:
    /// the same person may have accounts in several tenants.
    pub async fn find_users_by_email(&self, email: &str) -> StoreResult<Vec<User>> {
        Ok(user::Entity::find()
            .filter(Column::Email.eq(email))
            .order_by_asc(Column::Id)
            .limit(MAX_ACCOUNTS_PER_EMAIL)
            .all(&self.db)
            .await?)
    }

    /// A page of the tenant's users in creation order, after the user id `after`.
    pub async fn list_users(
        &self,
        tenant_id: &str,
        filter: UserFilter,
        after: Option<&str>,
        limit: u64,
    ) -> StoreResult<Vec<User>> {
        let mut query = user::Entity::find().filter(Column::TenantId.eq(tenant_id));
        if let Some(role) = filter.role {
            query = query.filter(Column::Role.eq(role));
        }
        if let Some(disabled) = filter.disabled {
            query = query.filter(Column::Disabled.eq(disabled));
        }
        if let Some(after) = after {
            query = query.filter(Column::Id.gt(after));
        }
        Ok(query
            .order_by_asc(Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    pub async fn count_users(&self, tenant_id: &str, role: Option<Role>) -> StoreResult<u64> {
        let mut query = user::Entity::find().filter(Column::TenantId.eq(tenant_id));
        if let Some(role) = role {
            query = query.filter(Column::Role.eq(role));
        }
        Ok(query.count(&self.db).await?)
    }

    pub async fn update_user(
        &self,
        tenant_id: &str,
        id: &str,
        patch: UserPatch,
    ) -> StoreResult<User> {
        let mut update =
            user::Entity::update_many().col_expr(Column::UpdatedAt, Expr::value(now()));
        if let Some(name) = patch.name {
            update = update.col_expr(Column::Name, Expr::value(name));
        }
        if let Some(role) = patch.role {
            update = update.col_expr(Column::Role, Expr::value(role.as_str()));
        }
        if let Some(max_chats) = patch.max_chats {
            update = update.col_expr(Column::MaxChats, Expr::value(max_chats));
        }
        self.update_one_user(tenant_id, id, update).await
    }

    /// Sets a new password (without expiry) and ends the account's sessions: its access
    /// tokens stop working at once.
    pub async fn set_user_password(
        &self,
        tenant_id: &str,
        id: &str,
        password_hash: &str,
        must_change: bool,
    ) -> StoreResult<User> {
        self.set_password_until(tenant_id, id, password_hash, must_change, None)
            .await
    }

    /// Sets a one-time password that must be changed and stops working at `expires_at`, and
    /// ends the account's sessions.
    pub async fn set_one_time_password(
        &self,
        tenant_id: &str,
        id: &str,
        password_hash: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<User> {
        self.set_password_until(tenant_id, id, password_hash, true, Some(expires_at))
            .await
    }

    async fn set_password_until(
        &self,
        tenant_id: &str,
        id: &str,
        password_hash: &str,
        must_change: bool,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> StoreResult<User> {
        let update = user::Entity::update_many()
            .col_expr(Column::PasswordHash, Expr::value(password_hash))
            .col_expr(Column::MustChangePassword, Expr::value(must_change))
            .col_expr(Column::PasswordExpiresAt, Expr::value(expires_at))
            .col_expr(Column::TokenGeneration, next_generation())
            .col_expr(Column::UpdatedAt, Expr::value(now()));
        self.update_one_user(tenant_id, id, update).await
    }

    /// Disabling an account also ends its sessions.
    pub async fn set_user_disabled(
        &self,
        tenant_id: &str,
        id: &str,
        disabled: bool,
    ) -> StoreResult<User> {
        let mut update = user::Entity::update_many()
            .col_expr(Column::Disabled, Expr::value(disabled))
            .col_expr(Column::UpdatedAt, Expr::value(now()));
        if disabled {
            update = update.col_expr(Column::TokenGeneration, next_generation());
        }
        self.update_one_user(tenant_id, id, update).await
    }

    /// Ends every session of the account: access tokens issued before stop working.
    pub async fn end_user_sessions(&self, tenant_id: &str, id: &str) -> StoreResult<User> {
        let update =
            user::Entity::update_many().col_expr(Column::TokenGeneration, next_generation());
        self.update_one_user(tenant_id, id, update).await
    }

    /// Sets the status; a real change is also written to the status history (reports).
    pub async fn set_user_status(
        &self,
        tenant_id: &str,
        id: &str,
        status: AgentStatus,
    ) -> StoreResult<User> {
        let at = now();
        // Only a row whose status differs is updated, so "changed" is the same on every backend
        // (MySQL counts changed rows, the others matched ones).
        let changed = user::Entity::update_many()
            .col_expr(Column::Status, Expr::value(status.as_str()))
            .col_expr(Column::UpdatedAt, Expr::value(at))
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .filter(Column::Status.ne(status))
            .exec(&self.db)
            .await?
            .rows_affected
            == 1;
        if changed {
            self.record_status_change(tenant_id, id, status, at).await?;
        }
        self.get_user(tenant_id, id).await
    }

    async fn update_one_user(
        &self,
        tenant_id: &str,
        id: &str,
        update: sea_orm::UpdateMany<user::Entity>,
    ) -> StoreResult<User> {
        // MySQL reports rows changed rather than matched, so the read-back tells "no such user".
        update
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        self.get_user(tenant_id, id).await
    }
}

fn next_generation() -> sea_orm::sea_query::SimpleExpr {
    Expr::col(Column::TokenGeneration).add(1)
}
