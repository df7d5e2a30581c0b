//! What the fake server stored, read back: the history the bench's read-back reads, and the
//! replay of a `resume` after the `Restart` faults closed the connections (as a server does at
//! shutdown: 1001, the ack of the last message not written).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::Json;
use serde_json::{json, Map, Value};

use super::{Conversation, Fault, Shared, Tx};

/// Sent through a connection's queue: its writer closes it with 1001 and stops.
pub const GOING_AWAY: &str = "\u{0}going away";

/// Closes the visitor's and the agent's connections of `c` (its last message stored, not acked).
pub fn go_away(c: &mut Conversation) {
    c.cut = Some(c.last_seq);
    let _ = c.visitor.send(GOING_AWAY.into());
    if let Some(agent) = &c.agent {
        let _ = agent.send(GOING_AWAY.into());
    }
}

/// `resume`: the connection takes the conversations over, gets every stored message after the
/// seq it named, then `resumed`. With Fault::Restart the agent first gets the newest message
/// live as well (a message may come both live and replayed, the live copy first).
pub fn resume(s: &Shared, tx: &Tx, frame: &Value, agent: bool) {
    let mut inner = s.lock();
    let mut reached = Map::new();
    let wanted = frame["conversations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (id, from) in wanted {
        let from = from.as_i64().unwrap_or(0);
        let Some(c) = inner.conversations.get_mut(&id) else {
            continue;
        };
        if agent {
            c.agent = Some(tx.clone());
        } else {
            c.visitor = tx.clone();
        }
        let skip = (agent && s.fault == Fault::RestartLosesDelivery)
            .then_some(c.cut)
            .flatten();
        let replay: Vec<&Value> = c
            .stored
            .iter()
            .filter(|m| m["seq"].as_i64().is_some_and(|q| q > from) && m["seq"].as_i64() != skip)
            .collect();
        let live_first = (agent && s.fault == Fault::Restart)
            .then(|| replay.last().copied())
            .flatten();
        for m in live_first.into_iter().chain(replay.iter().copied()) {
            let _ = tx.send(json!({"type": "message", "message": m}).to_string());
        }
        if agent && s.fault == Fault::RestartDuplicatesLive && c.cut.is_some() {
            c.duplicate_next = true;
        }
        reached.insert(id, json!(c.last_seq));
    }
    let _ = tx
        .send(json!({"type": "resumed", "id": frame["id"], "conversations": reached}).to_string());
}

/// A conversation's history, `limit` messages older than `before_seq`, oldest first.
pub async fn history(
    State(s): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Value> {
    let inner = s.lock();
    let Some(c) = inner.conversations.get(&id) else {
        return Json(json!({"conversation_id": id, "last_seq": 0, "messages": []}));
    };
    let before: i64 = q
        .get("before_seq")
        .and_then(|b| b.parse().ok())
        .unwrap_or(c.last_seq + 1);
    let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(50);
    let older: Vec<&Value> = c
        .stored
        .iter()
        .filter(|m| m["seq"].as_i64() < Some(before))
        .collect();
    let page = older[older.len().saturating_sub(limit)..].to_vec();
    Json(json!({"conversation_id": id, "last_seq": c.last_seq, "messages": page}))
}
