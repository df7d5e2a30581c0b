use super::AdminService;
use crate::service::authz::{Actor, Permission};
use crate::service::page::{self, Page};
use crate::service::ServiceResult;
use crate::store::AuditEntry;

impl AdminService {
    /// The audit log, newest first.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        cursor: Option<&str>,
        limit: Option<u64>,
    ) -> ServiceResult<Page<AuditEntry>> {
        actor.require(Permission::AuditRead)?;
        let limit = page::limit(limit)?;
        let rows = self
            .store
            .list_audit(&actor.tenant_id, cursor, limit + 1)
            .await?;
        Ok(Page::from_rows(rows, limit, |e| e.id.clone()))
    }
}
