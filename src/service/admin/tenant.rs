use super::AdminService;
use crate::service::authz::{Actor, Permission};
use crate::service::{ServiceError, ServiceResult};

impl AdminService {
    /// Deletes the tenant and everything in it, file objects included. `confirm` must repeat the tenant's name.
    pub async fn delete_tenant(&self, actor: &Actor, confirm: &str) -> ServiceResult<()> {
        actor.require(Permission::TenantDelete)?;
        let tenant = self.store.get_tenant(&actor.tenant_id).await?;
        if confirm != tenant.name {
            return Err(ServiceError::invalid(
                "confirm",
                "must repeat the tenant's name exactly",
            ));
        }
        tracing::warn!(tenant = %tenant.id, by = %actor.id(), "deleting tenant");
        self.store.delete_tenant(&tenant.id).await?;
        // The rows are gone: the file bytes and archive objects follow. A storage failure is
        // logged (with the prefix to remove by hand); the tenant is deleted either way.
        match self.files.purge_tenant(&tenant.id).await {
            Ok(n) => tracing::info!(tenant = %tenant.id, objects = n, "deleted tenant's objects"),
            Err(e) => {
                tracing::error!(tenant = %tenant.id, error = %e, "tenant's objects left in storage")
            }
        }
        Ok(())
    }
}
