//! Tenant administration: accounts, groups, quick replies, blacklist, settings, API tokens and
//! the audit log. Every write is checked against the role matrix and recorded in the audit log.

mod api_tokens;
mod audit;
mod blacklist;
mod groups;
mod quick_replies;
mod security;
mod settings;
mod tenant;
mod users;

pub use api_tokens::CreatedApiToken;
pub use blacklist::NewBlacklistEntry;
pub use quick_replies::QuickReplyInput;
pub use security::SecurityPolicy;
pub(crate) use settings::settings_view;
pub use settings::{BusinessHours, SettingsPatch, SettingsView, DAYS};
pub use users::{NewAccount, UserChanges, UserDetail, UserQuery};

use std::sync::Arc;

use serde_json::Value;

use super::authz::Actor;
use super::files::FileService;
use super::ServiceResult;
use crate::cluster::Bus;
use crate::store::{NewAudit, Store};

#[derive(Clone)]
pub struct AdminService {
    store: Store,
    bus: Arc<dyn Bus>,
    /// A deleted tenant's file objects go with it.
    files: FileService,
    /// How long an invite or reset password works.
    one_time_ttl: chrono::Duration,
}

impl AdminService {
    pub fn new(
        store: Store,
        bus: Arc<dyn Bus>,
        files: FileService,
        one_time_ttl: chrono::Duration,
    ) -> Self {
        AdminService {
            store,
            bus,
            files,
            one_time_ttl,
        }
    }

    /// Records an admin write. Secrets never go into `details`.
    async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        target_kind: &str,
        target_id: Option<&str>,
        details: Value,
    ) -> ServiceResult<()> {
        self.store
            .append_audit(
                &actor.tenant_id,
                NewAudit {
                    actor_id: Some(actor.id()),
                    action,
                    target_kind,
                    target_id,
                    details,
                },
            )
            .await?;
        Ok(())
    }
}
