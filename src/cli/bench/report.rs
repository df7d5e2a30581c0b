//! What a run measured, and how it is shown: a table for people, JSON for scripts.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::args::Scenario;
use super::ledger::Delivery;
use super::nodes::NodeReport;
use super::process::CpuUse;

/// Latency samples in microseconds, and errors by kind, gathered by one task and merged later
/// (so the hot path takes no lock).
#[derive(Default, Clone)]
pub struct Tally {
    pub samples: BTreeMap<&'static str, Vec<u32>>,
    pub errors: BTreeMap<String, u64>,
}

impl Tally {
    pub fn sample(&mut self, what: &'static str, took: Duration) {
        let micros = u32::try_from(took.as_micros()).unwrap_or(u32::MAX);
        self.samples.entry(what).or_default().push(micros);
    }

    pub fn error(&mut self, kind: impl Into<String>) {
        *self.errors.entry(kind.into()).or_default() += 1;
    }

    pub fn merge(&mut self, other: Tally) {
        for (what, mut v) in other.samples {
            self.samples.entry(what).or_default().append(&mut v);
        }
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
    }

    #[cfg(test)]
    pub fn count(&self, what: &str) -> usize {
        self.samples.get(what).map_or(0, Vec::len)
    }

    pub fn latencies(&mut self) -> BTreeMap<&'static str, Latency> {
        self.samples
            .iter_mut()
            .filter(|(_, v)| !v.is_empty())
            .map(|(what, v)| (*what, Latency::of(v)))
            .collect()
    }
}

/// Percentiles in milliseconds.
#[derive(Debug, Serialize, PartialEq)]
pub struct Latency {
    pub count: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    fn of(samples: &mut [u32]) -> Latency {
        samples.sort_unstable();
        // Nearest-rank percentile: the smallest sample with at least p% of samples at or below it.
        let rank = |p: f64| {
            let n = samples.len();
            let i = ((p / 100.0) * n as f64).ceil() as usize;
            f64::from(samples[i.clamp(1, n) - 1]) / 1000.0
        };
        Latency {
            count: samples.len(),
            p50_ms: rank(50.0),
            p90_ms: rank(90.0),
            p99_ms: rank(99.0),
            max_ms: rank(100.0),
        }
    }
}

#[derive(Debug, Serialize, Default)]
pub struct Connections {
    /// Connections the run tried to open (in the measured phase for storm).
    pub attempted: u64,
    /// Greeted by the server (`hello` received).
    pub opened: u64,
    /// Still open at the end of the hold (idle, chat).
    pub held: u64,
}

#[derive(Debug, Serialize, Default)]
pub struct Messages {
    pub sent: u64,
    /// Acknowledged after commit (each message once, with a seq), in the measured phase and
    /// during the drain after it.
    pub acked: u64,
    pub acked_in_phase: u64,
    pub acked_after_phase: u64,
    /// Received by the agent the conversation is assigned to (each message once).
    pub delivered: u64,
    pub delivered_in_phase: u64,
    pub delivered_after_phase: u64,
    /// In the measured phase only.
    pub acked_per_sec: f64,
    pub delivered_per_sec: f64,
    /// Server CPU time over the measured phase divided by the messages acked in it: what one
    /// message costs the server, whatever else shared the machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_cpu_us_per_message: Option<f64>,
    /// The bench's own CPU per message: 1e6 / this is what one bench core can drive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bench_cpu_us_per_message: Option<f64>,
}

/// Chat: connections the server closed (1001, 4012) or reset, and what coming back took.
#[derive(Debug, Serialize, Default)]
pub struct Reconnects {
    /// New connections opened after a lost one, by role.
    pub visitors: u64,
    pub agents: u64,
    /// Messages sent again after a reconnect, with their client id (not acked before the loss).
    pub resent: u64,
    /// Of those, acks that said the server had stored the message already (`duplicate`).
    pub resent_stored: u64,
    /// Second copies of a message that a resume replayed (a seq received before the loss, or
    /// both live and replayed): expected, counted once, not faults.
    pub replayed: u64,
}

#[derive(Debug, Serialize)]
pub struct Memory {
    pub rss_before_mib: f64,
    pub rss_after_mib: f64,
    /// (after − before) / connections held.
    pub per_connection_kib: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub scenario: Scenario,
    pub url: String,
    /// Length of the measured phase.
    pub seconds: f64,
    pub connections: Connections,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connections_per_sec: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Messages>,
    /// Chat: lost connections the clients came back from (not errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconnects: Option<Reconnects>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_per_sec: Option<f64>,
    pub latency: BTreeMap<&'static str, Latency>,
    /// Connections and requests that failed, by kind.
    pub errors: BTreeMap<String, u64>,
    /// Chat: every acked message matched with its deliveries and with what the server stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// Chat over several `--url`s: each node's share (the fields above are the totals).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_memory: Option<Memory>,
    /// Cores used over the measured phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<CpuUse>,
    /// The server's RSS when a scenario measures it itself (idle: at the end of the hold).
    #[serde(skip)]
    pub rss_after_kib: Option<u64>,
}

impl Report {
    pub fn new(scenario: Scenario, url: &str, seconds: f64) -> Report {
        Report {
            scenario,
            url: url.to_string(),
            seconds,
            connections: Connections::default(),
            connections_per_sec: None,
            messages: None,
            reconnects: None,
            requests: None,
            requests_per_sec: None,
            latency: BTreeMap::new(),
            errors: BTreeMap::new(),
            delivery: None,
            nodes: Vec::new(),
            server_memory: None,
            cpu: None,
            rss_after_kib: None,
        }
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut t = Tally::default();
        for ms in 1..=100u64 {
            t.sample("x", Duration::from_millis(ms));
        }
        let l = &t.latencies()["x"];
        assert_eq!(
            (l.count, l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms),
            (100, 50.0, 90.0, 99.0, 100.0)
        );
        let mut one = Tally::default();
        one.sample("y", Duration::from_micros(1500));
        assert_eq!(one.latencies()["y"].p50_ms, 1.5);
    }

    #[test]
    fn merging_adds_samples_and_errors() {
        let mut a = Tally::default();
        a.sample("x", Duration::from_millis(1));
        a.error("closed");
        let mut b = Tally::default();
        b.sample("x", Duration::from_millis(2));
        b.error("closed");
        b.error("http_500");
        a.merge(b);
        assert_eq!(a.count("x"), 2);
        assert_eq!(a.errors["closed"], 2);
        assert_eq!(a.errors["http_500"], 1);
    }
}
