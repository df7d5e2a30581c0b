//! The conversation lifecycle over real WebSocket clients: routing, the queue, presence,
//! closing, rating, inactivity.

mod common;

use std::time::Duration;

use common::api::{World, PASSWORD};
use common::ws::{conv_of, until_state, Ws};
use serde_json::{json, Value};

async fn set_status(ws: &mut Ws, status: &str) -> Value {
    ws.request(json!({ "type": "status", "id": "s", "status": status }))
        .await
}

/// A visitor's first message, returning the new conversation's id.
async fn new_conversation(w: &World) -> (Ws, Value, String) {
    let (mut visitor, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    let conversation = conv_of(&visitor.say(None, "first", "Hello").await);
    (visitor, session, conversation)
}

#[tokio::test]
async fn round_robin_spreads_new_conversations() {
    let w = World::new().await;
    let mut one = Ws::agent(&w.api, &w.agent).await;
    let two = Ws::agent(&w.api, &w.admin).await;
    let mut owners = Vec::new();
    for _ in 0..4 {
        let (_v, _, c) = new_conversation(&w).await;
        let assigned = until_state(&mut one, &c, "chatting").await;
        owners.push(assigned["agent_id"].as_str().unwrap().to_string());
    }
    let by_agent = owners.iter().filter(|a| **a == w.agent_id).count();
    assert_eq!(by_agent, 2, "two each: {owners:?}");
    assert!(
        owners.windows(2).all(|p| p[0] != p[1]),
        "turns alternate: {owners:?}"
    );
    drop(two); // kept connected (and so available) until here
}

#[tokio::test]
async fn least_busy_picks_the_agent_with_fewer_conversations() {
    let w = World::new().await;
    w.api
        .patch(
            "/api/admin/settings",
            &w.admin,
            json!({ "routing_strategy": "least_busy" }),
        )
        .await;
    let mut one = Ws::agent(&w.api, &w.agent).await;
    let (_v1, _, first) = new_conversation(&w).await;
    assert_eq!(
        until_state(&mut one, &first, "chatting").await["agent_id"],
        w.agent_id.as_str()
    );
    // A second agent comes online: the next conversation goes to them, who hold none.
    let mut two = Ws::agent(&w.api, &w.admin).await;
    let (_v2, _, second) = new_conversation(&w).await;
    assert_eq!(
        until_state(&mut two, &second, "chatting").await["agent_id"],
        w.admin_id.as_str()
    );
    let (_v3, _, third) = new_conversation(&w).await;
    let owner = until_state(&mut one, &third, "chatting").await["agent_id"].clone();
    assert!(owner == w.agent_id.as_str() || owner == w.admin_id.as_str());
}

#[tokio::test]
async fn a_returning_visitor_gets_their_previous_agent() {
    let w = World::new().await;
    let mut one = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _, first) = new_conversation(&w).await;
    until_state(&mut one, &first, "chatting").await;
    let two = Ws::agent(&w.api, &w.admin).await;
    one.send(json!({ "type": "close", "id": "c", "conversation_id": first }))
        .await;
    assert_eq!(
        one.next_of("closed").await["conversation"]["state"],
        "closed"
    );

    // Whatever the rotation says, the visitor's next conversation goes back to the same agent.
    for n in 0..2 {
        let ack = visitor.say(None, &format!("again-{n}"), "Me again").await;
        let next = conv_of(&ack);
        assert_ne!(next, first);
        assert_eq!(
            until_state(&mut one, &next, "chatting").await["agent_id"],
            w.agent_id.as_str()
        );
        one.send(json!({ "type": "close", "id": "c", "conversation_id": next }))
            .await;
        one.next_of("closed").await;
    }
    drop(two); // kept connected (and so available) until here
}

#[tokio::test]
async fn waiting_visitors_learn_their_place_in_the_queue() {
    let w = World::new().await;
    let (mut first, _, c1) = new_conversation(&w).await;
    let (mut second, _, c2) = new_conversation(&w).await;
    let place = |f: Value| f["position"].as_u64().unwrap();
    // The first visitor was told 1 when it arrived, and again when the second arrived.
    let q = second.next_of("queue").await;
    assert_eq!(
        (q["conversation_id"].as_str(), place(q.clone())),
        (Some(c2.as_str()), 2)
    );
    let mut last = first.next_of("queue").await;
    while let Some(f) = first.try_next(Duration::from_millis(300)).await {
        if f["type"] == "queue" {
            last = f;
        }
    }
    assert_eq!(
        (last["conversation_id"].as_str(), place(last.clone())),
        (Some(c1.as_str()), 1)
    );

    // An agent comes online with room for one: the first goes to them, the second moves up.
    w.api
        .patch(
            &format!("/api/admin/users/{}", w.agent_id),
            &w.owner,
            json!({ "max_chats": 1 }),
        )
        .await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    until_state(&mut agent, &c1, "chatting").await;
    assert_eq!(place(second.next_of("queue").await), 1);
}

#[tokio::test]
async fn an_agent_who_goes_away_for_good_hands_back_their_conversations() {
    let w = World::with_env(&[("UNIQCHAT__REALTIME__OFFLINE_GRACE_SECS", "1")]).await;
    let mut leaving = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _, c) = new_conversation(&w).await;
    until_state(&mut leaving, &c, "chatting").await;

    visitor.clear().await;
    let mut staying = Ws::agent(&w.api, &w.admin).await;
    set_status(&mut staying, "away").await;
    leaving.close().await;
    // After the grace period the conversation is back in the queue…
    assert!(until_state(&mut visitor, &c, "waiting").await["agent_id"].is_null());
    // …and goes to the next agent who is available.
    set_status(&mut staying, "online").await;
    assert_eq!(
        until_state(&mut visitor, &c, "chatting").await["agent_id"],
        w.admin_id.as_str()
    );

    // A reconnect within the grace period keeps the conversation.
    let flaky = staying;
    let token = w.api.token("admin@acme.test", PASSWORD).await;
    flaky.close().await;
    let mut back = Ws::agent(&w.api, &token).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let reply = back.say(Some(&c), "still-here", "Still here").await;
    assert_eq!(reply["type"], "ack", "{reply}");
}

#[tokio::test]
async fn statuses_decide_who_gets_work() {
    let w = World::new().await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    assert_eq!(
        set_status(&mut agent, "offline").await["code"],
        "validation_failed"
    );
    assert_eq!(set_status(&mut agent, "busy").await["status"], "busy");
    let (_v, _, c) = new_conversation(&w).await;
    until_state(&mut agent, &c, "waiting").await;
    assert!(
        agent
            .try_next(Duration::from_millis(500))
            .await
            .is_none_or(|f| f["conversation"]["state"] != "chatting"),
        "a busy agent gets nothing"
    );
    set_status(&mut agent, "online").await;
    until_state(&mut agent, &c, "chatting").await;
    let mut visitor_ws = Ws::visitor(&w.api, &w.a.site_key).await.0;
    visitor_ws
        .send(json!({ "type": "status", "id": "s", "status": "online" }))
        .await;
    assert_eq!(
        visitor_ws.next_of("error").await["code"],
        "forbidden",
        "visitors have no status"
    );
}

#[tokio::test]
async fn closing_rating_and_a_new_conversation_after() {
    let w = World::new().await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _, c) = new_conversation(&w).await;
    until_state(&mut agent, &c, "chatting").await;

    visitor
        .send(json!({ "type": "rate", "id": "early", "conversation_id": c, "rating": 5 }))
        .await;
    assert_eq!(
        visitor.next_of("error").await["code"],
        "conflict",
        "only closed conversations are rated"
    );
    let mut admin = Ws::agent(&w.api, &w.admin).await;
    set_status(&mut admin, "away").await;
    admin
        .send(json!({ "type": "close", "id": "x", "conversation_id": c }))
        .await;
    assert_eq!(
        admin.next_of("error").await["code"],
        "forbidden",
        "another agent's conversation is not theirs to close"
    );

    agent
        .send(json!({ "type": "close", "id": "c", "conversation_id": c }))
        .await;
    let closed = agent.next_of("closed").await;
    assert_eq!(
        (
            closed["conversation"]["state"].as_str(),
            closed["conversation"]["close_reason"].as_str()
        ),
        (Some("closed"), Some("agent"))
    );
    assert_eq!(
        until_state(&mut visitor, &c, "closed").await["close_reason"],
        "agent"
    );
    agent
        .send(json!({ "type": "close", "id": "again", "conversation_id": c }))
        .await;
    assert_eq!(
        agent.next_of("error").await["code"],
        "conflict",
        "closed is final"
    );
    assert_eq!(
        agent.say(Some(&c), "late", "too late").await["code"],
        "forbidden"
    );

    for (rating, code) in [(0, "validation_failed"), (6, "validation_failed")] {
        visitor
            .send(json!({ "type": "rate", "id": "r", "conversation_id": c, "rating": rating }))
            .await;
        assert_eq!(visitor.next_of("error").await["code"], code);
    }
    visitor.send(json!({ "type": "rate", "id": "r", "conversation_id": c, "rating": 4, "comment": "Quick, thanks" })).await;
    let rated = visitor.next_of("rated").await;
    assert_eq!(
        (
            rated["conversation"]["rating"].as_i64(),
            rated["conversation"]["rating_comment"].as_str()
        ),
        (Some(4), Some("Quick, thanks"))
    );
    // Once: a second rating is a conflict and changes nothing.
    let again = visitor
        .request(json!({ "type": "rate", "id": "twice", "conversation_id": c, "rating": 1 }))
        .await;
    assert_eq!(again["code"], "conflict", "{again}");
    let agent_sees = until_state(&mut agent, &c, "closed").await;
    assert!(agent_sees["rating"].is_i64() || agent_sees["rating"].is_null());

    // Writing to the closed conversation starts a new one, linked to it.
    let ack = visitor.say(Some(&c), "after", "One more thing").await;
    let next = conv_of(&ack);
    assert_ne!(next, c);
    let started = until_state(&mut agent, &next, "chatting").await;
    assert_eq!(started["previous_id"], c.as_str());
}

#[tokio::test]
async fn a_visitor_can_close_their_conversation() {
    let w = World::new().await;
    let (mut visitor, _, c) = new_conversation(&w).await;
    visitor
        .send(json!({ "type": "close", "id": "c", "conversation_id": c }))
        .await;
    let closed = visitor.next_of("closed").await;
    assert_eq!(closed["conversation"]["close_reason"], "visitor");
    // The first message's ack was lost, say: its resend after the close is acknowledged as
    // the message already stored, and starts no new conversation.
    let resent = visitor.say(Some(&c), "first", "Hello").await;
    assert_eq!(
        (resent["type"].as_str(), resent["duplicate"].as_bool()),
        (Some("ack"), Some(true)),
        "{resent}"
    );
    assert_eq!(conv_of(&resent), c);
    let (mut stranger, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    stranger
        .send(json!({ "type": "close", "id": "c", "conversation_id": c }))
        .await;
    assert_eq!(stranger.next_of("error").await["code"], "not_found");
}

#[tokio::test]
async fn silent_conversations_close_by_themselves() {
    let w = World::with_env(&[("UNIQCHAT__REALTIME__INACTIVITY_CLOSE_SECS", "2")]).await;
    let (mut visitor, _, c) = new_conversation(&w).await;
    let closed = until_state(&mut visitor, &c, "closed").await;
    assert_eq!(closed["close_reason"], "inactivity");
    visitor
        .send(json!({ "type": "resume", "id": "r", "conversations": { c.clone(): 2 } }))
        .await;
    let notice = visitor.next_of("message").await;
    assert_eq!(notice["message"]["sender_kind"], "system");
    assert!(notice["message"]["body"]
        .as_str()
        .unwrap()
        .contains("inactivity"));
}

#[tokio::test]
async fn transfer_to_an_agent_or_a_group_with_a_note() {
    let w = World::new().await;
    let mut first = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _, c) = new_conversation(&w).await;
    until_state(&mut first, &c, "chatting").await;
    let mut second = Ws::agent(&w.api, &w.admin).await;
    set_status(&mut second, "away").await;

    let to_agent = json!({ "type": "transfer", "id": "t", "conversation_id": c, "to_agent_id": w.admin_id, "note": "VIP, be nice" });
    let moved = first.request(to_agent).await;
    assert_eq!(moved["type"], "transferred", "{moved}");
    assert_eq!(moved["conversation"]["agent_id"], w.admin_id.as_str());
    // The note reaches agents, never the visitor; the transfer notice reaches both.
    let note = loop {
        let f = second.next_of("message").await;
        if f["message"]["kind"] == "note" {
            break f;
        }
    };
    assert_eq!(note["message"]["body"], "VIP, be nice");
    visitor.clear().await;
    visitor
        .request(json!({ "type": "resume", "id": "r", "conversations": { c.clone(): 0 } }))
        .await;
    let mut seen = Vec::new();
    while let Some(f) = visitor.try_next(Duration::from_millis(300)).await {
        if f["type"] == "message" {
            seen.push(f["message"]["kind"].as_str().unwrap().to_string());
        }
    }
    assert!(
        !seen.contains(&"note".to_string()) && seen.contains(&"event".to_string()),
        "{seen:?}"
    );
    assert_eq!(
        second
            .say(Some(&c), "now-mine", "Hello, I'm taking over")
            .await["type"],
        "ack"
    );
    assert_eq!(
        first.say(Some(&c), "not-mine", "me again").await["code"],
        "forbidden"
    );

    // To a group: back to the queue, for the group's members only.
    let group = w
        .api
        .post("/api/admin/groups", &w.owner, json!({ "name": "Billing" }))
        .await
        .body;
    let gid = group["id"].as_str().unwrap();
    let to_group =
        json!({ "type": "transfer", "id": "g", "conversation_id": c, "to_group_id": gid });
    let queued = second.request(to_group).await;
    assert_eq!(
        (
            queued["conversation"]["state"].as_str(),
            queued["conversation"]["group_id"].as_str()
        ),
        (Some("waiting"), Some(gid))
    );
    // The first agent is online but not in the group: it stays waiting until a member is free.
    while let Some(f) = first.try_next(Duration::from_millis(500)).await {
        assert_ne!(
            f["conversation"]["agent_id"],
            w.agent_id.as_str(),
            "given to an agent outside the group: {f}"
        );
    }
    w.api
        .put(
            &format!("/api/admin/groups/{gid}/members/{}", w.agent_id),
            &w.owner,
            None,
        )
        .await;
    first
        .request(json!({ "type": "status", "id": "s", "status": "online" }))
        .await;
    assert_eq!(
        until_state(&mut first, &c, "chatting").await["agent_id"],
        w.agent_id.as_str()
    );

    // Refusals.
    let bad = first
        .request(json!({ "type": "transfer", "id": "x", "conversation_id": c }))
        .await;
    assert_eq!(bad["code"], "validation_failed");
    let offline = first.request(json!({ "type": "transfer", "id": "y", "conversation_id": c, "to_agent_id": w.a.owner_id })).await;
    assert_eq!(offline["code"], "conflict", "the owner is not connected");
    let foreign = first
        .request(
            json!({ "type": "transfer", "id": "z", "conversation_id": c, "to_group_id": "nope" }),
        )
        .await;
    assert_eq!(foreign["code"], "not_found");
}

#[tokio::test]
async fn internal_notes_and_quick_reply_shortcuts() {
    let w = World::new().await;
    w.api
        .post(
            "/api/admin/quick-replies",
            &w.owner,
            json!({ "shortcut": "hours", "title": "Hours", "body": "We are open 9 to 5." }),
        )
        .await;
    w.api
        .post(
            "/api/agent/quick-replies",
            &w.agent,
            json!({ "shortcut": "hours", "title": "Mine", "body": "I work 10 to 6." }),
        )
        .await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _, c) = new_conversation(&w).await;
    until_state(&mut agent, &c, "chatting").await;
    visitor.clear().await;

    agent.say(Some(&c), "q1", "/hours").await;
    assert_eq!(
        visitor.next_of("message").await["message"]["body"],
        "I work 10 to 6.",
        "the personal reply wins"
    );
    agent.say(Some(&c), "q2", "/unknown").await;
    assert_eq!(
        visitor.next_of("message").await["message"]["body"],
        "/unknown",
        "no such shortcut: sent as typed"
    );

    let note = agent.request(json!({ "type": "note", "id": "n", "conversation_id": c, "client_msg_id": "n1", "body": "Asked twice already" })).await;
    assert_eq!(note["type"], "ack");
    let again = agent.request(json!({ "type": "note", "id": "n2", "conversation_id": c, "client_msg_id": "n1", "body": "Asked twice already" })).await;
    assert_eq!(
        (again["duplicate"].as_bool(), again["seq"].clone()),
        (Some(true), note["seq"].clone())
    );
    assert!(
        visitor.try_next(Duration::from_millis(500)).await.is_none(),
        "the visitor hears nothing of notes"
    );
    let history = w
        .api
        .get(&format!("/api/agent/conversations/{c}/messages"), &w.agent)
        .await
        .body;
    assert!(history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["kind"] == "note"));
}

#[tokio::test]
async fn blocking_closes_the_conversation_and_the_visitors_connections() {
    let w = World::new().await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, session, c) = new_conversation(&w).await;
    until_state(&mut agent, &c, "chatting").await;
    let blocked = agent
        .request(json!({ "type": "block", "id": "b", "conversation_id": c, "reason": "abuse" }))
        .await;
    assert_eq!(
        (
            blocked["type"].as_str(),
            blocked["conversation"]["close_reason"].as_str()
        ),
        (Some("blocked"), Some("blocked"))
    );
    assert_eq!(visitor.closed().await, common::ws::Closed::Code(4003));
    let token = session["visitor_token"].as_str().unwrap();
    assert_eq!(
        Ws::connect(&w.api.base, "/ws/visitor", token).await.err(),
        Some(common::ws::Closed::Refused(403))
    );
    let list = w
        .api
        .get("/api/admin/blacklist?kind=visitor", &w.admin)
        .await;
    assert_eq!(list.body["items"][0]["reason"], "abuse");
}

#[tokio::test]
async fn a_new_blacklist_entry_cuts_open_connections() {
    let w = World::new().await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let (mut other_tenant, _) = Ws::visitor(&w.api, &w.b.site_key).await;
    let entry = w
        .api
        .post(
            "/api/admin/blacklist",
            &w.admin,
            json!({ "kind": "ip", "value": "127.0.0.1" }),
        )
        .await;
    assert_eq!(entry.status, reqwest::StatusCode::CREATED);
    assert_eq!(visitor.closed().await, common::ws::Closed::Code(4003));
    other_tenant
        .request(json!({ "type": "ping", "id": "p" }))
        .await;
}

/// With nobody online, or outside business hours, the widget is told to show its offline form;
/// the visitor can still write (leaving an e-mail), the conversation waits, the first agent to
/// come online gets it, and the reply reaches the visitor on their next visit through resume.
#[tokio::test]
async fn offline_messages_wait_for_the_first_agent() {
    use chrono::{Datelike, Utc};
    let w = World::new().await;
    let arrive = |token: Option<&str>| {
        let mut body = json!({ "site_key": w.a.site_key, "email": "vic@example.test" });
        if let Some(t) = token {
            body["visitor_token"] = json!(t);
        }
        w.api.call(
            reqwest::Method::POST,
            "/api/visitor/session",
            None,
            Some(body),
        )
    };
    let session = arrive(None).await;
    assert_eq!(session.body["agents_online"], false);
    assert_eq!(session.body["within_hours"], true);
    assert_eq!(session.body["offline"], true);
    assert_eq!(session.body["visitor"]["email"], "vic@example.test");
    let token = session.body["visitor_token"].as_str().unwrap().to_string();
    let mut visitor = Ws::connect(&w.api.base, "/ws/visitor", &token)
        .await
        .expect("visitor socket");
    let ack = visitor.say(None, "off-1", "Where is my order?").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let c = conv_of(&ack);
    let seen = ack["seq"].as_i64().unwrap();
    visitor.close().await;

    let queue = w
        .api
        .get("/api/agent/conversations?view=queue", &w.agent)
        .await;
    assert_eq!(queue.body["items"][0]["id"], c.as_str(), "{}", queue.body);

    // The first agent to come online gets it and answers.
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let mut mine = Value::Null;
    for _ in 0..50 {
        mine = w
            .api
            .get("/api/agent/conversations?view=mine", &w.agent)
            .await
            .body;
        if mine["items"][0]["id"] == c.as_str() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(mine["items"][0]["id"], c.as_str(), "{mine}");
    let history = w
        .api
        .get(&format!("/api/agent/conversations/{c}/messages"), &w.agent)
        .await;
    assert!(
        history.body.to_string().contains("Where is my order?"),
        "{}",
        history.body
    );
    let reply = agent.say(Some(&c), "r-1", "It ships today").await;
    assert_eq!(reply["type"], "ack", "{reply}");

    // The visitor's next visit: same conversation, and resume brings the reply.
    let back = arrive(Some(&token)).await;
    assert_eq!(back.body["conversation"]["id"], c.as_str());
    assert_eq!(back.body["offline"], false, "an agent is online now");
    let mut visitor = Ws::connect(&w.api.base, "/ws/visitor", &token)
        .await
        .expect("visitor socket");
    visitor
        .send(json!({ "type": "resume", "conversations": { c.as_str(): seen } }))
        .await;
    loop {
        let m = visitor.next_of("message").await;
        if m["message"]["body"] == "It ships today" {
            assert_eq!(m["message"]["sender_kind"], "agent", "{m}");
            break;
        }
    }

    // Outside business hours the widget shows the offline form even with an agent online.
    let day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        [((Utc::now().weekday().num_days_from_monday() + 2) % 7) as usize];
    let patched = w
        .api
        .patch(
            "/api/admin/settings",
            &w.owner,
            json!({ "timezone": "UTC", "business_hours": { day: [["00:00", "23:59"]] } }),
        )
        .await;
    assert_eq!(patched.status, reqwest::StatusCode::OK, "{}", patched.body);
    let closed = arrive(Some(&token)).await;
    assert_eq!(closed.body["agents_online"], true);
    assert_eq!(closed.body["within_hours"], false);
    assert_eq!(closed.body["offline"], true);
    drop(agent);
}
