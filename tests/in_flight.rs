//! Several `send`s in flight on one connection (docs/protocol.md "Several `send`s in flight"):
//! a burst is queued to the writer as it arrives, and still answered in request order, with
//! gap-free seqs, resends and refusals in their place.

mod common;

use common::api::World;
use common::ws::{conv_of, until_state, Ws};
use serde_json::{json, Value};

/// Limits high enough that a burst of 60 frames is not rate limited.
const ROOMY: [(&str, &str); 2] = [
    ("UNIQCHAT__REALTIME__FRAME_BURST", "1000"),
    ("UNIQCHAT__CONNECTIONS__VISITOR_MESSAGE_BURST", "1000"),
];

fn send(conversation: &str, client_id: &str, body: &str) -> Value {
    json!({ "type": "send", "id": format!("req-{client_id}"), "conversation_id": conversation,
            "client_msg_id": client_id, "body": body })
}

/// Reads frames until `n` answers (frames with an `id` that are not deliveries) are in.
async fn answers(ws: &mut Ws, n: usize) -> Vec<Value> {
    let mut got = Vec::new();
    while got.len() < n {
        let f = ws.next().await;
        if f["id"].is_string() && f["type"] != "message" {
            got.push(f);
        }
    }
    got
}

/// The writer's batches so far: (how many, how many messages in them), from /metrics.
async fn batches(w: &World) -> (f64, f64) {
    let text = w
        .api
        .client
        .get(format!("{}/metrics", w.api.base))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body");
    let value = |name: &str| -> f64 {
        text.lines()
            .filter(|l| l.starts_with(name))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    };
    (
        value("uniqchat_writer_batch_size_count"),
        value("uniqchat_writer_batch_size_sum"),
    )
}

/// Every message of the conversation, by a `resume` from 0.
async fn history(ws: &mut Ws, conversation: &str) -> Vec<Value> {
    ws.clear().await;
    ws.send(json!({ "type": "resume", "id": "r", "conversations": { conversation: 0 } }))
        .await;
    let mut messages = Vec::new();
    loop {
        let f = ws.next().await;
        match f["type"].as_str() {
            Some("message") => messages.push(f["message"].clone()),
            Some("resumed") => return messages,
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_burst_is_answered_in_request_order_with_gap_free_seqs() {
    let w = World::with_env(&ROOMY).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let first = visitor.say(None, "m0", "hello").await;
    let conversation = conv_of(&first);
    let base = first["seq"].as_i64().unwrap();
    let (batches_before, messages_before) = batches(&w).await;

    // 50 frames without waiting: more than a connection keeps in flight (32), a resend of an
    // earlier message, a refused one, and a ping that must come after every ack.
    let mut expected = Vec::new();
    for i in 0..48 {
        let frame = match i {
            20 => send(&conversation, "b5", "burst 5"),
            30 => send(&conversation, "b30", "   "),
            _ => send(&conversation, &format!("b{i}"), &format!("burst {i}")),
        };
        expected.push(frame["id"].as_str().unwrap().to_string());
        visitor.send(frame).await;
    }
    visitor.send(json!({ "type": "ping", "id": "p" })).await;
    expected.push("p".into());

    let got = answers(&mut visitor, expected.len()).await;
    let ids: Vec<&str> = got.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected, "answers in request order");
    assert_eq!(got[20]["duplicate"], true, "{}", got[20]);
    assert_eq!(
        got[20]["seq"], got[5]["seq"],
        "the resend names the first copy"
    );
    assert_eq!(got[30]["type"], "error", "{}", got[30]);
    assert_eq!(got[48]["type"], "pong");
    let seqs: Vec<i64> = got
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 20 && *i != 30 && *i != 48)
        .map(|(_, f)| {
            assert_eq!(f["type"], "ack", "{f}");
            assert_eq!(f["conversation_id"], conversation.as_str());
            f["seq"].as_i64().unwrap()
        })
        .collect();
    let want: Vec<i64> = (base + 1..=base + 46).collect();
    assert_eq!(seqs, want, "one seq each, no gap, in the order sent");
    let (batches_after, messages_after) = batches(&w).await;
    assert!(
        messages_after - messages_before >= 46.0,
        "{messages_before} -> {messages_after}"
    );
    assert!(
        batches_after - batches_before < messages_after - messages_before,
        "the burst shared batches: {batches_before} -> {batches_after} batches for \
         {messages_before} -> {messages_after} messages"
    );

    let stored = history(&mut visitor, &conversation).await;
    let bodies: Vec<&str> = stored
        .iter()
        .filter(|m| m["sender_kind"] == "visitor")
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    let mut want_bodies = vec!["hello".to_string()];
    want_bodies.extend(
        (0..48)
            .filter(|i| *i != 20 && *i != 30)
            .map(|i| format!("burst {i}")),
    );
    assert_eq!(bodies, want_bodies, "stored once each, in order");
}

#[tokio::test]
async fn a_burst_to_a_closed_conversation_starts_one_new_conversation() {
    let w = World::with_env(&ROOMY).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let old = conv_of(&visitor.say(None, "m0", "hello").await);
    let closed = visitor
        .request(json!({ "type": "close", "id": "c", "conversation_id": old }))
        .await;
    assert_eq!(closed["type"], "closed", "{closed}");

    for i in 0..6 {
        visitor
            .send(send(&old, &format!("n{i}"), &format!("again {i}")))
            .await;
    }
    let got = answers(&mut visitor, 6).await;
    let new = got[0]["conversation_id"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    let seqs: Vec<i64> = got
        .iter()
        .map(|f| {
            assert_eq!(f["type"], "ack", "{f}");
            assert_eq!(f["conversation_id"], new.as_str(), "one new conversation");
            f["seq"].as_i64().unwrap()
        })
        .collect();
    assert!(seqs.windows(2).all(|p| p[1] == p[0] + 1), "{seqs:?}");
}

#[tokio::test]
async fn an_agents_burst_with_a_shortcut_keeps_its_order() {
    let w = World::with_env(&ROOMY).await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let conversation = conv_of(&visitor.say(None, "m0", "hello").await);
    until_state(&mut agent, &conversation, "chatting").await;

    // The shortcut names no quick reply: it is sent as typed, through the full path, between
    // messages that were queued.
    let bodies = ["one", "two", "/nosuchreply", "four", "five"];
    for (i, body) in bodies.iter().enumerate() {
        agent
            .send(send(&conversation, &format!("a{i}"), body))
            .await;
    }
    let got = answers(&mut agent, bodies.len()).await;
    let seqs: Vec<i64> = got
        .iter()
        .enumerate()
        .map(|(i, f)| {
            assert_eq!(f["id"], format!("req-a{i}"), "{f}");
            assert_eq!(f["type"], "ack", "{f}");
            f["seq"].as_i64().unwrap()
        })
        .collect();
    assert!(seqs.windows(2).all(|p| p[1] == p[0] + 1), "{seqs:?}");

    let stored = history(&mut visitor, &conversation).await;
    let said: Vec<&str> = stored
        .iter()
        .filter(|m| m["sender_kind"] == "agent")
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(said, bodies, "delivered to the visitor in the order sent");
}
