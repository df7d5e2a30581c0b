//! Draining: the node was asked to stop (SIGTERM) and is leaving. From that moment `/readyz`
//! answers 503 `draining` (so a load balancer sends nobody new) and new realtime connections
//! are refused; after `server.drain_secs` the shutdown proper closes the open connections with
//! 1001 (reconnect elsewhere), lets in-flight sends commit and exits (docs/cluster.md).

use tokio_util::sync::CancellationToken;

/// Shared by everything that must know the node is leaving; cheap to clone.
#[derive(Clone, Default)]
pub struct Drain(CancellationToken);

impl Drain {
    pub fn new() -> Self {
        Drain::default()
    }

    /// From now on the node is draining (idempotent).
    pub fn start(&self) {
        self.0.cancel();
    }

    pub fn is_draining(&self) -> bool {
        self.0.is_cancelled()
    }
}

#[cfg(test)]
mod tests {
    use super::Drain;

    #[test]
    fn a_clone_sees_the_start() {
        let d = Drain::new();
        let seen = d.clone();
        assert!(!seen.is_draining());
        d.start();
        assert!(seen.is_draining());
    }
}
