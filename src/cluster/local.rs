use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use super::{Block, Bus, Event, Notice, Presence, SessionsRevoked, Sink};

/// Delivers events to the sinks of this process.
#[derive(Default)]
pub struct LocalBus {
    sinks: RwLock<Vec<Arc<dyn Sink>>>,
}

impl Bus for LocalBus {
    fn publish(&self, event: Event) {
        let sinks = self.sinks.read().unwrap_or_else(|e| e.into_inner());
        for sink in sinks.iter() {
            sink.deliver(&event);
        }
    }

    fn block(&self, block: Block) {
        let sinks = self.sinks.read().unwrap_or_else(|e| e.into_inner());
        for sink in sinks.iter() {
            sink.block(&block);
        }
    }

    fn notice(&self, notice: Notice) {
        let sinks = self.sinks.read().unwrap_or_else(|e| e.into_inner());
        for sink in sinks.iter() {
            sink.notice(&notice);
        }
    }

    fn sessions_revoked(&self, revoked: SessionsRevoked) {
        let sinks = self.sinks.read().unwrap_or_else(|e| e.into_inner());
        for sink in sinks.iter() {
            sink.sessions_revoked(&revoked);
        }
    }

    fn subscribe(&self, sink: Arc<dyn Sink>) {
        self.sinks
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(sink);
    }
}

impl LocalBus {
    /// Tells every sink that events may have been missed: its connections must resume.
    pub fn resync(&self) {
        let sinks = self.sinks.read().unwrap_or_else(|e| e.into_inner());
        for sink in sinks.iter() {
            sink.resync();
        }
    }
}

/// Live agent connections counted per tenant and agent, in this process.
#[derive(Default)]
pub struct LocalPresence {
    counts: Mutex<HashMap<String, HashMap<String, usize>>>,
}

impl LocalPresence {
    /// Every tenant's connected agents.
    pub fn snapshot(&self) -> HashMap<String, HashSet<String>> {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts
            .iter()
            .map(|(tenant, agents)| (tenant.clone(), agents.keys().cloned().collect()))
            .collect()
    }
}

impl Presence for LocalPresence {
    fn agent_connected(&self, tenant_id: &str, user_id: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        *counts
            .entry(tenant_id.to_string())
            .or_default()
            .entry(user_id.to_string())
            .or_default() += 1;
    }

    fn agent_disconnected(&self, tenant_id: &str, user_id: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(agents) = counts.get_mut(tenant_id) {
            if let Some(n) = agents.get_mut(user_id) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    agents.remove(user_id);
                }
            }
            if agents.is_empty() {
                counts.remove(tenant_id);
            }
        }
    }

    fn online_agents(&self, tenant_id: &str) -> Vec<String> {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts
            .get(tenant_id)
            .map(|agents| agents.keys().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_counts_connections() {
        let p = LocalPresence::default();
        p.agent_connected("t", "a");
        p.agent_connected("t", "a");
        p.agent_disconnected("t", "a");
        assert_eq!(p.online_agents("t"), vec!["a".to_string()]);
        p.agent_disconnected("t", "a");
        assert!(p.online_agents("t").is_empty());
        p.agent_disconnected("t", "nobody");
        assert!(p.online_agents("other").is_empty());
    }
}
