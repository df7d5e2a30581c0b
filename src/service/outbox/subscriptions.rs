//! Which event types each tenant's endpoints receive, cached so that the message path writes
//! nothing extra for a tenant that receives no `message.created`.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::Store;

/// Changes made on this node invalidate at once; those made on another node are seen within
/// this long.
const FRESH_FOR: Duration = Duration::from_secs(30);

type Entry = (Instant, Arc<BTreeSet<String>>);

#[derive(Clone)]
pub struct Subscriptions {
    store: Store,
    cache: Arc<Mutex<HashMap<String, Entry>>>,
}

impl Subscriptions {
    pub fn new(store: Store) -> Self {
        Subscriptions {
            store,
            cache: Arc::default(),
        }
    }

    /// Whether some enabled endpoint of the tenant receives `event_type`. When the database
    /// cannot tell, the event is written (the worker drops it if nobody receives it).
    pub async fn wants(&self, tenant_id: &str, event_type: &str) -> bool {
        if let Some((at, types)) = self.lock().get(tenant_id) {
            if at.elapsed() < FRESH_FOR {
                return types.contains(event_type);
            }
        }
        match self.store.subscribed_event_types(tenant_id).await {
            Ok(types) => {
                let wanted = types.contains(event_type);
                self.lock()
                    .insert(tenant_id.to_string(), (Instant::now(), Arc::new(types)));
                wanted
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read webhook subscriptions");
                true
            }
        }
    }

    /// Forgets the tenant's set after its endpoints changed.
    pub fn invalidate(&self, tenant_id: &str) {
        self.lock().remove(tenant_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}
