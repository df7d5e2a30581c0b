use serde_json::json;

use super::AdminService;
use crate::service::authz::{Actor, Permission};
use crate::service::{validate, Checks, ServiceError, ServiceResult};
use crate::store::{Group, User};

const DESCRIPTION_MAX: usize = 500;

impl AdminService {
    pub async fn list_groups(&self, actor: &Actor) -> ServiceResult<Vec<Group>> {
        actor.require(Permission::GroupsRead)?;
        Ok(self.store.list_groups(&actor.tenant_id).await?)
    }

    pub async fn get_group(&self, actor: &Actor, id: &str) -> ServiceResult<(Group, Vec<User>)> {
        actor.require(Permission::GroupsRead)?;
        let group = self.store.get_group(&actor.tenant_id, id).await?;
        let members = self.store.list_group_members(&actor.tenant_id, id).await?;
        Ok((group, members))
    }

    pub async fn create_group(
        &self,
        actor: &Actor,
        name: &str,
        description: &str,
    ) -> ServiceResult<Group> {
        actor.require(Permission::GroupsWrite)?;
        let (name, description) = check_group(name, description)?;
        let group = self
            .store
            .create_group(&actor.tenant_id, &name, &description)
            .await?;
        self.audit(
            actor,
            "group.create",
            "group",
            Some(&group.id),
            json!({ "name": name }),
        )
        .await?;
        Ok(group)
    }

    pub async fn update_group(
        &self,
        actor: &Actor,
        id: &str,
        name: Option<&str>,
        description: Option<&str>,
    ) -> ServiceResult<Group> {
        actor.require(Permission::GroupsWrite)?;
        let current = self.store.get_group(&actor.tenant_id, id).await?;
        let (name, description) = check_group(
            name.unwrap_or(&current.name),
            description.unwrap_or(&current.description),
        )?;
        let group = self
            .store
            .update_group(&actor.tenant_id, id, &name, &description)
            .await?;
        self.audit(
            actor,
            "group.update",
            "group",
            Some(id),
            json!({ "name": name, "description": description }),
        )
        .await?;
        Ok(group)
    }

    pub async fn delete_group(&self, actor: &Actor, id: &str) -> ServiceResult<()> {
        actor.require(Permission::GroupsWrite)?;
        self.store.delete_group(&actor.tenant_id, id).await?;
        self.audit(actor, "group.delete", "group", Some(id), json!({}))
            .await
    }

    pub async fn add_group_member(
        &self,
        actor: &Actor,
        group_id: &str,
        user_id: &str,
    ) -> ServiceResult<()> {
        actor.require(Permission::GroupsWrite)?;
        self.store
            .add_group_member(&actor.tenant_id, group_id, user_id)
            .await?;
        self.audit(
            actor,
            "group.member_add",
            "group",
            Some(group_id),
            json!({ "user_id": user_id }),
        )
        .await
    }

    pub async fn remove_group_member(
        &self,
        actor: &Actor,
        group_id: &str,
        user_id: &str,
    ) -> ServiceResult<()> {
        actor.require(Permission::GroupsWrite)?;
        self.store.get_group(&actor.tenant_id, group_id).await?;
        self.store
            .remove_group_member(&actor.tenant_id, group_id, user_id)
            .await
            .map_err(|e| match ServiceError::from(e) {
                ServiceError::NotFound(_) => ServiceError::NotFound("member"),
                other => other,
            })?;
        self.audit(
            actor,
            "group.member_remove",
            "group",
            Some(group_id),
            json!({ "user_id": user_id }),
        )
        .await
    }
}

fn check_group(name: &str, description: &str) -> ServiceResult<(String, String)> {
    let mut checks = Checks::default();
    let name = checks.take(validate::name("name", name, 100));
    if description.chars().count() > DESCRIPTION_MAX {
        checks.fail(
            "description",
            format!("must be at most {DESCRIPTION_MAX} characters"),
        );
    }
    checks.finish()?;
    Ok((name.unwrap_or_default(), description.trim().to_string()))
}
