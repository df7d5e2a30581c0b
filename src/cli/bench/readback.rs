//! After a chat run, a sample of its conversations is read back over the REST API (as the agent
//! holding each one reads its history) and compared with what the acks said: every acked
//! message stored at the seq its ack named, with the client id and body that were sent, and
//! the conversation's seqs from 1 to its `last_seq` without a gap.

use std::collections::HashMap;

use serde::Serialize;

use super::client::{Failure, Target};
use super::frames::{body, parse_client_id};
use super::ledger::VisitorLog;

/// Pages one conversation's history may take before the read-back gives up on it.
const MAX_PAGES: usize = 10_000;

#[derive(Debug, Default, Serialize, Clone, PartialEq)]
pub struct Readback {
    /// Conversations read back.
    pub conversations: u64,
    /// Acked messages compared with what the server stored.
    pub messages: u64,
    /// Acked, and nothing stored at the seq the ack named.
    pub missing: u64,
    /// Stored at its ack's seq with another client id or body.
    pub mismatched: u64,
    /// Stored messages of the run that no ack acknowledged.
    pub not_acked: u64,
    /// Seqs from 1 to the conversation's `last_seq` missing from its history.
    pub seq_gaps: u64,
    /// History requests that failed (or answered something unreadable).
    pub failed_requests: u64,
}

/// One stored message: (client id, body, written by a visitor).
type Stored = (Option<String>, String, bool);

/// Which visitors' conversations to read back: up to `count`, spread over the run.
pub fn sample(visitors: &[VisitorLog], count: usize) -> Vec<&VisitorLog> {
    let with: Vec<&VisitorLog> = visitors
        .iter()
        .filter(|v| v.conversation.is_some() && v.acked().next().is_some())
        .collect();
    if count == 0 || with.is_empty() {
        return Vec::new();
    }
    let step = with.len().div_ceil(count).max(1);
    with.into_iter().step_by(step).take(count).collect()
}

/// Reads back each (visitor, token of the agent holding its conversation) and compares.
pub async fn read_back(target: &Target, sample: &[(&VisitorLog, &str)]) -> Readback {
    let mut r = Readback::default();
    for (v, token) in sample {
        let Some(conversation) = v.conversation.as_deref() else {
            continue;
        };
        match history(target, token, conversation).await {
            Ok((last_seq, stored)) => {
                r.conversations += 1;
                compare(v, last_seq, &stored, &mut r);
            }
            Err(Failure(kind)) => {
                tracing::warn!(conversation, %kind, "read-back failed");
                r.failed_requests += 1;
            }
        }
    }
    r
}

fn compare(v: &VisitorLog, last_seq: i64, stored: &HashMap<i64, Stored>, r: &mut Readback) {
    for (n, seq) in v.acked() {
        r.messages += 1;
        let expected_id = format!("b{}-{n}", v.index);
        match stored.get(&i64::from(seq)) {
            None => r.missing += 1,
            Some((id, text, _))
                if id.as_deref() == Some(expected_id.as_str()) && *text == body(v.sent_at[n]) => {}
            Some(_) => r.mismatched += 1,
        }
    }
    for (id, _, by_visitor) in stored.values() {
        let ours = match id.as_deref().and_then(parse_client_id) {
            Some((visitor, n)) if *by_visitor && visitor == v.index => Some(n as usize),
            _ => None,
        };
        if ours.is_some_and(|n| !v.was_answered(n)) {
            r.not_acked += 1;
        }
    }
    r.seq_gaps += (1..=last_seq).filter(|s| !stored.contains_key(s)).count() as u64;
}

/// The whole history of a conversation: its `last_seq` and its messages by seq.
async fn history(
    target: &Target,
    token: &str,
    conversation: &str,
) -> Result<(i64, HashMap<i64, Stored>), Failure> {
    let mut stored = HashMap::new();
    let mut last_seq = 0;
    let mut before: Option<i64> = None;
    for _ in 0..MAX_PAGES {
        let page = target.history(token, conversation, before).await?;
        let unreadable = || Failure("read-back: unreadable page".into());
        last_seq = page["last_seq"].as_i64().ok_or_else(unreadable)?;
        let messages = page["messages"].as_array().ok_or_else(unreadable)?;
        let mut lowest = i64::MAX;
        for m in messages {
            let seq = m["seq"].as_i64().ok_or_else(unreadable)?;
            lowest = lowest.min(seq);
            let id = m["client_msg_id"].as_str().map(str::to_string);
            let text = m["body"].as_str().unwrap_or_default().to_string();
            stored.insert(seq, (id, text, m["sender_kind"] == "visitor"));
        }
        // Done at seq 1, or when a page brings nothing older.
        if lowest <= 1 || before.is_some_and(|b| lowest >= b) || messages.is_empty() {
            return Ok((last_seq, stored));
        }
        before = Some(lowest);
    }
    Ok((last_seq, stored))
}
