//! The realtime gateway with real WebSocket clients: every delivery guarantee, and bad input.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::api::World;
use common::ws::{conv_of, until_state, Closed, Ws};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

/// An agent connection set to "away": it sees the queue but is not given conversations.
async fn picking_agent(w: &World, token: &str) -> Ws {
    let mut ws = Ws::agent(&w.api, token).await;
    ws.send(json!({ "type": "status", "id": "away", "status": "away" }))
        .await;
    assert_eq!(ws.next_of("status").await["status"], "away");
    ws
}

/// A visitor writes and is routed to the online agent; both sides see everything in order.
#[tokio::test]
async fn visitor_and_agent_talk() {
    let w = World::new().await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    assert_eq!(agent.hello["role"], "agent");
    let (mut visitor, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    assert_eq!(
        session["agents_online"], true,
        "the agent's socket counts as online"
    );
    assert_eq!(session["settings"]["name"], "Acme");
    assert!(session["conversation"].is_null());

    let ack = visitor.say(None, "m1", "Hello, anyone there?").await;
    // seq 1 is the tenant's welcome message, written when the conversation started.
    assert_eq!(
        (
            ack["type"].as_str(),
            ack["seq"].as_i64(),
            ack["duplicate"].as_bool()
        ),
        (Some("ack"), Some(2), Some(false))
    );
    let conversation = conv_of(&ack);

    // The agent hears of the new conversation, its messages, and that it is now theirs.
    let assigned = until_state(&mut agent, &conversation, "chatting").await;
    assert_eq!(assigned["agent_id"], w.agent_id.as_str());

    // Everything before the ack was delivered to the visitor too; a replay shows it in order.
    visitor.clear().await;
    visitor
        .send(json!({ "type": "resume", "id": "r", "conversations": { conversation.clone(): 0 } }))
        .await;
    let mut history = Vec::new();
    loop {
        let f = visitor.next().await;
        if f["type"] == "message" {
            history.push((
                f["message"]["seq"].as_i64().unwrap(),
                f["message"]["sender_kind"].as_str().unwrap().to_string(),
            ));
        }
        if f["type"] == "resumed" {
            break;
        }
    }
    assert_eq!(
        history,
        vec![
            (1, "bot".to_string()),
            (2, "visitor".to_string()),
            (3, "system".to_string())
        ],
        "welcome, the visitor's message, the agent joining"
    );

    let reply = agent
        .say(Some(&conversation), "r1", "Hi! How can I help?")
        .await;
    assert_eq!(reply["seq"], 4);
    let got = visitor.next_of("message").await;
    assert_eq!(
        (
            got["message"]["body"].as_str(),
            got["message"]["sender_kind"].as_str(),
            got["message"]["seq"].as_i64()
        ),
        (Some("Hi! How can I help?"), Some("agent"), Some(4))
    );
    // Signed with the agent's name as the team lists it, so the widget can say who answered.
    let team = w.api.get("/api/agent/team", &w.agent).await;
    let me = team.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == w.agent_id.as_str())
        .expect("the agent is listed")
        .clone();
    assert!(me["name"].as_str().is_some_and(|n| !n.is_empty()));
    assert_eq!(got["message"]["sender_name"], me["name"]);

    // Typing is relayed, not stored; read receipts reach the other side.
    visitor
        .send(json!({ "type": "typing", "conversation_id": conversation, "on": true }))
        .await;
    let typing = agent.next_of("typing").await;
    assert_eq!(
        (typing["from"].as_str(), typing["on"].as_bool()),
        (Some("visitor"), Some(true))
    );
    visitor
        .send(json!({ "type": "read", "conversation_id": conversation, "seq": 4 }))
        .await;
    let read = agent.next_of("read").await;
    assert_eq!(
        (read["by"].as_str(), read["seq"].as_i64()),
        (Some("visitor"), Some(4))
    );

    // A second tab of the visitor sees the conversation and its history.
    let token = session["visitor_token"].as_str().unwrap();
    let mut tab = Ws::connect(&w.api.base, "/ws/visitor", token)
        .await
        .unwrap();
    assert_eq!(tab.hello["conversations"][0]["id"], conversation.as_str());
    assert_eq!(tab.hello["conversations"][0]["last_seq"], 4);
    agent
        .say(Some(&conversation), "r2", "Both tabs get this")
        .await;
    assert_eq!(
        tab.next_of("message").await["message"]["body"],
        "Both tabs get this"
    );
    loop {
        if visitor.next_of("message").await["message"]["body"] == "Both tabs get this" {
            break;
        }
    }
}

/// A resend after a dropped connection stores nothing twice.
#[tokio::test]
async fn a_resend_is_acknowledged_once_and_stored_once() {
    let w = World::new().await;
    let (mut visitor, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    let first = visitor.say(None, "same-id", "only once").await;
    visitor.close().await;

    let token = session["visitor_token"].as_str().unwrap();
    let mut again = Ws::connect(&w.api.base, "/ws/visitor", token)
        .await
        .unwrap();
    let resent = again.say(None, "same-id", "only once").await;
    assert_eq!(resent["duplicate"], true);
    assert_eq!(
        (resent["seq"].clone(), resent["message_id"].clone()),
        (first["seq"].clone(), first["message_id"].clone())
    );
    let next = again.say(None, "other-id", "second").await;
    assert_eq!(
        next["seq"], 3,
        "no gap after a duplicate (1 is the welcome message)"
    );

    let conversation = conv_of(&first);
    again.clear().await;
    again
        .send(json!({ "type": "resume", "id": "r", "conversations": { conversation.clone(): 0 } }))
        .await;
    let mut seqs = Vec::new();
    loop {
        let f = again.next().await;
        match f["type"].as_str() {
            Some("message") => seqs.push(f["message"]["seq"].as_i64().unwrap()),
            Some("resumed") => {
                assert_eq!(f["conversations"][&conversation], 3);
                break;
            }
            _ => {}
        }
    }
    assert_eq!(seqs, vec![1, 2, 3]);
}

/// What was sent while a client was away arrives on resume, then live traffic follows.
#[tokio::test]
async fn resume_replays_what_was_missed() {
    let w = World::new().await;
    let (mut visitor, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    let conversation = conv_of(&visitor.say(None, "v1", "hi").await);
    // An agent coming online takes what waits in the queue.
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    until_state(&mut agent, &conversation, "chatting").await;
    visitor.close().await;

    for n in 0..5 {
        agent
            .say(
                Some(&conversation),
                &format!("r{n}"),
                &format!("answer {n}"),
            )
            .await;
    }
    let token = session["visitor_token"].as_str().unwrap();
    let mut back = Ws::connect(&w.api.base, "/ws/visitor", token)
        .await
        .unwrap();
    back.send(json!({ "type": "resume", "id": "r", "conversations": { conversation.clone(): 2 } }))
        .await;
    let mut got = Vec::new();
    loop {
        let f = back.next().await;
        if f["type"] == "message" {
            got.push((
                f["message"]["seq"].as_i64().unwrap(),
                f["message"]["body"].as_str().unwrap().to_string(),
            ));
        }
        if f["type"] == "resumed" {
            break;
        }
    }
    let seqs: Vec<i64> = got.iter().map(|g| g.0).collect();
    assert_eq!(
        seqs,
        (3..=8).collect::<Vec<i64>>(),
        "the join notice and five answers, in order"
    );
    assert_eq!(got.last().unwrap().1, "answer 4");
    agent.say(Some(&conversation), "live", "live again").await;
    assert_eq!(
        back.next_of("message").await["message"]["body"],
        "live again"
    );
}

/// Acknowledged messages survive a restart of the server on the same database.
#[tokio::test]
async fn a_restart_loses_no_acknowledged_message() {
    let mut w = World::new().await;
    let (mut visitor, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    let mut acked = Vec::new();
    for n in 0..10 {
        acked.push(
            visitor
                .say(None, &format!("m{n}"), &format!("message {n}"))
                .await["seq"]
                .as_i64()
                .unwrap(),
        );
    }
    let conversation = conv_of(&visitor.say(None, "last", "last one").await);
    assert_eq!(w.server.terminate().code(), Some(0));
    assert_eq!(
        visitor.closed().await,
        Closed::Code(1001),
        "shutdown says goodbye with 1001"
    );

    let url = w.server.database_url.clone();
    let dir = std::mem::replace(&mut w.server.workdir, tempfile::tempdir().unwrap());
    let mut env: Vec<(&str, &str)> = common::api::API_ENV.to_vec();
    env.push(("UNIQCHAT__DATABASE__URL", &url));
    let restarted = common::server::TestServer::start_in(dir, &env).await;
    let api = common::api::Api::new(&restarted);
    let token = session["visitor_token"].as_str().unwrap();
    let mut back = Ws::connect(&api.base, "/ws/visitor", token).await.unwrap();
    back.send(json!({ "type": "resume", "id": "r", "conversations": { conversation.clone(): 0 } }))
        .await;
    let mut seqs = Vec::new();
    loop {
        let f = back.next().await;
        if f["type"] == "message" {
            seqs.push(f["message"]["seq"].as_i64().unwrap());
        }
        if f["type"] == "resumed" {
            break;
        }
    }
    assert_eq!(
        seqs,
        (1..=12).collect::<Vec<i64>>(),
        "the welcome message and eleven acked ones"
    );
}

/// Several writers in one conversation at once: every ack has its own seq, the history is 1..N.
#[tokio::test]
async fn concurrent_senders_get_a_gap_free_order() {
    let w = World::with_env(&[
        ("UNIQCHAT__REALTIME__FRAMES_PER_SECOND", "1000"),
        ("UNIQCHAT__REALTIME__FRAME_BURST", "1000"),
        // One visitor in three tabs: their message rate counts across all of them.
        ("UNIQCHAT__CONNECTIONS__VISITOR_MESSAGES_PER_SECOND", "1000"),
        ("UNIQCHAT__CONNECTIONS__VISITOR_MESSAGE_BURST", "1000"),
    ])
    .await;
    let (mut visitor, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    let conversation = conv_of(&visitor.say(None, "start", "start").await);
    // An agent coming online takes what waits in the queue.
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    until_state(&mut agent, &conversation, "chatting").await;

    let token = session["visitor_token"].as_str().unwrap().to_string();
    let mut writers = Vec::new();
    for tab in 0..3 {
        let (base, token, conversation) = (w.api.base.clone(), token.clone(), conversation.clone());
        writers.push(tokio::spawn(async move {
            let mut ws = Ws::connect(&base, "/ws/visitor", &token).await.unwrap();
            let mut seqs = Vec::new();
            for n in 0..20 {
                seqs.push(
                    ws.say(Some(&conversation), &format!("t{tab}-{n}"), "x")
                        .await["seq"]
                        .as_i64()
                        .unwrap(),
                );
            }
            seqs
        }));
    }
    let agent_token = w.agent.clone();
    let (base, conv2) = (w.api.base.clone(), conversation.clone());
    writers.push(tokio::spawn(async move {
        let mut ws = Ws::connect(&base, "/ws/agent", &agent_token).await.unwrap();
        let mut seqs = Vec::new();
        for n in 0..20 {
            seqs.push(
                ws.say(Some(&conv2), &format!("a-{n}"), "y").await["seq"]
                    .as_i64()
                    .unwrap(),
            );
        }
        seqs
    }));
    let mut all = BTreeSet::new();
    for writer in writers {
        let seqs = writer.await.unwrap();
        assert!(
            seqs.windows(2).all(|p| p[0] < p[1]),
            "one connection's messages keep their order: {seqs:?}"
        );
        all.extend(seqs);
    }
    assert_eq!(all.len(), 80, "every ack has its own seq");
    // 1 = welcome, 2 = "start", 3 = join notice, then the 80 concurrent messages.
    assert_eq!(
        all.iter().copied().collect::<Vec<i64>>(),
        (4..=83).collect::<Vec<i64>>()
    );
}

/// Two agents accept the same conversation at once: exactly one gets it.
#[tokio::test]
async fn two_agents_accepting_at_once() {
    let w = World::new().await;
    let mut one = picking_agent(&w, &w.agent).await;
    let mut two = picking_agent(&w, &w.admin).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let conversation = conv_of(&visitor.say(None, "m", "help").await);
    let frame = json!({ "type": "accept", "id": "race", "conversation_id": conversation });
    tokio::join!(one.send(frame.clone()), two.send(frame));
    let answer = |f: Value| f["type"].as_str().unwrap().to_string();
    let mut outcomes = Vec::new();
    for ws in [&mut one, &mut two] {
        loop {
            let f = ws.next().await;
            if f["id"] == "race" {
                outcomes.push((
                    answer(f.clone()),
                    f["code"].as_str().unwrap_or("").to_string(),
                ));
                break;
            }
        }
    }
    outcomes.sort();
    assert_eq!(
        outcomes,
        vec![
            ("accepted".to_string(), String::new()),
            ("error".to_string(), "conflict".to_string())
        ]
    );
}

/// An agent at their limit of concurrent conversations gets no more.
#[tokio::test]
async fn an_agent_at_the_limit_gets_nothing_more() {
    let w = World::new().await;
    w.api
        .patch(
            &format!("/api/admin/users/{}", w.agent_id),
            &w.owner,
            json!({ "max_chats": 1 }),
        )
        .await;
    let mut agent = picking_agent(&w, &w.agent).await;
    let mut convs = Vec::new();
    for _ in 0..2 {
        let (mut v, _) = Ws::visitor(&w.api, &w.a.site_key).await;
        convs.push(conv_of(&v.say(None, "m", "help").await));
    }
    agent
        .send(json!({ "type": "accept", "id": "1", "conversation_id": convs[0] }))
        .await;
    assert_eq!(agent.next_of("accepted").await["id"], "1");
    agent
        .send(json!({ "type": "accept", "id": "2", "conversation_id": convs[1] }))
        .await;
    let refused = agent.next_of("error").await;
    assert_eq!(
        (refused["id"].as_str(), refused["code"].as_str()),
        (Some("2"), Some("conflict"))
    );
    assert!(refused["message"].as_str().unwrap().contains("limit"));
}

/// Bad frames get an error frame with a stable code and change nothing.
#[tokio::test]
async fn bad_frames_are_refused_and_change_nothing() {
    let w = World::with_env(&[("UNIQCHAT__REALTIME__MAX_FRAME_BYTES", "2048")]).await;
    let mut agent = picking_agent(&w, &w.agent).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let conversation = conv_of(&visitor.say(None, "m", "hi").await);

    visitor.send_raw(Message::Text("{not json".into())).await;
    assert_eq!(visitor.next_of("error").await["code"], "invalid_frame");
    visitor.send(json!({ "type": "dance" })).await;
    assert_eq!(visitor.next_of("error").await["code"], "unknown_type");
    visitor
        .send(json!({ "type": "send", "id": "x", "client_msg_id": 5, "body": "x" }))
        .await;
    assert_eq!(visitor.next_of("error").await["code"], "invalid_frame");
    assert_eq!(
        visitor.say(None, "empty", "   ").await["code"],
        "validation_failed"
    );
    assert_eq!(
        visitor.say(None, &"k".repeat(65), "long id").await["code"],
        "validation_failed"
    );
    visitor
        .send_raw(Message::Binary(vec![1, 2, 3].into()))
        .await;
    assert_eq!(visitor.next_of("error").await["code"], "invalid_frame");

    // Someone else's conversation, or another tenant's, does not exist for this visitor.
    let (mut other, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    assert_eq!(
        other.say(Some(&conversation), "x", "sneaky").await["code"],
        "not_found"
    );
    let (mut foreign, _) = Ws::visitor(&w.api, &w.b.site_key).await;
    assert_eq!(
        foreign.say(Some(&conversation), "x", "sneaky").await["code"],
        "not_found"
    );
    assert_eq!(
        agent
            .say(Some(&conversation), "x", "not accepted yet")
            .await["code"],
        "forbidden"
    );
    agent
        .send(json!({ "type": "read", "id": "r", "conversation_id": conversation, "seq": 99 }))
        .await;
    assert_eq!(agent.next_of("error").await["code"], "validation_failed");

    // Nothing of the above was stored.
    visitor
        .send(json!({ "type": "resume", "id": "r", "conversations": { conversation.clone(): 0 } }))
        .await;
    assert_eq!(
        visitor.next_of("resumed").await["conversations"][&conversation],
        2,
        "the welcome and the one message"
    );

    // A frame over the limit closes the connection with 1009.
    visitor
        .send_raw(Message::Text("x".repeat(4096).into()))
        .await;
    assert_eq!(visitor.closed().await, Closed::Code(1009));
}

#[tokio::test]
async fn floods_are_rate_limited() {
    let w = World::with_env(&[
        ("UNIQCHAT__REALTIME__FRAMES_PER_SECOND", "2"),
        ("UNIQCHAT__REALTIME__FRAME_BURST", "3"),
    ])
    .await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    for n in 0..6 {
        visitor
            .send(json!({ "type": "ping", "id": n.to_string() }))
            .await;
    }
    let mut pongs = 0;
    let mut limited = 0;
    for _ in 0..6 {
        let f = visitor.next().await;
        match f["type"].as_str() {
            Some("pong") => pongs += 1,
            Some("error") if f["code"] == "rate_limited" => limited += 1,
            _ => {}
        }
    }
    assert_eq!((pongs, limited), (3, 3));
}

#[tokio::test]
async fn handshakes_without_the_right_token_are_refused() {
    let w = World::new().await;
    let (_, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    let visitor_token = session["visitor_token"].as_str().unwrap();
    let base = &w.api.base;
    assert_eq!(
        Ws::connect(base, "/ws/agent", visitor_token).await.err(),
        Some(Closed::Refused(401)),
        "a visitor token is not an agent token"
    );
    assert_eq!(
        Ws::connect(base, "/ws/visitor", &w.agent).await.err(),
        Some(Closed::Refused(401)),
        "nor the other way round"
    );
    assert_eq!(
        Ws::connect(base, "/ws/visitor", "junk").await.err(),
        Some(Closed::Refused(401))
    );
    let no_token = reqwest::get(format!("{base}/ws/visitor")).await.unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    let plain = w.api.get("/ws/agent", &w.agent).await;
    assert_eq!(
        (plain.status, plain.code()),
        (StatusCode::BAD_REQUEST, "websocket_required")
    );

    let unknown_site = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": "sk_nope" })),
        )
        .await;
    assert_eq!(unknown_site.status, StatusCode::NOT_FOUND);
    let bad = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key, "email": "nope" })),
        )
        .await;
    assert_eq!(bad.field_errors(), vec!["email".to_string()]);
}

/// A blacklisted address is refused at the session endpoint and at the handshake.
#[tokio::test]
async fn blacklisted_addresses_are_refused() {
    let w = World::new().await;
    let (_, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    let token = session["visitor_token"].as_str().unwrap().to_string();
    let entry = w
        .api
        .post(
            "/api/admin/blacklist",
            &w.admin,
            json!({ "kind": "cidr", "value": "127.0.0.0/8", "reason": "test" }),
        )
        .await;
    assert_eq!(entry.status, StatusCode::CREATED);

    let refused = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key })),
        )
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    assert_eq!(
        Ws::connect(&w.api.base, "/ws/visitor", &token).await.err(),
        Some(Closed::Refused(403))
    );
    let other_tenant = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.b.site_key })),
        )
        .await;
    assert_eq!(other_tenant.status, StatusCode::OK, "a block is per tenant");

    w.api
        .delete(
            &format!(
                "/api/admin/blacklist/{}",
                entry.body["id"].as_str().unwrap()
            ),
            &w.admin,
        )
        .await;
    assert!(Ws::connect(&w.api.base, "/ws/visitor", &token)
        .await
        .is_ok());
}

/// A visitor comes back as the same visitor, and the site's allowed origins are enforced.
#[tokio::test]
async fn sessions_resume_and_origins_are_checked() {
    let w = World::new().await;
    let first = w.api.call(Method::POST, "/api/visitor/session", None, Some(json!({ "site_key": w.a.site_key, "name": "Vic", "page_url": "https://acme.test/" }))).await;
    let token = first.body["visitor_token"].as_str().unwrap();
    let again = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key, "visitor_token": token })),
        )
        .await;
    assert_eq!(again.body["visitor"]["id"], first.body["visitor"]["id"]);
    assert_eq!(again.body["visitor"]["name"], "Vic");
    let elsewhere = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.b.site_key, "visitor_token": token })),
        )
        .await;
    assert_ne!(
        elsewhere.body["visitor"]["id"], first.body["visitor"]["id"],
        "a token of another tenant starts afresh"
    );
    assert_eq!(first.body["agents_online"], false);

    w.api
        .patch(
            "/api/admin/settings",
            &w.admin,
            json!({ "allowed_origins": ["https://shop.acme.test"] }),
        )
        .await;
    let url = format!("{}/api/visitor/session", w.api.base);
    let body = json!({ "site_key": w.a.site_key });
    let allowed = w
        .api
        .client
        .post(&url)
        .header("origin", "https://shop.acme.test")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    let denied = w
        .api
        .client
        .post(&url)
        .header("origin", "https://evil.test")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let no_origin = w.api.client.post(&url).json(&body).send().await.unwrap();
    assert_eq!(no_origin.status(), StatusCode::FORBIDDEN);
}

/// Stopping the server while agents are connected does not wait out their offline grace: the
/// writer finishes as soon as the connections are gone.
#[tokio::test]
async fn a_stop_with_agents_connected_does_not_wait_for_their_grace() {
    let mut w = World::with_env(&[("UNIQCHAT__REALTIME__OFFLINE_GRACE_SECS", "600")]).await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    agent
        .send(json!({ "type": "ping", "id": "before-stop" }))
        .await;
    assert_eq!(agent.next_of("pong").await["id"], "before-stop");

    assert_eq!(w.server.terminate().code(), Some(0));
    assert_eq!(agent.closed().await, Closed::Code(1001));
    let log = format!("{}{}", w.server.stdout(), w.server.stderr());
    assert!(
        !log.contains("did not finish within the shutdown deadline"),
        "{log}"
    );
}

/// A client that stops answering pings is closed after the idle timeout; one that answers stays.
#[tokio::test]
async fn silent_connections_are_closed() {
    let w = World::with_env(&[
        ("UNIQCHAT__REALTIME__HEARTBEAT_SECS", "1"),
        ("UNIQCHAT__REALTIME__IDLE_TIMEOUT_SECS", "2"),
    ])
    .await;
    let (mut alive, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    let token = session["visitor_token"].as_str().unwrap();

    // A raw socket that completes the handshake and then never answers anything, beside a
    // normal client that keeps reading (and so answers the server's pings).
    let started = std::time::Instant::now();
    let path = format!("/ws/visitor?token={token}");
    let (frames, ()) = tokio::join!(common::ws::silent_client(&w.api.base, &path), async {
        for n in 0..8 {
            alive
                .send(json!({ "type": "ping", "id": n.to_string() }))
                .await;
            alive.next_of("pong").await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(2),
        "closed only after the idle timeout: {elapsed:?}"
    );
    assert!(
        frames.iter().any(|(op, _)| *op == 0x9),
        "the server pinged it"
    );
    let close = frames
        .iter()
        .find(|(op, _)| *op == 0x8)
        .expect("a close frame");
    assert_eq!(u16::from_be_bytes([close.1[0], close.1[1]]), 4009);

    alive.send(json!({ "type": "ping", "id": "still" })).await;
    assert_eq!(
        alive.next_of("pong").await["id"],
        "still",
        "the answering client stays connected"
    );
}

/// A consumer that does not read is cut off; the others get everything without waiting for it.
#[tokio::test]
async fn a_slow_consumer_is_cut_off_without_delaying_others() {
    let w = World::with_env(&[
        // The slow consumer is an agent: its queue is the agents' one.
        ("UNIQCHAT__REALTIME__AGENT_OUTBOUND_QUEUE", "4"),
        ("UNIQCHAT__REALTIME__FRAMES_PER_SECOND", "10000"),
        ("UNIQCHAT__REALTIME__FRAME_BURST", "10000"),
        (
            "UNIQCHAT__CONNECTIONS__VISITOR_MESSAGES_PER_SECOND",
            "10000",
        ),
        ("UNIQCHAT__CONNECTIONS__VISITOR_MESSAGE_BURST", "10000"),
        ("UNIQCHAT__REALTIME__MAX_MESSAGE_CHARS", "16000"),
        ("UNIQCHAT__REALTIME__MAX_FRAME_BYTES", "65536"),
    ])
    .await;
    // Both away, so the conversation stays in the queue and both hear all of it.
    let mut slow = picking_agent(&w, &w.agent).await; // never reads from here on
    let mut fast = picking_agent(&w, &w.admin).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let big = "z".repeat(16000);
    let total = 400;
    let reader = tokio::spawn(async move {
        let mut seen = 0;
        while seen < total {
            let f = fast.next().await;
            if f["type"] == "message" {
                seen += 1;
            }
        }
        seen
    });
    for n in 0..total {
        let ack = visitor.say(None, &format!("m{n}"), &big).await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }
    assert_eq!(
        reader.await.unwrap(),
        total,
        "the reading agent got every message"
    );
    assert_eq!(
        slow.closed().await,
        Closed::Code(4008),
        "the one that did not read was cut off"
    );
}
