//! The live visitors of the whole cluster. Each node keeps its own visitors in memory (the
//! service's registry); a `LiveDirectory` lets it tell the other nodes about them and read
//! theirs, so an agent on any node sees everyone on the site.

use futures_util::future::BoxFuture;

use super::LiveVisitor;

pub trait LiveDirectory: Send + Sync {
    /// A visitor of this node arrived or moved (fire and forget).
    fn put(&self, tenant_id: &str, visitor: &LiveVisitor);
    /// A visitor of this node left (fire and forget).
    fn remove(&self, tenant_id: &str, visitor_id: &str);
    /// The tenant's visitors connected to the other nodes that are alive now.
    fn others<'a>(&'a self, tenant_id: &'a str) -> BoxFuture<'a, Vec<LiveVisitor>>;
}

/// One node: there are no others.
#[derive(Default)]
pub struct NoOtherNodes;

impl LiveDirectory for NoOtherNodes {
    fn put(&self, _: &str, _: &LiveVisitor) {}

    fn remove(&self, _: &str, _: &str) {}

    fn others<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Vec<LiveVisitor>> {
        Box::pin(async { Vec::new() })
    }
}
