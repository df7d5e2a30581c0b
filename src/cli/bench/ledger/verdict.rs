//! The verdict of a chat run: the acks of every visitor compared with what each receiving
//! connection recorded, as counts per fault class.

use std::collections::HashMap;

use serde::Serialize;

use super::super::readback::Readback;
use super::{AckFaults, AgentLog, Stream, VisitorLog};

/// Counts in the report that are not faults.
const INFORMATIONAL: [&str; 3] = ["delivered", "conversations", "messages"];

/// What one side received, over all its connections and conversations.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Receiver {
    /// Measured messages received (each counted once).
    pub delivered: u64,
    /// Acked, and not received at the seq the ack named by the end of the drain.
    pub missing: u64,
    /// Received again at a seq already received.
    pub duplicated: u64,
    /// Received after a higher seq of the same conversation.
    pub out_of_order: u64,
    /// Skipped by a connection's live path (a higher seq came, this one never did) and
    /// brought only by a resume after that connection was lost: a live delivery the server
    /// lost, which the replay repaired (not counted after a 4012).
    pub skipped: u64,
    /// Seqs between the lowest and highest received in a conversation that never came.
    pub seq_gaps: u64,
    /// Measured messages received at a seq other than their ack's, or in another visitor's
    /// conversation, or never sent.
    pub mismatched: u64,
    /// Deliveries with a seq that is not a positive number, or of another conversation.
    pub invalid: u64,
}

impl Receiver {
    fn add(&mut self, s: &Stream) {
        self.duplicated += s.duplicated;
        self.out_of_order += s.out_of_order;
        self.skipped += s.skipped;
        self.seq_gaps += s.gaps();
        self.invalid += s.invalid;
        self.delivered += s.measured().count() as u64;
    }
}

/// The verdict of a chat run: every class of fault with its count.
#[derive(Debug, Default, Serialize)]
pub struct Delivery {
    /// No fault of any class below.
    pub ok: bool,
    pub acked: u64,
    /// The agent connections (the one holding each conversation).
    pub agent: Receiver,
    /// The sending visitor's own connection (the echo of its messages).
    pub visitor_echo: Receiver,
    pub acks: AckFaults,
    /// Conversations read back over REST after the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readback: Option<Readback>,
}

/// Compares what was acked with what every connection received.
pub fn check(visitors: &[VisitorLog], agents: &[AgentLog]) -> Delivery {
    let mut d = Delivery::default();
    let mut agent_streams: HashMap<&str, Vec<&Stream>> = HashMap::new();
    for a in agents {
        for (c, s) in &a.streams {
            agent_streams.entry(c.as_str()).or_default().push(s);
        }
    }
    let mut owners: HashMap<&str, &VisitorLog> = HashMap::new();
    for v in visitors {
        add_faults(&mut d.acks, &v.acks);
        d.acks.unacked += v.ack_seq.iter().filter(|s| **s == 0).count() as u64;
        let Some(conversation) = v.conversation.as_deref() else {
            continue;
        };
        owners.insert(conversation, v);
        let streams = agent_streams
            .get(conversation)
            .map_or(&[][..], Vec::as_slice);
        for (n, seq) in v.acked() {
            d.acked += 1;
            if !v.echo.holds(seq, n) {
                d.visitor_echo.missing += 1;
            }
            if !streams.iter().any(|s| s.holds(seq, n)) {
                d.agent.missing += 1;
            }
        }
        d.visitor_echo.add(&v.echo);
        d.visitor_echo.mismatched += v.mismatched(&v.echo);
    }
    for a in agents {
        for (c, s) in &a.streams {
            d.agent.add(s);
            d.agent.mismatched += match owners.get(c.as_str()) {
                Some(v) => v.mismatched(s),
                None => s.measured().count() as u64,
            };
        }
    }
    d.ok = d.faults().is_empty();
    d
}

fn add_faults(total: &mut AckFaults, one: &AckFaults) {
    total.without_seq += one.without_seq;
    total.without_conversation += one.without_conversation;
    total.other_conversation += one.other_conversation;
    total.unknown += one.unknown;
    total.duplicated += one.duplicated;
    total.out_of_order += one.out_of_order;
}

impl Delivery {
    /// Every fault class with a count above zero, named `section field` (e.g. `agent missing`),
    /// sorted by name.
    pub fn faults(&self) -> Vec<(String, u64)> {
        let sections = [
            ("agent", serde_json::to_value(&self.agent)),
            ("visitor_echo", serde_json::to_value(&self.visitor_echo)),
            ("acks", serde_json::to_value(self.acks)),
            ("readback", serde_json::to_value(&self.readback)),
        ];
        let mut out = Vec::new();
        for (name, value) in sections {
            let Ok(serde_json::Value::Object(fields)) = value else {
                continue;
            };
            for (field, count) in fields {
                let count = count.as_u64().unwrap_or(0);
                if count > 0 && !INFORMATIONAL.contains(&field.as_str()) {
                    out.push((format!("{name} {field}"), count));
                }
            }
        }
        out.sort();
        out
    }

    pub fn recheck(&mut self) {
        self.ok = self.faults().is_empty();
    }
}
