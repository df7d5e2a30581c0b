//! Readiness: whether this node can serve, i.e. whether its database answers.

use std::time::Duration;

use crate::store::Store;

use super::{ServiceError, ServiceResult};

#[derive(Clone)]
pub struct HealthService {
    store: Store,
}

impl HealthService {
    pub fn new(store: Store) -> Self {
        HealthService { store }
    }

    /// Ok when the database answers within `timeout`.
    pub async fn ready(&self, timeout: Duration) -> ServiceResult<()> {
        match tokio::time::timeout(timeout, self.store.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ServiceError::Store(e)),
            Err(_) => Err(ServiceError::Internal(
                "database did not answer in time".into(),
            )),
        }
    }
}
