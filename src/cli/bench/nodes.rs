//! Chat over several `--url`s: what each node's connections saw. Visitors count their sends,
//! acks and send→ack times on the node they are connected to; agents their deliveries and
//! send→delivery times on theirs. The totals of the run stay in the report's main fields.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::args::Plan;
use super::chat::{AgentResult, VisitorResult};
use super::report::{Latency, Tally};

#[derive(Debug, Serialize)]
pub struct NodeReport {
    pub url: String,
    /// Visitor and agent connections this run put on the node.
    pub visitors: u64,
    pub agents: u64,
    /// Of its visitors.
    pub sent: u64,
    pub acked: u64,
    /// To its agents.
    pub delivered: u64,
    /// Failures of its connections, all kinds together (the run's `errors` names them).
    pub errors: u64,
    pub latency: BTreeMap<&'static str, Latency>,
}

/// Gathers the per-node figures while the run's results are joined.
pub struct Nodes {
    nodes: Vec<(NodeReport, Tally)>,
}

impl Nodes {
    /// Nothing is gathered for a run on one URL.
    pub fn new(plan: &Plan) -> Nodes {
        let nodes = match plan.bases.len() {
            1 => Vec::new(),
            _ => plan
                .bases
                .iter()
                .map(|url| {
                    let node = NodeReport {
                        url: url.to_string(),
                        visitors: 0,
                        agents: 0,
                        sent: 0,
                        acked: 0,
                        delivered: 0,
                        errors: 0,
                        latency: BTreeMap::new(),
                    };
                    (node, Tally::default())
                })
                .collect(),
        };
        Nodes { nodes }
    }

    pub fn visitor(&mut self, node: usize, v: &VisitorResult) {
        if let Some((n, tally)) = self.nodes.get_mut(node) {
            n.visitors += 1;
            n.sent += v.log.sent_at.len() as u64;
            n.acked += v.log.acked_in_phase + v.log.acked_after_phase;
            n.errors += v.tally.errors.values().sum::<u64>();
            tally.merge(v.tally.clone());
        }
    }

    pub fn agent(&mut self, node: usize, a: &AgentResult) {
        if let Some((n, tally)) = self.nodes.get_mut(node) {
            n.agents += 1;
            n.delivered += a.log.delivered_in_phase + a.log.delivered_after_phase;
            n.errors += a.tally.errors.values().sum::<u64>();
            tally.merge(a.tally.clone());
        }
    }

    pub fn finish(self) -> Vec<NodeReport> {
        self.nodes
            .into_iter()
            .map(|(mut n, mut tally)| {
                n.latency = tally.latencies();
                n
            })
            .collect()
    }
}

/// The per-node lines of the table.
pub fn table(out: &mut String, nodes: &[NodeReport]) {
    if nodes.is_empty() {
        return;
    }
    let _ = writeln!(out, "  per node");
    for n in nodes {
        let _ = writeln!(
            out,
            "    {}  visitors {}  agents {}  sent {}  acked {}  delivered {}  errors {}",
            n.url, n.visitors, n.agents, n.sent, n.acked, n.delivered, n.errors
        );
        for (what, l) in &n.latency {
            let _ = writeln!(
                out,
                "      {what:<17} p50 {:.2} ms  p99 {:.2} ms  ({})",
                l.p50_ms, l.p99_ms, l.count
            );
        }
    }
}
