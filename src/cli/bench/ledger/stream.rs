//! What one connection received in one conversation, by seq, and what a resume after a
//! reconnect may bring again.
//!
//! A resume replays everything after the seq it names, and live frames of the same
//! conversation may come before, among or after the replayed ones (docs/protocol.md,
//! "Resume"). So after a resume from seq `f`, each seq above `f` may arrive a second time
//! once (a replayed copy, counted as `replayed`, not as a fault); when `resumed` names the seq
//! the replay reached (`u`), only seqs in `f+1..=u` may. Every other second copy — a seq
//! delivered twice on the live path, a third copy, a copy of a seq at or below `f` — is
//! `duplicated`, as without a reconnect. A seq that never came is still a gap.
//!
//! A replay may fill seqs above the highest the lost connection had received in any order.
//! One it fills below that highest was skipped by the live path (a higher seq came live
//! and this one never did): the server lost a live delivery, and the replay only repaired
//! it. That is counted as `skipped`, a fault, unless the loss was a 4012 (the server said it
//! may have missed events: resuming is how they are caught up).

use std::collections::HashSet;

use super::ANSWERED_BADLY;

/// The highest seq a conversation of a run is followed to (far above what a run writes); a seq
/// outside 1..=MAX_SEQ is counted as invalid rather than grown into.
const MAX_SEQ: usize = 1 << 24;
/// A seq nothing was delivered at.
const EMPTY: u32 = 0;
/// A message not written by the run (the warm-up, a bot's or the system's).
const OTHER: u32 = 1;

pub(super) fn tag(n: u64) -> u32 {
    u32::try_from(n + 2).unwrap_or(ANSWERED_BADLY)
}

/// The latest resume on this connection's conversation.
#[derive(Debug, Clone, Copy)]
struct Replay {
    /// The seq the resume named: the replay starts after it.
    from: usize,
    /// The highest seq received when the connection was lost (or, after a 4012, `from`: every
    /// seq the replay fills is excused).
    high_at_loss: usize,
    /// The seq `resumed` said the replay reached; None until it came.
    upto: Option<usize>,
}

/// What one connection received in one conversation, by seq.
#[derive(Default)]
pub struct Stream {
    pub(super) slots: Vec<u32>,
    low: usize,
    high: usize,
    /// The visitor whose measured messages this conversation carries (the first one seen).
    pub(super) visitor: Option<u32>,
    pub(super) duplicated: u64,
    pub(super) out_of_order: u64,
    pub(super) invalid: u64,
    replay: Option<Replay>,
    /// Seqs that came a second time since the latest resume (each may, once).
    again: HashSet<u32>,
    /// Second copies a resume's replay brought (not faults).
    pub(super) replayed: u64,
    /// Seqs the lost connection skipped on the live path that a replay brought later.
    pub(super) skipped: u64,
}

/// What recording one delivery found.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    New,
    Again,
    /// A second copy of a seq that the latest resume replays.
    Replayed,
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
            // Only the copy of the message that was stored there: another message at the same
            // seq is a fault whatever the replay.
            if self.slots[s] == tag && self.replays(s) && self.again.insert(s as u32) {
                self.replayed += 1;
                return Seen::Replayed;
            }
            self.duplicated += 1;
            return Seen::Again;
        }
        self.slots[s] = tag;
        if s < self.high {
            // A replay fills what the reconnect missed while newer live frames came first; a
            // seq the lost connection skipped is another matter.
            match self.replay {
                Some(r) if self.replays(s) && s > r.high_at_loss => {}
                Some(_) if self.replays(s) => self.skipped += 1,
                _ => self.out_of_order += 1,
            }
        } else {
            self.high = s;
        }
        if self.low == 0 || s < self.low {
            self.low = s;
        }
        Seen::New
    }

    /// Whether the latest resume replays `s`.
    fn replays(&self, s: usize) -> bool {
        self.replay
            .is_some_and(|r| s > r.from && r.upto.is_none_or(|u| s <= u))
    }

    /// A resume begins: returns the seq to resume from, the highest held without a gap below
    /// it (from the lowest received; 0 when nothing came yet). `missed`: the server closed
    /// the connection saying it may have missed events (4012), so gaps are no fault.
    pub fn begin_replay(&mut self, missed: bool) -> i64 {
        let from = self.contiguous();
        let mut high_at_loss = if missed { from } else { self.high };
        // A replay the lost connection did not finish (no `resumed`) leaves gaps above where
        // it began that are not the live path's.
        if let Some(unfinished) = self.replay.filter(|r| r.upto.is_none()) {
            high_at_loss = high_at_loss.min(unfinished.high_at_loss.max(from));
        }
        self.replay = Some(Replay {
            from,
            high_at_loss,
            upto: None,
        });
        self.again.clear();
        from as i64
    }

    /// `resumed` said the replay reached `upto`.
    pub fn replay_reached(&mut self, upto: i64) {
        if let Some(r) = self.replay.as_mut() {
            r.upto = Some(usize::try_from(upto).unwrap_or(0).max(r.from));
        }
    }

    fn contiguous(&self) -> usize {
        if self.low == 0 {
            return 0;
        }
        let run = self.slots[self.low..=self.high]
            .iter()
            .take_while(|t| **t != EMPTY)
            .count();
        self.low + run - 1
    }

    pub(super) fn holds(&self, seq: u32, n: usize) -> bool {
        self.slots.get(seq as usize) == Some(&tag(n as u64))
    }

    /// Seqs between the lowest and the highest received that never came.
    pub(super) fn gaps(&self) -> u64 {
        if self.high == 0 {
            return 0;
        }
        self.slots[self.low..=self.high]
            .iter()
            .filter(|t| **t == EMPTY)
            .count() as u64
    }

    /// (seq, n) of every measured message received.
    pub(super) fn measured(&self) -> impl Iterator<Item = (u32, usize)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, t)| **t > OTHER)
            .map(|(s, t)| (s as u32, (*t - 2) as usize))
    }
}
