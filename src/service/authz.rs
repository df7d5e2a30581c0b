//! Who may do what: the role matrix, and the actor every tenant-scoped operation runs as.
//!
//! The matrix is the one place where roles meet permissions; `docs/api.md` shows the same table.
//! API tokens carry a subset of the grantable permissions as their scopes.

use serde::{Deserialize, Serialize};

use super::{ServiceError, ServiceResult};
use crate::store::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// Use the agent workspace: conversations, personal quick replies.
    #[serde(rename = "chat")]
    Chat,
    #[serde(rename = "users:read")]
    UsersRead,
    /// Create and change agents.
    #[serde(rename = "users:write")]
    UsersWrite,
    /// Create and change admins and owners.
    #[serde(rename = "admins:write")]
    AdminsWrite,
    #[serde(rename = "groups:read")]
    GroupsRead,
    #[serde(rename = "groups:write")]
    GroupsWrite,
    #[serde(rename = "quick_replies:read")]
    QuickRepliesRead,
    #[serde(rename = "quick_replies:write")]
    QuickRepliesWrite,
    #[serde(rename = "blacklist:read")]
    BlacklistRead,
    #[serde(rename = "blacklist:write")]
    BlacklistWrite,
    #[serde(rename = "settings:read")]
    SettingsRead,
    #[serde(rename = "settings:write")]
    SettingsWrite,
    #[serde(rename = "api_tokens:write")]
    ApiTokensWrite,
    #[serde(rename = "audit:read")]
    AuditRead,
    #[serde(rename = "tenant:delete")]
    TenantDelete,
    /// Sign-in rules for every account, e.g. requiring two-factor sign-in.
    #[serde(rename = "security:write")]
    SecurityWrite,
    /// Post business events into conversations (`POST /api/v1/events`).
    #[serde(rename = "events:write")]
    EventsWrite,
    /// Read conversations and their messages through `/api/v1`.
    #[serde(rename = "conversations:read")]
    ConversationsRead,
    /// Write, transfer and close conversations through `/api/v1`.
    #[serde(rename = "conversations:write")]
    ConversationsWrite,
    /// Look visitors up through `/api/v1`.
    #[serde(rename = "visitors:read")]
    VisitorsRead,
    /// Read and regenerate the identity-verification secret.
    #[serde(rename = "identity:write")]
    IdentityWrite,
    /// Change the tenant's SMTP settings and send test mail.
    #[serde(rename = "mail:write")]
    MailWrite,
    /// Export everything stored about a visitor (docs/privacy.md).
    #[serde(rename = "visitors:export")]
    VisitorsExport,
    /// Erase a visitor and everything stored about them (docs/privacy.md).
    #[serde(rename = "visitors:erase")]
    VisitorsErase,
}

/// (permission, owner, admin, agent, grantable to API tokens)
const MATRIX: [(Permission, bool, bool, bool, bool); 24] = [
    (Permission::Chat, true, true, true, false),
    (Permission::UsersRead, true, true, false, true),
    (Permission::UsersWrite, true, true, false, true),
    (Permission::AdminsWrite, true, false, false, false),
    (Permission::GroupsRead, true, true, false, true),
    (Permission::GroupsWrite, true, true, false, true),
    (Permission::QuickRepliesRead, true, true, false, true),
    (Permission::QuickRepliesWrite, true, true, false, true),
    (Permission::BlacklistRead, true, true, false, true),
    (Permission::BlacklistWrite, true, true, false, true),
    (Permission::SettingsRead, true, true, false, true),
    (Permission::SettingsWrite, true, true, false, true),
    (Permission::ApiTokensWrite, true, true, false, false),
    (Permission::AuditRead, true, true, false, true),
    (Permission::TenantDelete, true, false, false, false),
    (Permission::SecurityWrite, true, false, false, false),
    (Permission::EventsWrite, true, true, false, true),
    (Permission::ConversationsRead, true, true, false, true),
    (Permission::ConversationsWrite, true, true, false, true),
    (Permission::VisitorsRead, true, true, false, true),
    (Permission::IdentityWrite, true, true, false, false),
    (Permission::MailWrite, true, true, false, false),
    (Permission::VisitorsExport, true, true, false, true),
    (Permission::VisitorsErase, true, true, false, true),
];

impl Permission {
    pub fn all() -> impl Iterator<Item = Permission> {
        MATRIX.iter().map(|row| row.0)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Chat => "chat",
            Permission::UsersRead => "users:read",
            Permission::UsersWrite => "users:write",
            Permission::AdminsWrite => "admins:write",
            Permission::GroupsRead => "groups:read",
            Permission::GroupsWrite => "groups:write",
            Permission::QuickRepliesRead => "quick_replies:read",
            Permission::QuickRepliesWrite => "quick_replies:write",
            Permission::BlacklistRead => "blacklist:read",
            Permission::BlacklistWrite => "blacklist:write",
            Permission::SettingsRead => "settings:read",
            Permission::SettingsWrite => "settings:write",
            Permission::ApiTokensWrite => "api_tokens:write",
            Permission::AuditRead => "audit:read",
            Permission::TenantDelete => "tenant:delete",
            Permission::SecurityWrite => "security:write",
            Permission::EventsWrite => "events:write",
            Permission::ConversationsRead => "conversations:read",
            Permission::ConversationsWrite => "conversations:write",
            Permission::VisitorsRead => "visitors:read",
            Permission::IdentityWrite => "identity:write",
            Permission::MailWrite => "mail:write",
            Permission::VisitorsExport => "visitors:export",
            Permission::VisitorsErase => "visitors:erase",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::all().find(|p| p.as_str() == s)
    }

    /// Whether an API token may carry this permission as a scope.
    pub fn grantable(self) -> bool {
        MATRIX.iter().any(|row| row.0 == self && row.4)
    }
}

/// Whether `role` has `permission`, by the matrix.
pub fn role_allows(role: Role, permission: Permission) -> bool {
    MATRIX.iter().any(|&(p, owner, admin, agent, _)| {
        p == permission
            && match role {
                Role::Owner => owner,
                Role::Admin => admin,
                Role::Agent => agent,
            }
    })
}

/// The least role that has `permission`.
pub fn least_role(permission: Permission) -> Option<Role> {
    [Role::Agent, Role::Admin, Role::Owner]
        .into_iter()
        .find(|r| role_allows(*r, permission))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorKind {
    User { id: String, role: Role },
    ApiToken { id: String, scopes: Vec<Permission> },
}

/// Whoever performs an operation, always inside one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub tenant_id: String,
    pub kind: ActorKind,
}

impl Actor {
    pub fn allows(&self, permission: Permission) -> bool {
        match &self.kind {
            ActorKind::User { role, .. } => role_allows(*role, permission),
            ActorKind::ApiToken { scopes, .. } => scopes.contains(&permission),
        }
    }

    pub fn require(&self, permission: Permission) -> ServiceResult<()> {
        if self.allows(permission) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden("your role does not allow this"))
        }
    }

    /// The account id, or the API token id: who to name in the audit log.
    pub fn id(&self) -> &str {
        match &self.kind {
            ActorKind::User { id, .. } | ActorKind::ApiToken { id, .. } => id,
        }
    }

    /// The account behind the actor; None for an API token.
    pub fn user_id(&self) -> Option<&str> {
        match &self.kind {
            ActorKind::User { id, .. } => Some(id),
            ActorKind::ApiToken { .. } => None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        match &self.kind {
            ActorKind::User { role, .. } => Some(*role),
            ActorKind::ApiToken { .. } => None,
        }
    }

    /// The user id, or Forbidden for an API token (for operations only a person can do).
    pub fn require_user(&self) -> ServiceResult<&str> {
        self.user_id().ok_or(ServiceError::Forbidden(
            "this needs a signed-in account, not an API token",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_orders_roles() {
        for p in Permission::all() {
            // Whatever an agent may do, an admin may; whatever an admin may do, an owner may.
            assert!(
                !role_allows(Role::Agent, p) || role_allows(Role::Admin, p),
                "{p:?}"
            );
            assert!(
                !role_allows(Role::Admin, p) || role_allows(Role::Owner, p),
                "{p:?}"
            );
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        assert_eq!(least_role(Permission::TenantDelete), Some(Role::Owner));
        assert_eq!(least_role(Permission::UsersWrite), Some(Role::Admin));
        assert_eq!(least_role(Permission::Chat), Some(Role::Agent));
        assert!(!Permission::TenantDelete.grantable());
    }

    #[test]
    fn tokens_have_only_their_scopes() {
        let token = Actor {
            tenant_id: "t".into(),
            kind: ActorKind::ApiToken {
                id: "k".into(),
                scopes: vec![Permission::UsersRead],
            },
        };
        assert!(token.allows(Permission::UsersRead));
        assert!(!token.allows(Permission::UsersWrite));
        assert!(token.require_user().is_err());
    }
}
