//! Delivery accounting for the chat scenario. Every measured message has a client id
//! `b<visitor>-<n>`; each visitor keeps its send times and the seq each ack named (indexed by
//! `n`), and each receiving connection keeps, per conversation, which message it got at which
//! seq (a `u32` per seq, no string per message). After the drain the two are compared: every
//! acked message must have reached the agent holding the conversation and the sender's own
//! connection exactly once, at the seq its ack named, in seq order, with no seq left out.

use std::collections::HashMap;

use serde::Serialize;

use super::frames::parse_client_id;

mod verdict;
pub use verdict::{check, Delivery};

/// The highest seq a conversation of a run is followed to (far above what a run writes); a seq
/// outside 1..=MAX_SEQ is counted as invalid rather than grown into.
const MAX_SEQ: usize = 1 << 24;
/// A seq nothing was delivered at.
const EMPTY: u32 = 0;
/// A message not written by the run (the warm-up, a bot's or the system's).
const OTHER: u32 = 1;
/// In `VisitorLog::ack_seq`: the message got an ack that could not be used (no seq, or a
/// conversation other than the visitor's); counted under `acks`, not as acked.
const ANSWERED_BADLY: u32 = u32::MAX;

fn tag(n: u64) -> u32 {
    u32::try_from(n + 2).unwrap_or(ANSWERED_BADLY)
}

/// What one connection received in one conversation, by seq.
#[derive(Default)]
pub struct Stream {
    slots: Vec<u32>,
    low: usize,
    high: usize,
    /// The visitor whose measured messages this conversation carries (the first one seen).
    visitor: Option<u32>,
    duplicated: u64,
    out_of_order: u64,
    invalid: u64,
}

/// What recording one delivery found.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    New,
    Again,
    Invalid,
}

impl Stream {
    /// Records the message at `seq`; `bench` is its (visitor, n) when it is a measured one.
    pub fn record(&mut self, seq: i64, bench: Option<(u32, u64)>) -> Seen {
        let Some(s) = usize::try_from(seq)
            .ok()
            .filter(|s| (1..=MAX_SEQ).contains(s))
        else {
            self.invalid += 1;
            return Seen::Invalid;
        };
        let tag = match bench {
            Some((visitor, n)) => {
                if *self.visitor.get_or_insert(visitor) != visitor {
                    self.invalid += 1;
                    return Seen::Invalid;
                }
                tag(n)
            }
            None => OTHER,
        };
        if s >= self.slots.len() {
            let len = (s + 1).max(self.slots.len() * 2).clamp(64, MAX_SEQ + 1);
            self.slots.resize(len, EMPTY);
        }
        if self.slots[s] != EMPTY {
            self.duplicated += 1;
            return Seen::Again;
        }
        self.slots[s] = tag;
        if s < self.high {
            self.out_of_order += 1;
        } else {
            self.high = s;
        }
        if self.low == 0 || s < self.low {
            self.low = s;
        }
        Seen::New
    }

    fn holds(&self, seq: u32, n: usize) -> bool {
        self.slots.get(seq as usize) == Some(&tag(n as u64))
    }

    /// Seqs between the lowest and the highest received that never came.
    fn gaps(&self) -> u64 {
        if self.high == 0 {
            return 0;
        }
        self.slots[self.low..=self.high]
            .iter()
            .filter(|t| **t == EMPTY)
            .count() as u64
    }

    /// (seq, n) of every measured message received.
    fn measured(&self) -> impl Iterator<Item = (u32, usize)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, t)| **t > OTHER)
            .map(|(s, t)| (s as u32, (*t - 2) as usize))
    }
}

/// Acks that could not be matched or used.
#[derive(Debug, Default, Serialize, Clone, Copy, PartialEq)]
pub struct AckFaults {
    /// Sent, and no ack came before the end of the drain.
    pub unacked: u64,
    pub without_seq: u64,
    pub without_conversation: u64,
    /// Naming a conversation other than the one the message was sent to.
    pub other_conversation: u64,
    /// With a client id this visitor never sent.
    pub unknown: u64,
    /// A second ack for the same message.
    pub duplicated: u64,
    /// An ack for a message sent before one already acked (one connection's acks come in the
    /// order of its sends).
    pub out_of_order: u64,
}

/// One visitor's sends and what came back to its connection.
pub struct VisitorLog {
    pub index: u32,
    pub conversation: Option<String>,
    /// Send time of message `n`, µs after the run's origin.
    pub sent_at: Vec<u64>,
    /// The seq the ack of message `n` named; 0 while none came.
    ack_seq: Vec<u32>,
    last_acked: Option<usize>,
    /// Sent and not answered yet.
    pub pending: usize,
    pub acked_in_phase: u64,
    pub acked_after_phase: u64,
    acks: AckFaults,
    /// The sender's own connection: the echo of every message it wrote.
    echo: Stream,
    /// Measured messages echoed (each once).
    pub echoed: u64,
}

impl VisitorLog {
    pub fn new(index: usize, capacity: usize) -> VisitorLog {
        VisitorLog {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            conversation: None,
            sent_at: Vec::with_capacity(capacity),
            ack_seq: Vec::with_capacity(capacity),
            last_acked: None,
            pending: 0,
            acked_in_phase: 0,
            acked_after_phase: 0,
            acks: AckFaults::default(),
            echo: Stream::default(),
            echoed: 0,
        }
    }

    /// Notes a send; returns its number `n`.
    pub fn sent(&mut self, at: u64) -> u64 {
        self.sent_at.push(at);
        self.ack_seq.push(0);
        self.pending += 1;
        (self.sent_at.len() - 1) as u64
    }

    /// Takes an ack; returns the message's send time when it acknowledges a measured message.
    pub fn ack(
        &mut self,
        conversation: Option<&str>,
        client_msg_id: Option<&str>,
        seq: Option<i64>,
        in_phase: bool,
    ) -> Option<u64> {
        let n = match client_msg_id.and_then(parse_client_id) {
            Some((v, n)) if v == self.index && (n as usize) < self.sent_at.len() => n as usize,
            _ => {
                self.acks.unknown += 1;
                return None;
            }
        };
        if self.ack_seq[n] != 0 {
            self.acks.duplicated += 1;
            return None;
        }
        self.pending -= 1;
        let seq = seq.and_then(|s| u32::try_from(s).ok()).filter(|s| *s > 0);
        let fault = match (conversation, seq) {
            (None, _) => Some(&mut self.acks.without_conversation),
            (Some(c), _) if Some(c) != self.conversation.as_deref() => {
                Some(&mut self.acks.other_conversation)
            }
            (_, None) => Some(&mut self.acks.without_seq),
            _ => None,
        };
        if let Some(count) = fault {
            *count += 1;
            self.ack_seq[n] = ANSWERED_BADLY;
            return None;
        }
        if self.last_acked.is_some_and(|last| n < last) {
            self.acks.out_of_order += 1;
        }
        self.last_acked = Some(self.last_acked.map_or(n, |last| last.max(n)));
        self.ack_seq[n] = seq.unwrap_or(ANSWERED_BADLY);
        if in_phase {
            self.acked_in_phase += 1;
        } else {
            self.acked_after_phase += 1;
        }
        Some(self.sent_at[n])
    }

    /// Takes a `message` frame that reached this visitor's connection.
    pub fn delivered(&mut self, conversation: &str, seq: i64, bench: Option<(u32, u64)>) {
        if Some(conversation) != self.conversation.as_deref() {
            self.echo.invalid += 1;
            return;
        }
        if self.echo.record(seq, bench) == Seen::New && bench.is_some() {
            self.echoed += 1;
        }
    }

    /// The acked messages: (n, seq).
    pub fn acked(&self) -> impl Iterator<Item = (usize, u32)> + '_ {
        self.ack_seq
            .iter()
            .enumerate()
            .filter(|(_, s)| **s != 0 && **s != ANSWERED_BADLY)
            .map(|(n, s)| (n, *s))
    }

    /// Whether message `n` was acknowledged with a usable ack (or never answered).
    pub fn was_answered(&self, n: usize) -> bool {
        self.ack_seq.get(n).is_some_and(|s| *s != 0)
    }

    /// Measured messages delivered in `stream` at a seq their ack did not name (or never sent).
    fn mismatched(&self, stream: &Stream) -> u64 {
        if stream.visitor.is_some_and(|v| v != self.index) {
            return stream.measured().count() as u64;
        }
        stream
            .measured()
            .filter(|(seq, n)| {
                // Unacked (0) and badly acked messages are counted under `acks` already.
                self.ack_seq
                    .get(*n)
                    .is_none_or(|a| *a != *seq && *a != 0 && *a != ANSWERED_BADLY)
            })
            .count() as u64
    }
}

/// The conversations one agent connection received messages in.
#[derive(Default)]
pub struct AgentLog {
    pub streams: HashMap<String, Stream>,
    pub delivered_in_phase: u64,
    pub delivered_after_phase: u64,
}

impl AgentLog {
    /// Room for the conversations the agent is expected to hold, so the hot path does not grow it.
    pub fn with_capacity(conversations: usize) -> AgentLog {
        AgentLog {
            streams: HashMap::with_capacity(conversations),
            ..AgentLog::default()
        }
    }

    /// Records a delivery; true when it was a measured message not seen before.
    pub fn delivered(&mut self, conversation: &str, seq: i64, bench: Option<(u32, u64)>) -> bool {
        let seen = match self.streams.get_mut(conversation) {
            Some(stream) => stream.record(seq, bench),
            None => self
                .streams
                .entry(conversation.to_string())
                .or_default()
                .record(seq, bench),
        };
        seen == Seen::New && bench.is_some()
    }

    /// Whether this connection received measured messages of `conversation`.
    pub fn carries(&self, conversation: &str) -> bool {
        self.streams
            .get(conversation)
            .is_some_and(|s| s.visitor.is_some())
    }
}

#[cfg(test)]
mod tests;
