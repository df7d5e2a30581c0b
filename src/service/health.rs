//! Readiness: whether this node can serve, i.e. whether its database answers; in a cluster,
//! also whether Redis does (reported, but not a reason to stop serving: docs/cluster.md).

use std::time::Duration;

use crate::cluster::ClusterStatus;
use crate::store::Store;

use super::{Drain, ServiceError, ServiceResult};

#[derive(Clone)]
pub struct HealthService {
    store: Store,
    cluster: Option<ClusterStatus>,
    drain: Drain,
}

/// How the parts a node depends on are doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// None on a single node; in a cluster whether Redis answers and the bus is subscribed.
    pub redis_up: Option<bool>,
    /// This node's id in the cluster (None on a single node).
    pub node: Option<String>,
    /// The node was asked to stop and is leaving: a balancer should send nobody new.
    pub draining: bool,
}

impl HealthService {
    pub fn new(store: Store, cluster: Option<ClusterStatus>, drain: Drain) -> Self {
        HealthService {
            store,
            cluster,
            drain,
        }
    }

    /// Ok when the database answers within `timeout`, with Redis's state in a cluster; a
    /// draining node says so at once, without asking the database.
    pub async fn ready(&self, timeout: Duration) -> ServiceResult<Readiness> {
        let here = || Readiness {
            redis_up: self.cluster.as_ref().map(ClusterStatus::redis_up),
            node: self.cluster.as_ref().map(|c| c.node().to_string()),
            draining: self.drain.is_draining(),
        };
        if self.drain.is_draining() {
            return Ok(here());
        }
        match tokio::time::timeout(timeout, self.store.ping()).await {
            Ok(Ok(())) => Ok(here()),
            Ok(Err(e)) => Err(ServiceError::Store(e)),
            Err(_) => Err(ServiceError::Internal(
                "database did not answer in time".into(),
            )),
        }
    }
}
