//! Tenants and accounts: the first owner, operators' account commands, start-up bootstrap.

use crate::store::{NewTenant, NewUser, Role, Store, Tenant, User, UserPatch};
use crate::types::ids::random_token;

use super::authz::{Actor, Permission};
use super::{password, validate, ServiceError, ServiceResult};

/// Longest display name, in characters.
pub const NAME_MAX: usize = 200;

/// Concurrent chats an agent takes unless an admin sets otherwise.
pub const DEFAULT_MAX_CHATS: i32 = 5;

#[derive(Clone)]
pub struct AccountService {
    store: Store,
}

/// A new account as an operator or the first-run bootstrap asks for it.
pub struct AccountRequest<'a> {
    pub email: &'a str,
    pub name: Option<&'a str>,
    pub password: &'a str,
    pub role: Role,
}

/// What bootstrap created, to show once to whoever started the server.
pub struct Bootstrapped {
    pub tenant: Tenant,
    pub owner: User,
    pub password: String,
}

impl AccountService {
    pub fn new(store: Store) -> Self {
        AccountService { store }
    }

    /// Creates a tenant and its owner. The e-mail may have accounts in other tenants.
    pub async fn create_tenant(
        &self,
        tenant_name: &str,
        email: &str,
        password: &str,
    ) -> ServiceResult<(Tenant, User)> {
        let tenant_name = validate::name("tenant", tenant_name, 200)?;
        let owner = self
            .new_user(
                None,
                AccountRequest {
                    email,
                    name: None,
                    password,
                    role: Role::Owner,
                },
            )
            .await?;
        Ok(self
            .store
            .create_tenant_with_owner(NewTenant { name: tenant_name }, owner)
            .await?)
    }

    pub async fn create_user(
        &self,
        tenant_id: &str,
        req: AccountRequest<'_>,
    ) -> ServiceResult<User> {
        self.store.get_tenant(tenant_id).await?;
        let user = self.new_user(Some(tenant_id), req).await?;
        Ok(self.store.create_user(tenant_id, user).await?)
    }

    /// The signed-in person changes their own display name (what visitors see beside answers).
    pub async fn rename_self(&self, actor: &Actor, name: &str) -> ServiceResult<User> {
        actor.require(Permission::Chat)?;
        let me = actor.require_user()?;
        let name = validate::name("name", name, NAME_MAX)?;
        let patch = UserPatch {
            name: Some(name),
            role: None,
            max_chats: None,
        };
        Ok(self.store.update_user(&actor.tenant_id, me, patch).await?)
    }

    /// Sets a new password and signs the account out everywhere.
    pub async fn set_password(
        &self,
        email: &str,
        tenant: Option<&str>,
        new_password: &str,
    ) -> ServiceResult<User> {
        password::validate(new_password)?;
        let user = self.by_email(email, tenant).await?;
        let hash = password::hash(new_password).await?;
        let user = self
            .store
            .set_user_password(&user.tenant_id, &user.id, &hash, false)
            .await?;
        self.store
            .revoke_user_refresh_tokens(&user.tenant_id, &user.id)
            .await?;
        Ok(user)
    }

    pub async fn set_disabled(
        &self,
        email: &str,
        tenant: Option<&str>,
        disabled: bool,
    ) -> ServiceResult<User> {
        let user = self.by_email(email, tenant).await?;
        let user = self
            .store
            .set_user_disabled(&user.tenant_id, &user.id, disabled)
            .await?;
        if disabled {
            self.store
                .revoke_user_refresh_tokens(&user.tenant_id, &user.id)
                .await?;
        }
        Ok(user)
    }

    /// The account with this e-mail in the tenant given by id or site key; without a tenant,
    /// the only account with this e-mail (an e-mail in several tenants needs `--tenant`).
    pub async fn by_email(&self, email: &str, tenant: Option<&str>) -> ServiceResult<User> {
        let email = validate::email(email)?;
        if let Some(tenant) = tenant {
            let tenant = self.resolve_tenant(Some(tenant)).await?;
            return self
                .store
                .find_user_by_email(&tenant.id, &email)
                .await?
                .ok_or(ServiceError::NotFound("account in this tenant"));
        }
        let mut users = self.store.find_users_by_email(&email).await?;
        match users.len() {
            0 => Err(ServiceError::NotFound("account")),
            1 => users.pop().ok_or(ServiceError::NotFound("account")),
            _ => Err(ServiceError::invalid(
                "tenant",
                format!(
                    "{email} has accounts in several tenants: name one with --tenant (id or site key)"
                ),
            )),
        }
    }

    /// The tenant an operator command means: the one given by id or site key, or the only one.
    pub async fn resolve_tenant(&self, id_or_site_key: Option<&str>) -> ServiceResult<Tenant> {
        match id_or_site_key {
            Some(key) => {
                if let Some(t) = self.store.find_tenant_by_site_key(key).await? {
                    return Ok(t);
                }
                Ok(self.store.get_tenant(key).await?)
            }
            None => {
                let tenants = self.store.list_tenants(None, 2).await?;
                match tenants.len() {
                    0 => Err(ServiceError::NotFound("tenant (run `uniqchat init` first)")),
                    1 => Ok(tenants
                        .into_iter()
                        .next()
                        .ok_or(ServiceError::NotFound("tenant"))?),
                    _ => Err(ServiceError::invalid(
                        "tenant",
                        "there are several tenants: name one with --tenant (id or site key)",
                    )),
                }
            }
        }
    }

    /// On a first start with no tenant at all, creates one and its owner.
    /// An empty `password` means a random one, returned so it can be shown once.
    pub async fn bootstrap(
        &self,
        tenant_name: &str,
        email: &str,
        password: &str,
    ) -> ServiceResult<Option<Bootstrapped>> {
        if self.store.count_tenants().await? > 0 {
            return Ok(None);
        }
        let password = if password.is_empty() {
            random_token(20)
        } else {
            password.to_string()
        };
        let (tenant, owner) = self.create_tenant(tenant_name, email, &password).await?;
        Ok(Some(Bootstrapped {
            tenant,
            owner,
            password,
        }))
    }

    /// A checked new account for `tenant_id` (`None`: a tenant still to be created, which has
    /// no accounts yet). An e-mail is unique per tenant.
    async fn new_user(
        &self,
        tenant_id: Option<&str>,
        req: AccountRequest<'_>,
    ) -> ServiceResult<NewUser> {
        let email = validate::email(req.email)?;
        password::validate(req.password)?;
        if let Some(tenant_id) = tenant_id {
            if self
                .store
                .find_user_by_email(tenant_id, &email)
                .await?
                .is_some()
            {
                return Err(ServiceError::Conflict(format!(
                    "an account with e-mail {email} already exists in this tenant"
                )));
            }
        }
        let name = match req.name {
            Some(name) => validate::name("name", name, NAME_MAX)?,
            None => email.split('@').next().unwrap_or(&email).to_string(),
        };
        Ok(NewUser {
            email,
            name,
            role: req.role,
            password_hash: password::hash(req.password).await?,
            max_chats: DEFAULT_MAX_CHATS,
            must_change_password: false,
            password_expires_at: None,
        })
    }
}
