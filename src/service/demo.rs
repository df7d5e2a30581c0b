//! The demo shop page (`/demo`): which tenant's widget it shows when the link names none.

use crate::service::ServiceResult;
use crate::store::Store;

#[derive(Clone)]
pub struct DemoService {
    store: Store,
}

impl DemoService {
    pub fn new(store: Store) -> Self {
        DemoService { store }
    }

    /// The site key of the oldest tenant (the one a fresh installation creates first), or
    /// `None` while there is no tenant yet. Tenant ids sort by creation time.
    pub async fn default_site_key(&self) -> ServiceResult<Option<String>> {
        let first = self.store.list_tenants(None, 1).await?;
        Ok(first.into_iter().next().map(|t| t.site_key))
    }
}
