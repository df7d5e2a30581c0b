//! Delivery accounting for the chat scenario. Every measured message has a client id
//! `b<visitor>-<n>`; each visitor keeps its send times and the seq each ack named (indexed by
//! `n`), and each receiving connection keeps, per conversation, which message it got at which
//! seq (a `u32` per seq, no string per message). After the drain the two are compared: every
//! acked message must have reached the agent holding the conversation and the sender's own
//! connection exactly once, at the seq its ack named, in seq order, with no seq left out.

use std::collections::HashMap;

use serde::Serialize;

use super::frames::parse_client_id;

mod stream;
mod verdict;
pub use stream::{Seen, Stream};
pub use verdict::{check, Delivery};

/// In `VisitorLog::ack_seq`: the message got an ack that could not be used (no seq, or a
/// conversation other than the visitor's); counted under `acks`, not as acked.
const ANSWERED_BADLY: u32 = u32::MAX;

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
    /// Messages sent again after a reconnect (same client id), and how many of their acks said
    /// the server had stored them already.
    pub resent: u64,
    pub resent_stored: u64,
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
            resent: 0,
            resent_stored: 0,
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

    /// A new connection replaces a lost one: its acks begin a new order, and its resume starts
    /// from the last seq held without a gap. Returns (conversation, seq to resume from).
    /// `missed`: the loss was a 4012 (see `Stream::begin_replay`).
    pub fn reconnected(&mut self, missed: bool) -> Option<(&str, i64)> {
        self.last_acked = None;
        let from = self.echo.begin_replay(missed);
        self.conversation.as_deref().map(|c| (c, from))
    }

    /// `resumed` came: the replay of `conversation` reached `upto`.
    pub fn resumed(&mut self, conversation: &str, upto: i64) {
        if Some(conversation) == self.conversation.as_deref() {
            self.echo.replay_reached(upto);
        }
    }

    /// Messages sent and not answered: (n, send time), to send again after a reconnect.
    pub fn unanswered(&self) -> Vec<(u64, u64)> {
        self.ack_seq
            .iter()
            .zip(&self.sent_at)
            .enumerate()
            .filter(|(_, (s, _))| **s == 0)
            .map(|(n, (_, at))| (n as u64, *at))
            .collect()
    }

    /// Second copies the resumes replayed to this connection (not faults).
    pub fn replayed(&self) -> u64 {
        self.echo.replayed
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

    /// A new connection replaces a lost one: the conversations it holds (`own`, as its
    /// `hello` lists them) and those it received measured messages of are resumed, each from
    /// the last seq held without a gap (0 for one nothing came of). Not the others: a
    /// conversation's first messages go to every agent while it waits in the queue, and a
    /// replay of someone else's conversation would count its messages as delivered here.
    /// Returns (conversation, seq to resume from).
    pub fn reconnected(&mut self, own: &[String], missed: bool) -> Vec<(String, i64)> {
        for c in own {
            if !self.streams.contains_key(c) {
                self.streams.insert(c.clone(), Stream::default());
            }
        }
        self.streams
            .iter_mut()
            .filter(|(c, s)| s.visitor.is_some() || own.contains(c))
            .map(|(c, s)| (c.clone(), s.begin_replay(missed)))
            .collect()
    }

    /// `resumed` came: the replay of `conversation` reached `upto`.
    pub fn resumed(&mut self, conversation: &str, upto: i64) {
        if let Some(s) = self.streams.get_mut(conversation) {
            s.replay_reached(upto);
        }
    }

    /// Second copies the resumes replayed to this connection (not faults).
    pub fn replayed(&self) -> u64 {
        self.streams.values().map(|s| s.replayed).sum()
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
