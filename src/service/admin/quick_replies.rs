use serde_json::json;

use super::AdminService;
use crate::service::authz::{Actor, Permission};
use crate::service::{validate, Checks, ServiceError, ServiceResult};
use crate::store::QuickReply;

const BODY_MAX: usize = 4000;
const SHORTCUT_MAX: usize = 32;

pub struct QuickReplyInput {
    /// Typed after `/` in the composer; a leading `/` is accepted and dropped.
    pub shortcut: String,
    pub title: String,
    pub body: String,
}

/// Whose replies an operation works on: the tenant's shared ones, or one agent's own.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Shared,
    Personal(&'a str),
}

impl<'a> Scope<'a> {
    fn owner(self) -> Option<&'a str> {
        match self {
            Scope::Shared => None,
            Scope::Personal(id) => Some(id),
        }
    }
}

impl AdminService {
    /// The tenant's shared quick replies.
    pub async fn list_shared_quick_replies(&self, actor: &Actor) -> ServiceResult<Vec<QuickReply>> {
        actor.require(Permission::QuickRepliesRead)?;
        Ok(self
            .store
            .list_quick_replies(&actor.tenant_id, None)
            .await?)
    }

    pub async fn create_shared_quick_reply(
        &self,
        actor: &Actor,
        input: QuickReplyInput,
    ) -> ServiceResult<QuickReply> {
        actor.require(Permission::QuickRepliesWrite)?;
        self.create_quick_reply(actor, Scope::Shared, input).await
    }

    pub async fn update_shared_quick_reply(
        &self,
        actor: &Actor,
        id: &str,
        input: QuickReplyInput,
    ) -> ServiceResult<QuickReply> {
        actor.require(Permission::QuickRepliesWrite)?;
        self.update_quick_reply(actor, Scope::Shared, id, input)
            .await
    }

    pub async fn delete_shared_quick_reply(&self, actor: &Actor, id: &str) -> ServiceResult<()> {
        actor.require(Permission::QuickRepliesWrite)?;
        self.delete_quick_reply(actor, Scope::Shared, id).await
    }

    /// What an agent can use: the shared replies and their own.
    pub async fn list_my_quick_replies(&self, actor: &Actor) -> ServiceResult<Vec<QuickReply>> {
        actor.require(Permission::Chat)?;
        let me = actor.require_user()?;
        Ok(self
            .store
            .list_quick_replies(&actor.tenant_id, Some(me))
            .await?)
    }

    pub async fn create_my_quick_reply(
        &self,
        actor: &Actor,
        input: QuickReplyInput,
    ) -> ServiceResult<QuickReply> {
        actor.require(Permission::Chat)?;
        let me = actor.require_user()?;
        self.create_quick_reply(actor, Scope::Personal(me), input)
            .await
    }

    pub async fn update_my_quick_reply(
        &self,
        actor: &Actor,
        id: &str,
        input: QuickReplyInput,
    ) -> ServiceResult<QuickReply> {
        actor.require(Permission::Chat)?;
        let me = actor.require_user()?;
        self.update_quick_reply(actor, Scope::Personal(me), id, input)
            .await
    }

    pub async fn delete_my_quick_reply(&self, actor: &Actor, id: &str) -> ServiceResult<()> {
        actor.require(Permission::Chat)?;
        let me = actor.require_user()?;
        self.delete_quick_reply(actor, Scope::Personal(me), id)
            .await
    }

    async fn create_quick_reply(
        &self,
        actor: &Actor,
        scope: Scope<'_>,
        input: QuickReplyInput,
    ) -> ServiceResult<QuickReply> {
        let input = check_quick_reply(input)?;
        self.ensure_free_shortcut(actor, scope, &input.shortcut, None)
            .await?;
        let reply = self
            .store
            .create_quick_reply(
                &actor.tenant_id,
                scope.owner(),
                &input.shortcut,
                &input.title,
                &input.body,
            )
            .await?;
        self.audit(
            actor,
            "quick_reply.create",
            "quick_reply",
            Some(&reply.id),
            json!({ "shortcut": reply.shortcut, "personal": scope.owner().is_some() }),
        )
        .await?;
        Ok(reply)
    }

    async fn update_quick_reply(
        &self,
        actor: &Actor,
        scope: Scope<'_>,
        id: &str,
        input: QuickReplyInput,
    ) -> ServiceResult<QuickReply> {
        self.owned_quick_reply(actor, scope, id).await?;
        let input = check_quick_reply(input)?;
        self.ensure_free_shortcut(actor, scope, &input.shortcut, Some(id))
            .await?;
        let reply = self
            .store
            .update_quick_reply(
                &actor.tenant_id,
                id,
                &input.shortcut,
                &input.title,
                &input.body,
            )
            .await?;
        self.audit(
            actor,
            "quick_reply.update",
            "quick_reply",
            Some(id),
            json!({ "shortcut": reply.shortcut }),
        )
        .await?;
        Ok(reply)
    }

    async fn delete_quick_reply(
        &self,
        actor: &Actor,
        scope: Scope<'_>,
        id: &str,
    ) -> ServiceResult<()> {
        self.owned_quick_reply(actor, scope, id).await?;
        self.store.delete_quick_reply(&actor.tenant_id, id).await?;
        self.audit(
            actor,
            "quick_reply.delete",
            "quick_reply",
            Some(id),
            json!({}),
        )
        .await
    }

    /// The reply if it belongs to `scope`; someone else's personal reply is "not found".
    async fn owned_quick_reply(
        &self,
        actor: &Actor,
        scope: Scope<'_>,
        id: &str,
    ) -> ServiceResult<QuickReply> {
        let reply = self.store.get_quick_reply(&actor.tenant_id, id).await?;
        if reply.owner_id.as_deref() != scope.owner() {
            return Err(ServiceError::NotFound("quick reply"));
        }
        Ok(reply)
    }

    async fn ensure_free_shortcut(
        &self,
        actor: &Actor,
        scope: Scope<'_>,
        shortcut: &str,
        except: Option<&str>,
    ) -> ServiceResult<()> {
        let taken = self
            .store
            .list_quick_replies(&actor.tenant_id, scope.owner())
            .await?
            .into_iter()
            .any(|q| {
                q.shortcut == shortcut
                    && q.owner_id.as_deref() == scope.owner()
                    && Some(q.id.as_str()) != except
            });
        if taken {
            return Err(ServiceError::Conflict(format!(
                "the shortcut /{shortcut} is already used"
            )));
        }
        Ok(())
    }
}

fn check_quick_reply(input: QuickReplyInput) -> ServiceResult<QuickReplyInput> {
    let mut checks = Checks::default();
    let shortcut = input.shortcut.trim().trim_start_matches('/').to_lowercase();
    let valid = !shortcut.is_empty()
        && shortcut.len() <= SHORTCUT_MAX
        && shortcut
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        checks.fail(
            "shortcut",
            format!("1 to {SHORTCUT_MAX} letters, digits, '-' or '_'"),
        );
    }
    let title = checks.take(validate::name("title", &input.title, 200));
    let body = input.body.trim().to_string();
    if body.is_empty() || body.chars().count() > BODY_MAX {
        checks.fail("body", format!("must be 1 to {BODY_MAX} characters"));
    }
    checks.finish()?;
    Ok(QuickReplyInput {
        shortcut,
        title: title.unwrap_or_default(),
        body,
    })
}
