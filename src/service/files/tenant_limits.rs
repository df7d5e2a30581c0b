//! A tenant's own file limits: each may lower the server's `[storage]` limit, none may raise it.
//! Uploads are checked against the tenant's effective limits.

use serde::Serialize;

use super::{FileLimits, FileService};
use crate::service::authz::{Actor, Permission};
use crate::service::{Checks, ServiceError, ServiceResult};
use crate::store::{NewAudit, TenantFileLimits};

/// The server's ceiling, the tenant's override and what applies.
#[derive(Debug, Clone, Serialize)]
pub struct TenantLimitsView {
    pub server: EffectiveLimits,
    pub tenant: LimitOverride,
    pub effective: EffectiveLimits,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectiveLimits {
    pub max_file_bytes: u64,
    pub max_files_per_conversation: u64,
    pub allowed_types: Vec<String>,
}

/// The tenant's own limits; None: the server's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LimitOverride {
    pub max_file_bytes: Option<u64>,
    pub max_files_per_conversation: Option<u64>,
    pub allowed_types: Option<Vec<String>>,
}

impl FileLimits {
    fn effective(&self) -> EffectiveLimits {
        EffectiveLimits {
            max_file_bytes: self.max_bytes as u64,
            max_files_per_conversation: self.max_per_conversation,
            allowed_types: self.allowed_types.clone(),
        }
    }

    /// These limits lowered by a tenant's override (never raised, even by an old row saved
    /// under a higher server limit).
    fn lowered_by(&self, o: &LimitOverride) -> FileLimits {
        let bytes = o
            .max_file_bytes
            .map_or(self.max_bytes, |b| usize::try_from(b).unwrap_or(usize::MAX))
            .min(self.max_bytes);
        let count = o
            .max_files_per_conversation
            .map_or(self.max_per_conversation, |n| {
                n.min(self.max_per_conversation)
            });
        let types = match &o.allowed_types {
            Some(t) => t
                .iter()
                .filter(|t| self.allowed_types.contains(t))
                .cloned()
                .collect(),
            None => self.allowed_types.clone(),
        };
        FileLimits {
            max_bytes: bytes,
            max_per_conversation: count,
            allowed_types: types,
            link_ttl_secs: self.link_ttl_secs,
        }
    }
}

fn from_row(row: Option<TenantFileLimits>) -> LimitOverride {
    let Some(row) = row else {
        return LimitOverride::default();
    };
    LimitOverride {
        max_file_bytes: row.max_file_bytes.and_then(|b| u64::try_from(b).ok()),
        max_files_per_conversation: row
            .max_files_per_conversation
            .and_then(|n| u64::try_from(n).ok()),
        allowed_types: row
            .allowed_types
            .and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok()),
    }
}

impl FileService {
    /// The limits an upload into this tenant must keep.
    pub(super) async fn limits_for(&self, tenant_id: &str) -> ServiceResult<FileLimits> {
        let row = self.store.get_file_limits(tenant_id).await?;
        Ok(self.limits.lowered_by(&from_row(row)))
    }

    pub async fn tenant_limits(&self, actor: &Actor) -> ServiceResult<TenantLimitsView> {
        actor.require(Permission::SettingsRead)?;
        self.view(&actor.tenant_id).await
    }

    async fn view(&self, tenant_id: &str) -> ServiceResult<TenantLimitsView> {
        let tenant = from_row(self.store.get_file_limits(tenant_id).await?);
        Ok(TenantLimitsView {
            server: self.limits.effective(),
            effective: self.limits.lowered_by(&tenant).effective(),
            tenant,
        })
    }

    /// Replaces the tenant's override whole; a value above the server's is refused.
    pub async fn set_tenant_limits(
        &self,
        actor: &Actor,
        wanted: LimitOverride,
    ) -> ServiceResult<TenantLimitsView> {
        actor.require(Permission::SettingsWrite)?;
        self.check_override(&wanted)?;
        let as_i64 = |v: Option<u64>| v.map(|v| i64::try_from(v).unwrap_or(i64::MAX));
        let types = match &wanted.allowed_types {
            Some(t) => {
                Some(serde_json::to_string(t).map_err(|e| ServiceError::Internal(e.to_string()))?)
            }
            None => None,
        };
        self.store
            .put_file_limits(TenantFileLimits {
                id: actor.tenant_id.clone(),
                max_file_bytes: as_i64(wanted.max_file_bytes),
                max_files_per_conversation: as_i64(wanted.max_files_per_conversation),
                allowed_types: types,
                updated_at: chrono::Utc::now(),
            })
            .await?;
        self.store
            .append_audit(
                &actor.tenant_id,
                NewAudit {
                    actor_id: Some(actor.id()),
                    action: "file_limits.update",
                    target_kind: "tenant",
                    target_id: Some(&actor.tenant_id),
                    details: serde_json::to_value(&wanted).unwrap_or_default(),
                },
            )
            .await?;
        self.view(&actor.tenant_id).await
    }

    fn check_override(&self, o: &LimitOverride) -> ServiceResult<()> {
        let server = &self.limits;
        let mut checks = Checks::default();
        if let Some(b) = o.max_file_bytes {
            if b == 0 || b > server.max_bytes as u64 {
                checks.fail(
                    "max_file_bytes",
                    format!(
                        "must be from 1 to the server's limit, {} bytes",
                        server.max_bytes
                    ),
                );
            }
        }
        if let Some(n) = o.max_files_per_conversation {
            if n == 0 || n > server.max_per_conversation {
                checks.fail(
                    "max_files_per_conversation",
                    format!(
                        "must be from 1 to the server's limit, {}",
                        server.max_per_conversation
                    ),
                );
            }
        }
        if let Some(types) = &o.allowed_types {
            if types.is_empty() {
                checks.fail("allowed_types", "name at least one type, or send null");
            }
            for t in types {
                if !server.allowed_types.contains(t) {
                    checks.fail(
                        "allowed_types",
                        format!("{t} is not among the server's allowed types"),
                    );
                }
            }
            let mut seen = types.clone();
            seen.sort();
            seen.dedup();
            if seen.len() != types.len() {
                checks.fail("allowed_types", "names a type twice");
            }
        }
        checks.finish()
    }
}
