//! Who may open another realtime connection: caps per visitor, per agent, per address and per
//! process, and a handshake rate per address, all checked before the upgrade; and the message
//! rate of a visitor across all their connections. One client never takes the server down for
//! the others: past a cap it is refused at once, with `Retry-After`, and `/healthz` and sign-in
//! keep their file descriptors.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::config::ConnectionsConfig;
use crate::service::chat::Participant;
use crate::telemetry::metrics;

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

/// Why a handshake is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Too many handshakes from the address just now.
    HandshakeRate,
    /// The visitor or agent holds as many connections as they may.
    PerParticipant(usize),
    /// The address holds as many connections as it may.
    PerAddress(usize),
    /// The process is at its ceiling.
    Full,
}

impl Refusal {
    /// The label of the refusals counter.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::HandshakeRate => "handshake_rate",
            Refusal::PerParticipant(_) => "per_participant",
            Refusal::PerAddress(_) => "per_address",
            Refusal::Full => "full",
        }
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
    by_participant: HashMap<String, usize>,
}

pub struct Admission {
    limits: ConnectionsConfig,
    max_total: usize,
    counts: Mutex<Counts>,
    handshakes: Keyed<IpAddr>,
    visitor_messages: Keyed<String>,
}

/// A place held by one open connection; dropping it gives the place back.
pub struct Ticket {
    admission: Arc<Admission>,
    /// `visitor` or `agent`, the label of the connections gauge.
    kind: &'static str,
    ip: IpAddr,
    participant: String,
}

fn quota(per_second: u32, burst: u32) -> Quota {
    Quota::per_second(NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
}

impl Admission {
    pub fn new(limits: ConnectionsConfig) -> Admission {
        let max_total = match limits.max_total {
            0 => auto_ceiling(open_file_limit()),
            n => n,
        };
        Admission {
            handshakes: RateLimiter::keyed(quota(
                limits.handshakes_per_second,
                limits.handshake_burst,
            )),
            visitor_messages: RateLimiter::keyed(quota(
                limits.visitor_messages_per_second,
                limits.visitor_message_burst,
            )),
            limits,
            max_total,
            counts: Mutex::default(),
        }
    }

    /// The ceiling of connections this process holds.
    pub fn max_total(&self) -> usize {
        self.max_total
    }

    /// Checked first, before the token: a flood of handshakes from one address costs little.
    pub fn handshake(&self, ip: IpAddr) -> Result<(), Refusal> {
        self.handshakes
            .check_key(&ip)
            .map_err(|_| Refusal::HandshakeRate)
    }

    /// Takes a place for `who`'s new connection from `ip`, or says which cap is reached.
    pub fn admit(self: &Arc<Self>, who: &Participant, ip: IpAddr) -> Result<Ticket, Refusal> {
        let (per_participant, kind) = match who {
            Participant::Visitor { .. } => (self.limits.per_visitor, "visitor"),
            Participant::Agent { .. } => (self.limits.per_agent, "agent"),
        };
        let participant = who.id().to_string();
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if counts.total >= self.max_total {
            return Err(Refusal::Full);
        }
        if counts.by_address.get(&ip).copied().unwrap_or(0) >= self.limits.per_address {
            return Err(Refusal::PerAddress(self.limits.per_address));
        }
        if counts
            .by_participant
            .get(&participant)
            .copied()
            .unwrap_or(0)
            >= per_participant
        {
            return Err(Refusal::PerParticipant(per_participant));
        }
        counts.total += 1;
        *counts.by_address.entry(ip).or_default() += 1;
        *counts
            .by_participant
            .entry(participant.clone())
            .or_default() += 1;
        metrics::connection(kind, 1.0);
        Ok(Ticket {
            admission: self.clone(),
            kind,
            ip,
            participant,
        })
    }

    /// Whether the visitor may send another message now, whichever connection it comes from.
    pub fn visitor_message(&self, visitor_id: &str) -> bool {
        self.visitor_messages
            .check_key(&visitor_id.to_string())
            .is_ok()
    }

    /// Now and then forgets addresses and visitors whose buckets are full again, so memory
    /// follows active clients only.
    pub fn spawn_cleanup(self: &Arc<Self>, every: std::time::Duration) {
        let admission = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let Some(a) = admission.upgrade() else { break };
                a.handshakes.retain_recent();
                a.handshakes.shrink_to_fit();
                a.visitor_messages.retain_recent();
                a.visitor_messages.shrink_to_fit();
            }
        });
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        metrics::connection(self.kind, -1.0);
        let mut counts = self
            .admission
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        counts.total = counts.total.saturating_sub(1);
        release(&mut counts.by_address, &self.ip);
        release(&mut counts.by_participant, &self.participant);
    }
}

fn release<K: std::hash::Hash + Eq>(map: &mut HashMap<K, usize>, key: &K) {
    if let Some(n) = map.get_mut(key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(key);
        }
    }
}

/// The connections to allow when none are configured: most of the descriptors the process may
/// open, keeping a fifth (at least 64) for HTTP, the database and files.
fn auto_ceiling(open_files: usize) -> usize {
    let reserve = (open_files / 5).max(64);
    open_files.saturating_sub(reserve).max(16)
}

/// The process's soft limit on open files (Linux: /proc/self/limits); 1024 when unknown.
fn open_file_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|text| parse_open_files(&text))
        .unwrap_or(1024)
}

fn parse_open_files(limits: &str) -> Option<usize> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_visitor: usize, per_address: usize, max_total: usize) -> ConnectionsConfig {
        ConnectionsConfig {
            per_visitor,
            per_agent: 2,
            per_address,
            handshakes_per_second: 1,
            handshake_burst: 2,
            visitor_messages_per_second: 1,
            visitor_message_burst: 2,
            max_total,
        }
    }

    fn visitor(id: &str) -> Participant {
        Participant::Visitor {
            tenant_id: "t".into(),
            visitor_id: id.into(),
        }
    }

    #[test]
    fn caps_hold_and_places_come_back() {
        let a = Arc::new(Admission::new(limits(2, 3, 4)));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let one = a.admit(&visitor("v"), ip).unwrap();
        let _two = a.admit(&visitor("v"), ip).unwrap();
        assert_eq!(
            a.admit(&visitor("v"), ip).err(),
            Some(Refusal::PerParticipant(2))
        );
        let _three = a.admit(&visitor("w"), ip).unwrap();
        assert_eq!(
            a.admit(&visitor("x"), ip).err(),
            Some(Refusal::PerAddress(3))
        );
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let _four = a.admit(&visitor("x"), other).unwrap();
        assert_eq!(a.admit(&visitor("y"), other).err(), Some(Refusal::Full));
        drop(one);
        assert!(a.admit(&visitor("v"), other).is_ok(), "a place came back");
    }

    #[test]
    fn rates_per_address_and_per_visitor() {
        let a = Admission::new(limits(9, 9, 9));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(a.handshake(ip).is_ok() && a.handshake(ip).is_ok());
        assert_eq!(a.handshake(ip), Err(Refusal::HandshakeRate));
        assert!(a.handshake("10.0.0.2".parse().unwrap()).is_ok());
        assert!(a.visitor_message("v") && a.visitor_message("v"));
        assert!(!a.visitor_message("v"));
        assert!(a.visitor_message("w"));
    }

    #[test]
    fn the_ceiling_follows_the_descriptor_limit() {
        let text = "Limit                     Soft Limit           Hard Limit           Units\n\
                    Max open files            20000                20000                files\n";
        assert_eq!(parse_open_files(text), Some(20000));
        assert_eq!(auto_ceiling(20000), 16000);
        assert_eq!(auto_ceiling(1024), 820);
        assert_eq!(auto_ceiling(200), 136);
        assert_eq!(auto_ceiling(10), 16);
    }
}
