//! Hybrid mode and the agent assists (docs/bots.md): the model drafts replies to visitor
//! messages in a conversation an agent holds, pushed to that agent, and nothing reaches the
//! visitor until the agent approves (edited or not); summary and translation on demand.

mod common;
#[path = "bots/model_server.rs"]
mod model_server;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use common::api::{Api, World};
use common::ws::{conv_of, Ws};
use model_server::{ModelServer, NORMAL_ANSWER};

fn hybrid_settings(model: &ModelServer, name: &str) -> Value {
    json!({
        "enabled": false,
        "config": {
            "chain": [],
            "hybrid": true,
            "model": {
                "base_url": model.base_url,
                "model": name,
                "timeout_ms": 1500,
                "stream": false
            }
        },
        "model_key": "sk-test-key"
    })
}

async fn put_settings(api: &Api, token: &str, body: Value) {
    let r = api.put("/api/admin/bots", token, Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// The next `draft` frame of the conversation.
async fn draft_frame(ws: &mut Ws, conversation: &str) -> Value {
    loop {
        let f = ws.next_of("draft").await;
        if f["conversation_id"] == conversation {
            return f;
        }
    }
}

async fn messages(api: &Api, token: &str, conversation: &str) -> Vec<Value> {
    let r = api
        .get(
            &format!("/api/agent/conversations/{conversation}/messages"),
            token,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["messages"].as_array().unwrap().clone()
}

/// A visitor of tenant A in a conversation the agent accepted: (conversation, visitor, agent).
async fn held_conversation(w: &World) -> (String, Ws, Ws) {
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    agent
        .send(json!({ "type": "status", "id": "away", "status": "away" }))
        .await;
    assert_eq!(agent.next_of("status").await["status"], "away");
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c = conv_of(&visitor.say(None, "m0", "hello").await);
    let taken = agent
        .request(json!({"type": "accept", "id": "take", "conversation_id": c}))
        .await;
    assert_eq!(taken["type"], "accepted", "{taken}");
    (c, visitor, agent)
}

#[tokio::test]
async fn hybrid_drafts_wait_for_the_agent() {
    let model = model_server::start().await;
    let w = World::new().await;
    let api = &w.api;
    put_settings(api, &w.owner, hybrid_settings(&model, "normal")).await;
    let (c, mut visitor, mut agent) = held_conversation(&w).await;
    assert_eq!(model.seen.calls(), 0, "no draft before an agent held it");

    // A visitor question: the holding agent is offered a draft, the visitor gets nothing.
    let ack = visitor.say(Some(&c), "m1", "When are you open?").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let f = draft_frame(&mut agent, &c).await;
    assert_eq!(f["body"], NORMAL_ANSWER, "{f}");
    let draft_id = f["draft_id"].as_str().unwrap().to_string();
    assert_eq!(model.seen.calls(), 1);
    let (auth, request) = model.seen.last();
    assert_eq!(auth, "Bearer sk-test-key");
    assert!(
        request.to_string().contains("When are you open?"),
        "{request}"
    );
    while let Some(v) = visitor.try_next(Duration::from_millis(300)).await {
        assert_ne!(v["type"], "draft", "the visitor never sees drafts: {v}");
        if v["type"] == "message" {
            assert_ne!(v["message"]["body"], NORMAL_ANSWER, "nothing sent: {v}");
        }
    }
    let listed = api
        .get(&format!("/api/agent/conversations/{c}/drafts"), &w.agent)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body.as_array().unwrap().len(), 1, "{}", listed.body);
    assert_eq!(listed.body[0]["id"], draft_id.as_str());
    assert_eq!(listed.body[0]["status"], "pending");
    assert!(messages(api, &w.agent, &c)
        .await
        .iter()
        .all(|m| m["body"] != NORMAL_ANSWER));

    // Another agent of the tenant, and another tenant, may not see or decide it.
    let path = format!("/api/agent/conversations/{c}/drafts");
    assert_eq!(api.get(&path, &w.owner).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        api.get(&path, &w.other_owner).await.status,
        StatusCode::NOT_FOUND
    );
    let approve = format!("/api/agent/drafts/{draft_id}/approve");
    let r = api
        .post(&approve, &w.owner, json!({"body": "hijack"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = api
        .post(&approve, &w.other_owner, json!({"body": "hijack"}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = api
        .post(
            &format!("/api/agent/drafts/{draft_id}/dismiss"),
            &w.other_owner,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // Bad bodies change nothing.
    let r = api.post(&approve, &w.agent, json!({"body": "  "})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = api.post(&approve, &w.agent, json!({"text": "x"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = api
        .post(
            "/api/agent/drafts/nope/approve",
            &w.agent,
            json!({"body": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // Approved with an edit: sent as the agent's message, the visitor receives it.
    let edited = "We are open 9 to 5, Monday to Friday.";
    let r = api.post(&approve, &w.agent, json!({"body": edited})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["draft"]["status"], "approved");
    assert_eq!(r.body["draft"]["final_body"], edited);
    assert_eq!(r.body["draft"]["body"], NORMAL_ANSWER);
    assert_eq!(r.body["message"]["sender_kind"], "agent");
    assert_eq!(r.body["message"]["sender_id"], w.agent_id.as_str());
    assert_eq!(r.body["message"]["body"], edited);
    loop {
        let m = visitor.next_of("message").await;
        if m["message"]["body"] == edited {
            assert_eq!(m["message"]["sender_kind"], "agent");
            break;
        }
    }
    let stored = messages(api, &w.agent, &c).await;
    let sent: Vec<&Value> = stored.iter().filter(|m| m["body"] == edited).collect();
    assert_eq!(sent.len(), 1, "{stored:?}");
    assert_eq!(sent[0]["sender_kind"], "agent");
    // Approving again sends nothing more.
    let again = api.post(&approve, &w.agent, json!({"body": edited})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(
        messages(api, &w.agent, &c)
            .await
            .iter()
            .filter(|m| m["body"] == edited)
            .count(),
        1
    );
    let audit = api.get("/api/admin/audit", &w.owner).await;
    let entry = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "reply_draft.approved")
        .unwrap_or_else(|| panic!("an audit entry: {}", audit.body))
        .clone();
    assert_eq!(entry["actor_id"], w.agent_id.as_str());
    assert_eq!(entry["target_id"], draft_id.as_str());
    assert!(entry["details"].to_string().contains("edited"), "{entry}");

    // Dismissed: nothing is sent, and it is no longer listed.
    visitor.say(Some(&c), "m2", "And on Sundays?").await;
    let f = draft_frame(&mut agent, &c).await;
    let second = f["draft_id"].as_str().unwrap().to_string();
    assert_ne!(second, draft_id);
    let before = messages(api, &w.agent, &c).await.len();
    let r = api
        .post(
            &format!("/api/agent/drafts/{second}/dismiss"),
            &w.agent,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "dismissed");
    assert!(r.body["final_body"].is_null());
    let r = api
        .post(
            &format!("/api/agent/drafts/{second}/approve"),
            &w.agent,
            json!({"body": "late"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(messages(api, &w.agent, &c).await.len(), before);
    let listed = api
        .get(&format!("/api/agent/conversations/{c}/drafts"), &w.agent)
        .await;
    assert_eq!(listed.body, json!([]));

    // Two approvals at once: one message, one 200 and one 409.
    visitor.say(Some(&c), "m2b", "And on Saturdays?").await;
    let third = draft_frame(&mut agent, &c).await["draft_id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/agent/drafts/{third}/approve");
    let (one, two) = tokio::join!(
        api.post(&path, &w.agent, json!({"body": "Saturdays too."})),
        api.post(&path, &w.agent, json!({"body": "Saturdays too."}))
    );
    let mut codes = [one.status.as_u16(), two.status.as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409], "{} / {}", one.body, two.body);
    assert_eq!(
        messages(api, &w.agent, &c)
            .await
            .iter()
            .filter(|m| m["body"] == "Saturdays too.")
            .count(),
        1
    );

    // A failing model means no draft, and the conversation goes on.
    put_settings(api, &w.owner, hybrid_settings(&model, "500")).await;
    let calls = model.seen.calls();
    visitor.say(Some(&c), "m3", "Hello?").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while model.seen.calls() == calls {
        assert!(std::time::Instant::now() < deadline, "the model was asked");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    while let Some(f) = agent.try_next(Duration::from_millis(500)).await {
        assert_ne!(f["type"], "draft", "no draft from a failing model: {f}");
    }
    let listed = api
        .get(&format!("/api/agent/conversations/{c}/drafts"), &w.agent)
        .await;
    assert_eq!(listed.body, json!([]));

    // Hybrid off: no model call.
    let mut off = hybrid_settings(&model, "normal");
    off["config"]["hybrid"] = json!(false);
    put_settings(api, &w.owner, off).await;
    let calls = model.seen.calls();
    visitor.say(Some(&c), "m4", "Anyone?").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(model.seen.calls(), calls);
}

#[tokio::test]
async fn summary_and_translation_on_demand() {
    let model = model_server::start().await;
    let w = World::new().await;
    let api = &w.api;
    let (c, _visitor, _agent) = held_conversation(&w).await;
    // No model yet.
    let r = api
        .post(
            &format!("/api/agent/conversations/{c}/summary"),
            &w.agent,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    put_settings(api, &w.owner, hybrid_settings(&model, "normal")).await;
    let r = api
        .post(
            &format!("/api/agent/conversations/{c}/summary"),
            &w.agent,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["text"], NORMAL_ANSWER);
    assert_eq!(r.body["tokens"], 42);
    let (_, request) = model.seen.last();
    let prompt = request["messages"].to_string();
    assert!(prompt.contains("Summarise"), "{prompt}");
    assert!(prompt.contains("Visitor: hello"), "{prompt}");

    let before = messages(api, &w.agent, &c).await.len();
    let r = api
        .post(
            "/api/agent/translate",
            &w.agent,
            json!({"text": "Wir haben geöffnet.", "to": "English"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["text"], NORMAL_ANSWER);
    let (_, request) = model.seen.last();
    let prompt = request["messages"].to_string();
    assert!(prompt.contains("into English"), "{prompt}");
    assert!(prompt.contains("Wir haben geöffnet."), "{prompt}");
    assert_eq!(
        messages(api, &w.agent, &c).await.len(),
        before,
        "nothing sent"
    );

    let r = api
        .post(
            "/api/agent/translate",
            &w.agent,
            json!({"text": "", "to": "de"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = api
        .post(
            &format!("/api/agent/conversations/{c}/summary"),
            &w.other_owner,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    put_settings(api, &w.owner, hybrid_settings(&model, "500")).await;
    let r = api
        .post(
            "/api/agent/translate",
            &w.agent,
            json!({"text": "Hallo", "to": "en"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
}
