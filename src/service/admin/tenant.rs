use super::AdminService;
use crate::service::authz::{Actor, Permission};
use crate::service::{ServiceError, ServiceResult};

impl AdminService {
    /// Deletes the tenant and everything in it. `confirm` must repeat the tenant's name.
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
        Ok(self.store.delete_tenant(&tenant.id).await?)
    }
}
