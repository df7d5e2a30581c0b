//! The protocol's promises kept to the letter (issue 14), each as a real WebSocket client would
//! find them: live order, resends after the close, error ids, floods, watching a conversation,
//! live widget settings, and agents who do not come back after a restart.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::api::World;
use common::ws::{conv_of, until_state, Closed, Ws};
use reqwest::StatusCode;
use serde_json::json;

/// Sends `count` messages without waiting, then reads until `expected` messages of the
/// conversation arrived live; returns their seqs in arrival order.
async fn burst_and_collect(
    ws: &mut Ws,
    conversation: &str,
    prefix: &str,
    count: usize,
    expected: usize,
) -> Vec<i64> {
    for n in 0..count {
        ws.send(json!({ "type": "send", "conversation_id": conversation,
            "client_msg_id": format!("{prefix}{n}"), "body": format!("{prefix} {n}") }))
            .await;
    }
    let mut seqs = Vec::new();
    while seqs.len() < expected {
        let f = ws.next().await;
        assert_ne!(f["type"], "error", "{f}");
        if f["type"] == "message" && f["message"]["conversation_id"] == conversation {
            seqs.push(f["message"]["seq"].as_i64().unwrap());
        }
    }
    seqs
}

/// Visitor and agent write at the same moment: each side receives the conversation's
/// messages live in `seq` order, without a gap.
#[tokio::test]
async fn live_messages_arrive_in_seq_order_on_every_connection() {
    let w = World::with_env(&[
        ("UNIQCHAT__REALTIME__FRAMES_PER_SECOND", "5000"),
        ("UNIQCHAT__REALTIME__FRAME_BURST", "5000"),
        ("UNIQCHAT__REALTIME__OUTBOUND_QUEUE", "4096"),
        ("UNIQCHAT__CONNECTIONS__VISITOR_MESSAGES_PER_SECOND", "5000"),
        ("UNIQCHAT__CONNECTIONS__VISITOR_MESSAGE_BURST", "5000"),
    ])
    .await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c = conv_of(&visitor.say(None, "hello", "Hello").await);
    until_state(&mut agent, &c, "chatting").await;
    visitor.clear().await;
    agent.clear().await;

    const EACH: usize = 200;
    let (seen_by_visitor, seen_by_agent) = tokio::join!(
        burst_and_collect(&mut visitor, &c, "v", EACH, 2 * EACH),
        burst_and_collect(&mut agent, &c, "a", EACH, 2 * EACH),
    );
    for (who, seqs) in [("visitor", &seen_by_visitor), ("agent", &seen_by_agent)] {
        let out_of_order = seqs.windows(2).filter(|p| p[1] != p[0] + 1).count();
        assert_eq!(out_of_order, 0, "{who} got seqs out of order: {seqs:?}");
    }
}

/// A visitor's first message (no conversation named) resent after its conversation closed is
/// the same message: acked as a duplicate of the first, and no conversation is started.
#[tokio::test]
async fn a_resent_first_message_after_the_close_is_a_duplicate() {
    let w = World::new().await;
    let (mut visitor, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    let first = visitor.say(None, "first", "Hello").await;
    let c = conv_of(&first);
    let closed = visitor
        .request(json!({ "type": "close", "id": "x", "conversation_id": c }))
        .await;
    assert_eq!(closed["type"], "closed", "{closed}");

    let again = visitor.say(None, "first", "Hello").await;
    assert_eq!(again["type"], "ack", "{again}");
    assert_eq!(again["duplicate"], true, "{again}");
    assert_eq!(again["conversation_id"], c.as_str());
    assert_eq!(again["seq"], first["seq"]);
    assert_eq!(again["message_id"], first["message_id"]);
    let token = session["visitor_token"].as_str().unwrap();
    let back = w
        .api
        .call(
            reqwest::Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key, "visitor_token": token })),
        )
        .await;
    assert!(
        back.body["conversation"].is_null(),
        "no conversation was started: {}",
        back.body
    );

    // A new conversation later: resending the first message still names the first one.
    let second = visitor.say(None, "second", "Me again").await;
    let c2 = conv_of(&second);
    assert_ne!(c2, c);
    let resent = visitor.say(None, "first", "Hello").await;
    assert_eq!(
        (
            resent["duplicate"].as_bool(),
            resent["conversation_id"].as_str()
        ),
        (Some(true), Some(c.as_str())),
        "{resent}"
    );
    let named = visitor.say(Some(&c2), "first", "Hello").await;
    assert_eq!(named["duplicate"], true, "{named}");
    assert_eq!(named["message_id"], first["message_id"]);
}

/// Every error that answers a frame with an id carries that id.
#[tokio::test]
async fn error_frames_name_the_request_they_refuse() {
    let w = World::with_env(&[
        ("UNIQCHAT__REALTIME__FRAMES_PER_SECOND", "1"),
        ("UNIQCHAT__REALTIME__FRAME_BURST", "6"),
    ])
    .await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let cases = [
        (
            json!({ "type": "send", "id": "missing", "body": "no client id" }),
            "invalid_frame",
        ),
        (
            json!({ "type": "send", "id": "typed", "client_msg_id": "c", "body": 5 }),
            "invalid_frame",
        ),
        (
            json!({ "type": "send", "id": "extra", "client_msg_id": "c", "body": "x", "colour": "red" }),
            "invalid_frame",
        ),
        (json!({ "type": "dance", "id": "unknown" }), "unknown_type"),
        (json!({ "id": "untyped" }), "invalid_frame"),
    ];
    for (frame, code) in cases {
        let id = frame["id"].clone();
        let reply = visitor.request(frame).await;
        assert_eq!(
            (reply["type"].as_str(), reply["code"].as_str()),
            (Some("error"), Some(code)),
            "{reply}"
        );
        assert_eq!(reply["id"], id);
    }
    // The burst is spent: the next frames are refused, each by its own id.
    for n in 0..3 {
        let id = format!("fast-{n}");
        let reply = visitor
            .request(json!({ "type": "ping", "id": id.clone() }))
            .await;
        if reply["type"] == "error" {
            assert_eq!(reply["code"], "rate_limited", "{reply}");
            assert_eq!(reply["id"], id.as_str());
            return;
        }
    }
    panic!("no frame was rate limited");
}

/// A client that writes 2,000 frames at once is refused frame by frame with `rate_limited`
/// (each with its id) and stays connected; it is not cut off as too slow.
#[tokio::test]
async fn a_flood_is_refused_with_rate_limited_not_cut_off() {
    let w = World::new().await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c = conv_of(&visitor.say(None, "start", "Hello").await);
    visitor.clear().await;
    const FLOOD: usize = 2000;
    for n in 0..FLOOD {
        visitor
            .send(
                json!({ "type": "send", "id": format!("f{n}"), "conversation_id": c,
                "client_msg_id": format!("f{n}"), "body": "flood" }),
            )
            .await;
    }
    let mut answered = BTreeSet::new();
    let mut limited = 0;
    while answered.len() < FLOOD {
        let Some(f) = visitor.try_next(Duration::from_secs(15)).await else {
            panic!(
                "the connection ended after {} answers: {:?}",
                answered.len(),
                visitor.closed().await
            );
        };
        match f["type"].as_str() {
            Some("ack") => {}
            Some("error") => {
                assert_eq!(f["code"], "rate_limited", "{f}");
                limited += 1;
            }
            _ => continue,
        }
        let id = f["id"]
            .as_str()
            .expect("an answer names its request")
            .to_string();
        assert!(answered.insert(id.clone()), "{id} answered twice");
    }
    assert!(limited > FLOOD / 2, "only {limited} refused");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let pong = visitor
        .request(json!({ "type": "ping", "id": "after" }))
        .await;
    assert_eq!(pong["type"], "pong", "still connected and served: {pong}");
}

/// An agent who transferred a conversation and keeps it open watches it: the new agent's
/// note, reply and the close all reach the first agent's view.
#[tokio::test]
async fn a_watching_agent_follows_a_conversation_they_handed_on() {
    let w = World::new().await;
    let mut first = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c = conv_of(&visitor.say(None, "hi", "Hello").await);
    until_state(&mut first, &c, "chatting").await;
    let mut second = Ws::agent(&w.api, &w.admin).await;
    let away = second
        .request(json!({ "type": "status", "id": "s", "status": "away" }))
        .await;
    assert_eq!(away["status"], "away");

    let watching = first
        .request(json!({ "type": "watch", "id": "w", "conversation_id": c }))
        .await;
    assert_eq!(
        (
            watching["type"].as_str(),
            watching["conversation_id"].as_str()
        ),
        (Some("watching"), Some(c.as_str())),
        "{watching}"
    );
    let moved = first
        .request(json!({ "type": "transfer", "id": "t", "conversation_id": c, "to_agent_id": w.admin_id }))
        .await;
    assert_eq!(moved["type"], "transferred", "{moved}");
    first.clear().await;

    let note = second
        .request(json!({ "type": "note", "id": "n", "conversation_id": c, "client_msg_id": "n1", "body": "seen it" }))
        .await;
    assert_eq!(note["type"], "ack", "{note}");
    assert_eq!(
        second.say(Some(&c), "r1", "I'm taking over").await["type"],
        "ack"
    );
    let closed = second
        .request(json!({ "type": "close", "id": "c", "conversation_id": c }))
        .await;
    assert_eq!(closed["type"], "closed");

    let mut bodies = Vec::new();
    let mut seqs = Vec::new();
    let mut closed_seen = false;
    while let Some(f) = first.try_next(Duration::from_secs(2)).await {
        if f["type"] == "message" && f["message"]["conversation_id"] == c.as_str() {
            bodies.push(f["message"]["body"].as_str().unwrap().to_string());
            seqs.push(f["message"]["seq"].as_i64().unwrap());
        }
        if f["type"] == "conversation" && f["conversation"]["state"] == "closed" {
            closed_seen = true;
        }
    }
    assert!(bodies.contains(&"seen it".to_string()), "{bodies:?}");
    assert!(
        bodies.contains(&"I'm taking over".to_string()),
        "{bodies:?}"
    );
    assert!(closed_seen, "the close reached the watching agent");
    assert!(seqs.windows(2).all(|p| p[0] < p[1]), "{seqs:?}");

    // Visitors do not watch; unknown and other tenants' conversations are not found.
    let refused = visitor
        .request(json!({ "type": "watch", "id": "v", "conversation_id": c }))
        .await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    let unknown = first
        .request(json!({ "type": "watch", "id": "u", "conversation_id": "nope" }))
        .await;
    assert_eq!(unknown["code"], "not_found", "{unknown}");
    let stop = first
        .request(json!({ "type": "watch", "id": "stop", "conversation_id": null }))
        .await;
    assert_eq!(stop["type"], "watching");
    assert!(stop["conversation_id"].is_null());
}

/// A change of the widget's title or colour reaches open widgets at once, without a reload;
/// another tenant's widgets hear nothing of it.
#[tokio::test]
async fn widget_settings_reach_open_widgets() {
    let w = World::new().await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let (mut other, _) = Ws::visitor(&w.api, &w.b.site_key).await;
    let r = w
        .api
        .patch(
            "/api/admin/settings",
            &w.owner,
            json!({ "widget_title": "Talk to Acme", "widget_color": "#112233" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let f = visitor.next_of("settings").await;
    assert_eq!(f["settings"]["widget_title"], "Talk to Acme");
    assert_eq!(f["settings"]["widget_color"], "#112233");
    assert_eq!(f["settings"]["name"], "Acme");
    while let Some(f) = other.try_next(Duration::from_millis(500)).await {
        assert_ne!(
            f["type"], "settings",
            "another tenant's widget heard it: {f}"
        );
    }
}

/// After a restart, an agent who held conversations and does not come back goes through the
/// offline grace like any disconnect: offline, their conversations back in the queue.
#[tokio::test]
async fn conversations_of_an_agent_gone_at_a_restart_go_back_to_the_queue() {
    let grace = [("UNIQCHAT__REALTIME__OFFLINE_GRACE_SECS", "1")];
    let mut w = World::with_env(&grace).await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (_visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let mut conversations = Vec::new();
    for n in 0..2 {
        let (mut v, _) = Ws::visitor(&w.api, &w.a.site_key).await;
        let c = conv_of(&v.say(None, &format!("m{n}"), "Hello").await);
        until_state(&mut agent, &c, "chatting").await;
        conversations.push(c);
    }
    assert_eq!(w.server.terminate().code(), Some(0));
    assert_eq!(agent.closed().await, Closed::Code(1001));

    let url = w.server.database_url.clone();
    let dir = std::mem::replace(&mut w.server.workdir, tempfile::tempdir().unwrap());
    let mut env: Vec<(&str, &str)> = common::api::API_ENV.to_vec();
    env.push(("UNIQCHAT__DATABASE__URL", &url));
    env.extend_from_slice(&grace);
    let restarted = common::server::TestServer::start_in(dir, &env).await;
    let api = common::api::Api::new(&restarted);
    let owner = api.token(&w.a.owner_email, common::api::PASSWORD).await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let states = loop {
        let r = api.get("/api/agent/conversations?view=all", &owner).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let states: BTreeMap<String, String> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let c = if i["conversation"].is_object() {
                    &i["conversation"]
                } else {
                    i
                };
                (
                    c["id"].as_str().unwrap().to_string(),
                    c["state"].as_str().unwrap().to_string(),
                )
            })
            .filter(|(id, _)| conversations.contains(id))
            .collect();
        let settled = states.len() == 2 && states.values().all(|s| s == "waiting");
        if settled || tokio::time::Instant::now() > deadline {
            break states;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        states.len() == 2 && states.values().all(|s| s == "waiting"),
        "back in the queue: {states:?}"
    );
    let team = api.get("/api/agent/team", &owner).await;
    let me = team.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == w.agent_id.as_str())
        .cloned();
    assert_eq!(
        me.map(|m| m["status"].clone()),
        Some(json!("offline")),
        "{}",
        team.body
    );
}
