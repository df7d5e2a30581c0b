//! Integrations over a real server: business events into live conversations (and the
//! visitor's timeline), verified visitor identity, and the `/api/v1` routes for API tokens.

mod common;

use common::api::World;
use common::ws::{conv_of, until_state, Ws};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;

/// An API token of tenant A with these scopes (made by A's owner).
async fn api_token(w: &World, scopes: &[&str]) -> String {
    let r = w
        .api
        .post(
            "/api/admin/api-tokens",
            &w.owner,
            json!({ "name": "shop", "scopes": scopes }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["secret"].as_str().unwrap().to_string()
}

/// An agent on a socket and a visitor on a socket, in a conversation the agent holds.
async fn live_conversation(w: &World) -> (Ws, Ws, Value, String) {
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c = conv_of(&visitor.say(None, "hello", "Where is my order?").await);
    until_state(&mut agent, &c, "chatting").await;
    agent.clear().await;
    visitor.clear().await;
    (agent, visitor, session, c)
}

fn event(target: Value, key: &str, visible: bool) -> Value {
    let mut e = json!({
        "type": "order.updated",
        "title": "Order #1042 shipped",
        "fields": [{"label": "Carrier", "value": "DHL"}, {"label": "Items", "value": "3"}],
        "url": "https://shop.example/orders/1042",
        "idempotency_key": key,
        "visible_to_visitor": visible,
    });
    for (k, v) in target.as_object().unwrap() {
        e[k] = v.clone();
    }
    e
}

/// The next `message` frame of a socket.
async fn next_message(ws: &mut Ws) -> Value {
    ws.next_of("message").await["message"].clone()
}

fn user_hash(secret: &str, user_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(user_id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn identity_secret(w: &World) -> String {
    let r = w.api.get("/api/admin/identity-secret", &w.admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["secret"].as_str().unwrap().to_string()
}

async fn identify(w: &World, visitor_token: &str, body: Value) -> common::api::Reply {
    let mut body = body;
    body["visitor_token"] = json!(visitor_token);
    w.api
        .call(Method::POST, "/api/visitor/identify", None, Some(body))
        .await
}

async fn new_session(w: &World) -> Value {
    let r = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

#[tokio::test]
async fn an_event_reaches_the_agent_live_and_the_visitor_only_when_visible() {
    let w = World::new().await;
    let token = api_token(&w, &["events:write", "conversations:read"]).await;
    let (mut agent, mut visitor, _, c) = live_conversation(&w).await;
    let before = w
        .api
        .get(&format!("/api/v1/conversations/{c}"), &token)
        .await;
    let last_seq = before.body["conversation"]["last_seq"].as_i64().unwrap();

    // Hidden from the visitor: the agent gets it live, with the next seq.
    let hidden = w
        .api
        .post(
            "/api/v1/events",
            &token,
            event(json!({"conversation_id": c}), "ship-1042", false),
        )
        .await;
    assert_eq!(hidden.status, StatusCode::CREATED, "{}", hidden.body);
    assert_eq!(hidden.body["conversation_id"], c.as_str());
    assert_eq!(hidden.body["seq"], last_seq + 1);
    let live = next_message(&mut agent).await;
    assert_eq!(live["id"], hidden.body["message_id"]);
    assert_eq!(live["seq"], last_seq + 1);
    assert_eq!(live["kind"], "event");
    assert_eq!(live["sender_kind"], "integration");
    assert_eq!(live["internal"], true);
    let card: Value = serde_json::from_str(live["body"].as_str().unwrap()).unwrap();
    assert_eq!(card["type"], "order.updated");
    assert_eq!(card["title"], "Order #1042 shipped");
    assert_eq!(
        card["fields"][0],
        json!({"label": "Carrier", "value": "DHL"})
    );
    assert_eq!(card["url"], "https://shop.example/orders/1042");

    // Visible: both get it; the visitor's first message frame is this one, not the hidden one.
    let shown = w
        .api
        .post(
            "/api/v1/events",
            &token,
            event(json!({"conversation_id": c}), "ship-1042-b", true),
        )
        .await;
    assert_eq!(shown.status, StatusCode::CREATED, "{}", shown.body);
    assert_eq!(shown.body["seq"], last_seq + 2);
    assert_eq!(next_message(&mut agent).await["seq"], last_seq + 2);
    let seen = next_message(&mut visitor).await;
    assert_eq!(seen["id"], shown.body["message_id"]);
    assert_eq!(seen["internal"], false);

    // The visitor's history has the visible card and not the hidden one.
    let replay = visitor
        .request(json!({"type": "resume", "id": "r", "conversations": { c.clone(): 0 }}))
        .await;
    assert_eq!(replay["type"], "resumed");
    let mut ids = Vec::new();
    while let Some(f) = visitor
        .try_next(std::time::Duration::from_millis(300))
        .await
    {
        if f["type"] == "message" {
            ids.push(f["message"]["id"].clone());
        }
    }
    // (The replayed frames came before `resumed`; `request` kept them, in order, for reading.)
    assert!(ids.contains(&shown.body["message_id"]), "{ids:?}");
    assert!(!ids.contains(&hidden.body["message_id"]), "{ids:?}");

    // A repeat of the key: the first result, no second message.
    let again = w
        .api
        .post(
            "/api/v1/events",
            &token,
            event(json!({"conversation_id": c}), "ship-1042", false),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["message_id"], hidden.body["message_id"]);
    assert_eq!(again.body["seq"], hidden.body["seq"]);
    assert_eq!(again.body["id"], hidden.body["id"]);
    let after = w
        .api
        .get(&format!("/api/v1/conversations/{c}"), &token)
        .await;
    assert_eq!(after.body["conversation"]["last_seq"], last_seq + 2);
    let cards: Vec<&Value> = after.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["sender_kind"] == "integration")
        .collect();
    assert_eq!(cards.len(), 2);
    assert!(agent
        .try_next(std::time::Duration::from_millis(500))
        .await
        .is_none_or(|f| f["type"] != "message"));
}

#[tokio::test]
async fn the_visitor_history_leaves_out_hidden_cards() {
    let w = World::new().await;
    let token = api_token(&w, &["events:write"]).await;
    let (_agent, visitor, session, c) = live_conversation(&w).await;
    visitor.close().await;
    let hidden = w
        .api
        .post(
            "/api/v1/events",
            &token,
            event(json!({"conversation_id": c}), "k-hidden", false),
        )
        .await;
    let shown = w
        .api
        .post(
            "/api/v1/events",
            &token,
            event(json!({"conversation_id": c}), "k-shown", true),
        )
        .await;
    // The visitor comes back and replays everything.
    let vt = session["visitor_token"].as_str().unwrap();
    let mut back = Ws::connect(&w.api.base, "/ws/visitor", vt)
        .await
        .expect("socket");
    back.send(json!({"type": "resume", "id": "r", "conversations": { c.clone(): 0 }}))
        .await;
    let mut ids = Vec::new();
    loop {
        let f = back.next().await;
        match f["type"].as_str() {
            Some("message") => ids.push(f["message"]["id"].clone()),
            Some("resumed") => break,
            _ => {}
        }
    }
    assert!(ids.contains(&shown.body["message_id"]), "{ids:?}");
    assert!(!ids.contains(&hidden.body["message_id"]), "{ids:?}");
}

#[tokio::test]
async fn without_an_open_conversation_an_event_goes_on_the_timeline() {
    let w = World::new().await;
    let token = api_token(&w, &["events:write", "visitors:read"]).await;
    let secret = identity_secret(&w).await;
    let session = new_session(&w).await;
    let vt = session["visitor_token"].as_str().unwrap();
    let r = identify(
        &w,
        vt,
        json!({"user_id": "cust-7", "user_hash": user_hash(&secret, "cust-7")}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let visitor_id = r.body["visitor"]["id"].as_str().unwrap().to_string();

    let posted = w
        .api
        .post(
            "/api/v1/events",
            &token,
            event(
                json!({"visitor": {"external_id": "cust-7"}}),
                "pay-1",
                false,
            ),
        )
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    assert!(posted.body["conversation_id"].is_null());
    assert!(posted.body["message_id"].is_null());
    assert_eq!(posted.body["visitor_id"], visitor_id.as_str());

    // Agents see it in the visitor panel; the integration in the visitor lookup.
    let profile = w
        .api
        .get(&format!("/api/agent/visitors/{visitor_id}"), &w.agent)
        .await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
    assert_eq!(profile.body["timeline"][0]["id"], posted.body["id"]);
    assert_eq!(
        profile.body["timeline"][0]["card"]["title"],
        "Order #1042 shipped"
    );
    let found = w
        .api
        .get("/api/v1/visitors?external_id=cust-7", &token)
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(found.body["id"], visitor_id.as_str());
    assert_eq!(found.body["timeline"].as_array().unwrap().len(), 1);

    // A repeat stores nothing new.
    let again = w
        .api
        .post(
            "/api/v1/events",
            &token,
            event(
                json!({"visitor": {"external_id": "cust-7"}}),
                "pay-1",
                false,
            ),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["id"], posted.body["id"]);
    let found = w
        .api
        .get("/api/v1/visitors?external_id=cust-7", &token)
        .await;
    assert_eq!(found.body["timeline"].as_array().unwrap().len(), 1);

    // Once the visitor writes, the next event goes into the conversation instead.
    let mut ws = Ws::connect(
        &w.api.base,
        "/ws/visitor",
        r.body["visitor_token"].as_str().unwrap(),
    )
    .await
    .expect("socket");
    let c = conv_of(&ws.say(None, "m1", "hi").await);
    let into = w
        .api
        .post(
            "/api/v1/events",
            &token,
            event(json!({"visitor": {"external_id": "cust-7"}}), "pay-2", true),
        )
        .await;
    assert_eq!(into.status, StatusCode::CREATED, "{}", into.body);
    assert_eq!(into.body["conversation_id"], c.as_str());
}

#[tokio::test]
async fn events_need_the_scope_the_tenant_and_a_valid_body() {
    let w = World::new().await;
    let token = api_token(&w, &["events:write", "conversations:read"]).await;
    let read_only = api_token(&w, &["conversations:read"]).await;
    let (_agent, _visitor, _, c) = live_conversation(&w).await;
    let target = json!({"conversation_id": c});

    let r = w
        .api
        .post(
            "/api/v1/events",
            &read_only,
            event(target.clone(), "x1", true),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // An agent's session has no events:write either.
    let r = w
        .api
        .post(
            "/api/v1/events",
            &w.agent,
            event(target.clone(), "x1", true),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // Tenant B's token does not find tenant A's conversation or visitor.
    let b_token = {
        let r = w
            .api
            .post(
                "/api/admin/api-tokens",
                &w.other_owner,
                json!({"name": "b", "scopes": ["events:write"]}),
            )
            .await;
        r.body["secret"].as_str().unwrap().to_string()
    };
    let r = w
        .api
        .post(
            "/api/v1/events",
            &b_token,
            event(target.clone(), "x2", true),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = w
        .api
        .post(
            "/api/v1/events",
            &token,
            event(json!({"visitor": {"external_id": "nobody"}}), "x3", true),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    let bad = [
        ("type", json!("Order Updated")),
        ("title", json!("")),
        ("title", json!("t".repeat(201))),
        ("url", json!("javascript:alert(1)")),
        ("url", json!("ftp://x")),
        (
            "fields",
            json!((0..21)
                .map(|i| json!({"label": format!("l{i}"), "value": "v"}))
                .collect::<Vec<_>>()),
        ),
        ("fields", json!([{"label": "", "value": "v"}])),
        ("fields", json!([{"label": "l", "value": "v".repeat(501)}])),
        ("idempotency_key", json!("k".repeat(65))),
        ("idempotency_key", json!("")),
    ];
    for (field, value) in bad {
        let mut body = event(target.clone(), "bad-1", true);
        body[field] = value;
        let r = w.api.post("/api/v1/events", &token, body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.body
        );
    }
    // Both targets, or neither: refused.
    let mut both = event(target.clone(), "bad-2", true);
    both["visitor"] = json!({"external_id": "a"});
    assert_eq!(
        w.api.post("/api/v1/events", &token, both).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let none = event(json!({}), "bad-3", true);
    assert_eq!(
        w.api.post("/api/v1/events", &token, none).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut unknown = event(target.clone(), "bad-4", true);
    unknown["colour"] = json!("red");
    assert_eq!(
        w.api.post("/api/v1/events", &token, unknown).await.status,
        StatusCode::BAD_REQUEST
    );
    // Nothing of that was stored.
    let after = w
        .api
        .get(&format!("/api/v1/conversations/{c}"), &token)
        .await;
    assert!(after.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["sender_kind"] != "integration"));
    // A bad key is not taken either: a valid event with it now works.
    let ok = w
        .api
        .post("/api/v1/events", &token, event(target, "bad-1", true))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
}

#[tokio::test]
async fn identity_binds_one_visitor_across_browsers_and_refuses_wrong_hashes() {
    let w = World::new().await;
    // No secret yet: refused.
    let first = new_session(&w).await;
    let t1 = first["visitor_token"].as_str().unwrap().to_string();
    let r = identify(&w, &t1, json!({"user_id": "u-1", "user_hash": "00"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let secret = identity_secret(&w).await;
    assert_eq!(
        identity_secret(&w).await,
        secret,
        "reveal shows the same secret"
    );
    // An agent may not read it.
    let r = w.api.get("/api/admin/identity-secret", &w.agent).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The first browser identifies and writes.
    let r = identify(
        &w,
        &t1,
        json!({"user_id": "u-1", "user_hash": user_hash(&secret, "u-1"), "name": "Ann Lee",
               "email": "ann@shop.test", "attributes": {"plan": "pro", "orders": 12}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let visitor_id = r.body["visitor"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        visitor_id,
        first["visitor"]["id"].as_str().unwrap(),
        "the anonymous visitor is bound"
    );
    assert_eq!(r.body["switched"], false);
    assert_eq!(r.body["visitor"]["external_id"], "u-1");
    assert_eq!(r.body["visitor"]["attributes"]["plan"], "pro");
    let mut ws1 = Ws::connect(
        &w.api.base,
        "/ws/visitor",
        r.body["visitor_token"].as_str().unwrap(),
    )
    .await
    .expect("socket");
    let c = conv_of(&ws1.say(None, "b1", "written in browser one").await);

    // The agent sees the attributes in the visitor panel.
    let profile = w
        .api
        .get(&format!("/api/agent/visitors/{visitor_id}"), &w.agent)
        .await;
    assert_eq!(profile.body["external_id"], "u-1");
    assert_eq!(profile.body["attributes"]["orders"], 12);
    assert_eq!(profile.body["name"], "Ann Lee");

    // A second browser (a new anonymous visitor) identifies as the same user: same visitor,
    // same conversation and history.
    let second = new_session(&w).await;
    let t2 = second["visitor_token"].as_str().unwrap().to_string();
    assert_ne!(second["visitor"]["id"], first["visitor"]["id"]);
    let r2 = identify(
        &w,
        &t2,
        json!({"user_id": "u-1", "user_hash": user_hash(&secret, "u-1")}),
    )
    .await;
    assert_eq!(r2.status, StatusCode::OK, "{}", r2.body);
    assert_eq!(r2.body["visitor"]["id"], visitor_id.as_str());
    assert_eq!(r2.body["switched"], true);
    assert_eq!(r2.body["conversation"]["id"], c.as_str());
    let mut ws2 = Ws::connect(
        &w.api.base,
        "/ws/visitor",
        r2.body["visitor_token"].as_str().unwrap(),
    )
    .await
    .expect("socket");
    ws2.send(json!({"type": "resume", "id": "r", "conversations": { c.clone(): 0 }}))
        .await;
    let mut bodies = Vec::new();
    loop {
        let f = ws2.next().await;
        match f["type"].as_str() {
            Some("message") => bodies.push(f["message"]["body"].clone()),
            Some("resumed") => break,
            _ => {}
        }
    }
    assert!(
        bodies.contains(&json!("written in browser one")),
        "{bodies:?}"
    );

    // A wrong hash (or one for another user, or none) is refused and changes nothing.
    let third = new_session(&w).await;
    let t3 = third["visitor_token"].as_str().unwrap().to_string();
    let third_id = third["visitor"]["id"].as_str().unwrap().to_string();
    for (user, hash) in [
        ("u-1", user_hash("not the secret", "u-1")),
        ("u-1", user_hash(&secret, "u-2")),
        ("u-1", "zz-not-hex".to_string()),
    ] {
        let r = identify(
            &w,
            &t3,
            json!({"user_id": user, "user_hash": hash, "name": "Mallory"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert!(r.body.get("visitor_token").is_none());
    }
    let r = identify(&w, &t3, json!({"user_id": "u-1", "user_hash": ""})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = identify(&w, &t3, json!({"user_id": "u-1"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let untouched = w
        .api
        .get(&format!("/api/agent/visitors/{third_id}"), &w.agent)
        .await;
    assert!(
        untouched.body["external_id"].is_null(),
        "{}",
        untouched.body
    );
    assert!(untouched.body["name"].is_null());
    let bound = w
        .api
        .get(&format!("/api/agent/visitors/{visitor_id}"), &w.agent)
        .await;
    assert_eq!(
        bound.body["name"], "Ann Lee",
        "the user's profile is unchanged"
    );

    // Bad attributes: refused.
    let r = identify(
        &w,
        &t3,
        json!({"user_id": "u-3", "user_hash": user_hash(&secret, "u-3"), "attributes": {"deep": {"x": 1}}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // Regenerating the secret: the old hashes stop working.
    let r = w
        .api
        .post("/api/admin/identity-secret/regenerate", &w.owner, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let fresh = r.body["secret"].as_str().unwrap().to_string();
    assert_ne!(fresh, secret);
    let r = identify(
        &w,
        &t3,
        json!({"user_id": "u-1", "user_hash": user_hash(&secret, "u-1")}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = identify(
        &w,
        &t3,
        json!({"user_id": "u-1", "user_hash": user_hash(&fresh, "u-1")}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["visitor"]["id"], visitor_id.as_str());
}

#[tokio::test]
async fn the_v1_api_reads_writes_transfers_and_closes() {
    let w = World::new().await;
    let reader = api_token(&w, &["conversations:read", "visitors:read"]).await;
    let writer = api_token(&w, &["conversations:read", "conversations:write"]).await;
    let (mut agent, mut visitor, _, c) = live_conversation(&w).await;

    // List and read.
    let list = w
        .api
        .get("/api/v1/conversations?state=open&limit=10", &reader)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body["items"][0]["id"], c.as_str());
    assert_eq!(list.body["items"][0]["agent_id"], w.agent_id.as_str());
    let closed = w
        .api
        .get("/api/v1/conversations?state=closed", &reader)
        .await;
    assert_eq!(closed.body["items"].as_array().unwrap().len(), 0);
    for bad in ["state=finished", "limit=0", "limit=201"] {
        let r = w
            .api
            .get(&format!("/api/v1/conversations?{bad}"), &reader)
            .await;
        assert!(r.status.is_client_error(), "{bad}: {}", r.status);
    }
    let read = w
        .api
        .get(&format!("/api/v1/conversations/{c}"), &reader)
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["body"] == "Where is my order?"));
    let r = w
        .api
        .get(
            "/api/v1/conversations/00000000-0000-0000-0000-000000000000",
            &reader,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let b_token = {
        let r = w
            .api
            .post(
                "/api/admin/api-tokens",
                &w.other_owner,
                json!({"name": "b", "scopes": ["conversations:read", "conversations:write"]}),
            )
            .await;
        r.body["secret"].as_str().unwrap().to_string()
    };
    assert_eq!(
        w.api
            .get(&format!("/api/v1/conversations/{c}"), &b_token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Writing needs conversations:write.
    let as_agent =
        json!({"agent_id": w.agent_id, "client_msg_id": "api-1", "body": "It ships today."});
    let r = w
        .api
        .post(
            &format!("/api/v1/conversations/{c}/messages"),
            &reader,
            as_agent.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .api
        .post(
            &format!("/api/v1/conversations/{c}/messages"),
            &b_token,
            as_agent.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // As the agent: the visitor gets it live, signed by the agent.
    let sent = w
        .api
        .post(
            &format!("/api/v1/conversations/{c}/messages"),
            &writer,
            as_agent.clone(),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    let live = next_message(&mut visitor).await;
    assert_eq!(live["id"], sent.body["message"]["id"]);
    assert_eq!(live["sender_kind"], "agent");
    assert_eq!(live["sender_id"], w.agent_id.as_str());
    let again = w
        .api
        .post(
            &format!("/api/v1/conversations/{c}/messages"),
            &writer,
            as_agent,
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["duplicate"], true);
    assert_eq!(again.body["message"]["id"], sent.body["message"]["id"]);
    // An agent who does not hold it may not write in it.
    let r = w
        .api
        .post(
            &format!("/api/v1/conversations/{c}/messages"),
            &writer,
            json!({"agent_id": w.admin_id, "client_msg_id": "api-2", "body": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // As a named bot.
    let bot = json!({"bot_name": "Order bot", "client_msg_id": "bot-1", "body": "Tracking: 123"});
    let sent = w
        .api
        .post(
            &format!("/api/v1/conversations/{c}/messages"),
            &writer,
            bot.clone(),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    let live = next_message(&mut visitor).await;
    assert_eq!(live["sender_kind"], "bot");
    assert_eq!(live["sender_name"], "Order bot");
    // The agent hears it too (after the echo of the message sent in their name).
    let id = sent.body["message"]["id"].clone();
    loop {
        if next_message(&mut agent).await["id"] == id {
            break;
        }
    }
    let again = w
        .api
        .post(&format!("/api/v1/conversations/{c}/messages"), &writer, bot)
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["message"]["seq"], sent.body["message"]["seq"]);
    for bad in [
        json!({"client_msg_id": "x", "body": "neither"}),
        json!({"agent_id": w.agent_id, "bot_name": "b", "client_msg_id": "x", "body": "both"}),
        json!({"bot_name": "b", "client_msg_id": "x", "body": ""}),
        json!({"bot_name": "", "client_msg_id": "x", "body": "no name"}),
    ] {
        let r = w
            .api
            .post(
                &format!("/api/v1/conversations/{c}/messages"),
                &writer,
                bad.clone(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }

    // Transfer to a group (in the holder's name): back to the queue.
    let group = w
        .api
        .post("/api/admin/groups", &w.admin, json!({"name": "Billing"}))
        .await;
    let gid = group.body["id"].as_str().unwrap();
    let r = w
        .api
        .post(
            &format!("/api/v1/conversations/{c}/transfer"),
            &writer,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = w
        .api
        .post(
            &format!("/api/v1/conversations/{c}/transfer"),
            &writer,
            json!({"to_group_id": gid, "note": "billing question"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["group_id"], gid);
    let r = w
        .api
        .post(
            &format!("/api/v1/conversations/{c}/transfer"),
            &writer,
            json!({"to_group_id": gid}),
        )
        .await;
    assert!(
        r.status == StatusCode::CONFLICT || r.body["state"] == "chatting",
        "{}",
        r.body
    );

    // Close.
    let r = w
        .api
        .post(
            &format!("/api/v1/conversations/{c}/close"),
            &writer,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["state"], "closed");
    assert_eq!(r.body["close_reason"], "api");
    until_state(&mut visitor, &c, "closed").await;
    let r = w
        .api
        .post(
            &format!("/api/v1/conversations/{c}/close"),
            &writer,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = w
        .api
        .post(
            &format!("/api/v1/conversations/{c}/messages"),
            &writer,
            json!({"bot_name": "b", "client_msg_id": "late", "body": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // Visitors by external id.
    let r = w
        .api
        .get("/api/v1/visitors?external_id=nobody", &reader)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w
        .api
        .get("/api/v1/visitors?external_id=nobody", &writer)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w.api.get("/api/v1/visitors", &reader).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_new_scopes_are_offered_for_api_tokens() {
    let w = World::new().await;
    for scope in [
        "events:write",
        "conversations:read",
        "conversations:write",
        "visitors:read",
    ] {
        api_token(&w, &[scope]).await;
    }
    let r = w
        .api
        .post(
            "/api/admin/api-tokens",
            &w.owner,
            json!({"name": "x", "scopes": ["identity:write"]}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the identity secret is for people only"
    );
}
