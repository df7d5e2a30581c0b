//! Single sign-on: each tenant's OpenID Connect provider, and the sign-ins in flight.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::entities::sso_login::{self, Column as LoginColumn};
use super::entities::sso_provider::{self, Column};
use super::{now, Store, StoreResult};

pub type SsoProvider = sso_provider::Model;
pub type SsoLogin = sso_login::Model;

/// What an `sso_logins` row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoLoginKind {
    /// A redirect to the provider, waiting for its answer at the callback.
    State,
    /// A finished sign-in, waiting for the web app to trade its one-time code for a session.
    Handoff,
}

impl SsoLoginKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SsoLoginKind::State => "state",
            SsoLoginKind::Handoff => "handoff",
        }
    }
}

impl Store {
    pub async fn get_sso_provider(&self, tenant_id: &str) -> StoreResult<Option<SsoProvider>> {
        Ok(sso_provider::Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .one(&self.db)
            .await?)
    }

    /// Creates or replaces the tenant's provider (its tenant id picks the row).
    pub async fn save_sso_provider(&self, provider: SsoProvider) -> StoreResult<SsoProvider> {
        let tenant_id = provider.tenant_id.clone();
        let exists = self.get_sso_provider(&tenant_id).await?.is_some();
        let mut model = provider.into_active_model();
        model.updated_at = sea_orm::Set(now());
        model = model.reset_all();
        if exists {
            model.update(&self.db).await?;
        } else {
            sso_provider::Entity::insert(model)
                .exec_without_returning(&self.db)
                .await?;
        }
        self.get_sso_provider(&tenant_id)
            .await?
            .ok_or(super::StoreError::NotFound("sso provider"))
    }

    /// Records a sign-in in flight; rows that expired are swept on the way.
    pub async fn insert_sso_login(&self, login: SsoLogin) -> StoreResult<()> {
        sso_login::Entity::delete_many()
            .filter(LoginColumn::ExpiresAt.lt(now()))
            .exec(&self.db)
            .await?;
        sso_login::Entity::insert(login.into_active_model())
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// Takes (reads and deletes) a live row of this kind: it works once, even when two
    /// requests present it at the same moment (only the one whose delete hit the row wins).
    pub async fn take_sso_login(
        &self,
        id: &str,
        kind: SsoLoginKind,
    ) -> StoreResult<Option<SsoLogin>> {
        let Some(row) = sso_login::Entity::find()
            .filter(LoginColumn::Id.eq(id))
            .filter(LoginColumn::Kind.eq(kind.as_str()))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let done = sso_login::Entity::delete_many()
            .filter(LoginColumn::Id.eq(id))
            .exec(&self.db)
            .await?;
        if done.rows_affected != 1 || row.expires_at <= now() {
            return Ok(None);
        }
        Ok(Some(row))
    }
}
