use serde_json::json;

use super::AdminService;
use crate::service::accounts::DEFAULT_MAX_CHATS;
use crate::service::auth::announce_sessions_ended;
use crate::service::authz::{Actor, Permission};
use crate::service::page::{self, Page};
use crate::service::{password, validate, Checks, ServiceError, ServiceResult};
use crate::store::{Group, NewUser, Role, StoreError, User, UserFilter, UserPatch};
use crate::types::ids::random_token;

pub const MAX_CHATS_LIMIT: i32 = 100;

pub struct UserQuery {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

pub struct NewAccount {
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub max_chats: Option<i32>,
    pub group_ids: Vec<String>,
    /// None: a one-time password is generated and must be changed at first login.
    pub password: Option<String>,
}

#[derive(Default)]
pub struct UserChanges {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub max_chats: Option<i32>,
    pub disabled: Option<bool>,
    pub group_ids: Option<Vec<String>>,
}

pub struct UserDetail {
    pub user: User,
    pub groups: Vec<Group>,
    /// Set only when this call generated a password; shown once.
    pub one_time_password: Option<String>,
}

impl AdminService {
    pub async fn list_users(&self, actor: &Actor, q: UserQuery) -> ServiceResult<Page<User>> {
        actor.require(Permission::UsersRead)?;
        let limit = page::limit(q.limit)?;
        let filter = UserFilter {
            role: q.role,
            disabled: q.disabled,
        };
        let rows = self
            .store
            .list_users(&actor.tenant_id, filter, q.cursor.as_deref(), limit + 1)
            .await?;
        Ok(Page::from_rows(rows, limit, |u| u.id.clone()))
    }

    pub async fn get_user(&self, actor: &Actor, id: &str) -> ServiceResult<UserDetail> {
        actor.require(Permission::UsersRead)?;
        let user = self.store.get_user(&actor.tenant_id, id).await?;
        let groups = self.store.list_user_groups(&actor.tenant_id, id).await?;
        Ok(UserDetail {
            user,
            groups,
            one_time_password: None,
        })
    }

    pub async fn create_user(&self, actor: &Actor, new: NewAccount) -> ServiceResult<UserDetail> {
        actor.require(Self::permission_for(new.role))?;
        let mut checks = Checks::default();
        let email = checks.take(validate::email(&new.email));
        let name = match &new.name {
            Some(n) => checks.take(validate::name("name", n, 200)),
            None => email
                .as_ref()
                .map(|e| e.split('@').next().unwrap_or(e).to_string()),
        };
        let max_chats = new.max_chats.unwrap_or(DEFAULT_MAX_CHATS);
        check_max_chats(&mut checks, max_chats);
        if let Some(p) = &new.password {
            checks.take(password::validate(p));
        }
        self.check_groups(&mut checks, actor, &new.group_ids)
            .await?;
        checks.finish()?;
        let (Some(email), Some(name)) = (email, name) else {
            return Err(ServiceError::invalid("email", "is required"));
        };
        // Unique per tenant: an account in another tenant is no conflict and is not revealed.
        if self
            .store
            .find_user_by_email(&actor.tenant_id, &email)
            .await?
            .is_some()
        {
            return Err(ServiceError::Conflict(format!(
                "an account with e-mail {email} already exists in this tenant"
            )));
        }

        let (secret, one_time) = match new.password {
            Some(p) => (p, None),
            None => {
                let p = random_token(16);
                (p.clone(), Some(p))
            }
        };
        let user = self
            .store
            .create_user(
                &actor.tenant_id,
                NewUser {
                    email,
                    name,
                    role: new.role,
                    password_hash: password::hash(&secret).await?,
                    max_chats,
                    must_change_password: one_time.is_some(),
                    password_expires_at: one_time
                        .is_some()
                        .then(|| chrono::Utc::now() + self.one_time_ttl),
                },
            )
            .await?;
        for group in &new.group_ids {
            self.store
                .add_group_member(&actor.tenant_id, group, &user.id)
                .await?;
        }
        self.audit(
            actor,
            "user.create",
            "user",
            Some(&user.id),
            json!({ "email": user.email, "role": user.role, "max_chats": max_chats, "groups": new.group_ids }),
        )
        .await?;
        let groups = self
            .store
            .list_user_groups(&actor.tenant_id, &user.id)
            .await?;
        Ok(UserDetail {
            user,
            groups,
            one_time_password: one_time,
        })
    }

    pub async fn update_user(
        &self,
        actor: &Actor,
        id: &str,
        ch: UserChanges,
    ) -> ServiceResult<UserDetail> {
        actor.require(Permission::UsersWrite)?;
        let target = self.store.get_user(&actor.tenant_id, id).await?;
        actor.require(Self::permission_for(target.role))?;
        if let Some(role) = ch.role {
            actor.require(Self::permission_for(role))?;
        }
        let is_self = actor.user_id() == Some(id);
        if is_self && ch.role.is_some_and(|r| r != target.role) {
            return Err(ServiceError::Forbidden("you cannot change your own role"));
        }
        if is_self && ch.disabled == Some(true) {
            return Err(ServiceError::Forbidden(
                "you cannot disable your own account",
            ));
        }

        let mut checks = Checks::default();
        let name = match &ch.name {
            Some(n) => checks.take(validate::name("name", n, 200)),
            None => None,
        };
        if let Some(m) = ch.max_chats {
            check_max_chats(&mut checks, m);
        }
        if let Some(groups) = &ch.group_ids {
            self.check_groups(&mut checks, actor, groups).await?;
        }
        checks.finish()?;

        let loses_owner = target.role == Role::Owner
            && (ch.role.is_some_and(|r| r != Role::Owner) || ch.disabled == Some(true));
        if loses_owner
            && self
                .store
                .count_users(&actor.tenant_id, Some(Role::Owner))
                .await?
                <= 1
        {
            return Err(ServiceError::Conflict(
                "a tenant needs at least one owner".into(),
            ));
        }

        self.store
            .update_user(
                &actor.tenant_id,
                id,
                UserPatch {
                    name: name.clone(),
                    role: ch.role,
                    max_chats: ch.max_chats,
                },
            )
            .await?;
        if let Some(disabled) = ch.disabled {
            self.store
                .set_user_disabled(&actor.tenant_id, id, disabled)
                .await?;
            if disabled {
                self.store
                    .revoke_user_refresh_tokens(&actor.tenant_id, id)
                    .await?;
                announce_sessions_ended(&*self.bus, &actor.tenant_id, id);
            }
        }
        if let Some(wanted) = &ch.group_ids {
            let current = self.store.list_user_groups(&actor.tenant_id, id).await?;
            for g in current.iter().filter(|g| !wanted.contains(&g.id)) {
                self.store
                    .remove_group_member(&actor.tenant_id, &g.id, id)
                    .await?;
            }
            for g in wanted {
                self.store.add_group_member(&actor.tenant_id, g, id).await?;
            }
        }
        self.audit(
            actor,
            "user.update",
            "user",
            Some(id),
            json!({ "name": name, "role": ch.role, "max_chats": ch.max_chats, "disabled": ch.disabled, "groups": ch.group_ids }),
        )
        .await?;
        self.get_user(actor, id).await
    }

    /// Gives the account a new one-time password and signs it out everywhere. Not for one's
    /// own account: that goes through the password change, which asks for the current one.
    pub async fn reset_password(&self, actor: &Actor, id: &str) -> ServiceResult<UserDetail> {
        actor.require(Permission::UsersWrite)?;
        if actor.user_id() == Some(id) {
            return Err(ServiceError::Forbidden(
                "you cannot reset your own password; change it with POST /api/auth/password",
            ));
        }
        let target = self.store.get_user(&actor.tenant_id, id).await?;
        actor.require(Self::permission_for(target.role))?;
        let one_time = random_token(16);
        let hash = password::hash(&one_time).await?;
        self.store
            .set_one_time_password(
                &actor.tenant_id,
                id,
                &hash,
                chrono::Utc::now() + self.one_time_ttl,
            )
            .await?;
        self.store
            .revoke_user_refresh_tokens(&actor.tenant_id, id)
            .await?;
        announce_sessions_ended(&*self.bus, &actor.tenant_id, id);
        self.audit(actor, "user.reset_password", "user", Some(id), json!({}))
            .await?;
        let mut detail = self.get_user(actor, id).await?;
        detail.one_time_password = Some(one_time);
        Ok(detail)
    }

    /// Managing agents is an admin's job; managing admins and owners is the owner's.
    fn permission_for(role: Role) -> Permission {
        match role {
            Role::Agent => Permission::UsersWrite,
            Role::Admin | Role::Owner => Permission::AdminsWrite,
        }
    }

    async fn check_groups(
        &self,
        checks: &mut Checks,
        actor: &Actor,
        ids: &[String],
    ) -> ServiceResult<()> {
        for id in ids {
            match self.store.get_group(&actor.tenant_id, id).await {
                Ok(_) => {}
                Err(StoreError::NotFound(_)) => {
                    checks.fail("group_ids", format!("no group with id {id}"))
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

fn check_max_chats(checks: &mut Checks, n: i32) {
    if !(0..=MAX_CHATS_LIMIT).contains(&n) {
        checks.fail(
            "max_chats",
            format!("must be between 0 and {MAX_CHATS_LIMIT}"),
        );
    }
}
