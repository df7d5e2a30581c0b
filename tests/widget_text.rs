//! Widget texts over a real server: the typing preview (drafts reach agents only while the
//! tenant turned it on), the pre-chat form (checked, stored on the visitor, shown to agents)
//! and the widget's texts per language; each tenant sees only its own.

mod common;

use common::api::World;
use common::ws::{conv_of, until_state, Ws};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn settings(w: &World, token: &str, body: Value) -> common::api::Reply {
    w.api.patch("/api/admin/settings", token, body).await
}

async fn session(w: &World, site_key: &str) -> Value {
    let r = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": site_key })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

async fn prechat(w: &World, visitor_token: &str, mut body: Value) -> common::api::Reply {
    body["visitor_token"] = json!(visitor_token);
    w.api
        .call(Method::POST, "/api/visitor/prechat", None, Some(body))
        .await
}

fn form() -> Value {
    json!({
        "enabled": true,
        "name": "required",
        "email": "optional",
        "fields": [
            {"key": "order_number", "label": "Order number", "type": "text", "required": true},
            {"key": "topic", "label": "Topic", "type": "select", "options": ["Billing", "Shipping"]}
        ]
    })
}

fn texts() -> Value {
    json!({
        "en": {"welcome_message": "Hi! How can we help?", "prechat_title": "Before we start"},
        "zh": {"welcome_message": "您好！有什么可以帮您？", "name_label": "姓名",
               "field_labels": {"order_number": "订单号"}}
    })
}

#[tokio::test]
async fn settings_round_trip_and_defaults() {
    let w = World::new().await;
    let s = w.api.get("/api/admin/settings", &w.admin).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    assert_eq!(s.body["typing_preview"], false, "off by default");
    assert_eq!(s.body["prechat"]["enabled"], false);
    assert_eq!(s.body["default_language"], "en");
    assert_eq!(s.body["languages"], json!({}));

    let r = settings(
        &w,
        &w.admin,
        json!({ "typing_preview": true, "prechat": form(), "languages": texts(), "default_language": "zh" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let again = w.api.get("/api/admin/settings", &w.admin).await.body;
    assert_eq!(again["typing_preview"], true);
    assert_eq!(again["default_language"], "zh");
    assert_eq!(
        again["prechat"]["fields"][1]["options"],
        json!(["Billing", "Shipping"])
    );
    assert_eq!(again["prechat"]["fields"][0]["options"], json!([]));
    assert_eq!(
        again["languages"]["zh"]["welcome_message"],
        "您好！有什么可以帮您？"
    );
    assert_eq!(
        again["languages"]["zh"]["field_labels"]["order_number"],
        "订单号"
    );
    assert_eq!(
        again["languages"]["en"]["offline_message"], "",
        "left out: empty"
    );

    // A patch of something else keeps them.
    let r = settings(&w, &w.admin, json!({ "widget_title": "Help" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["prechat"], again["prechat"]);
    assert_eq!(r.body["languages"], again["languages"]);

    // The widget's session carries them.
    let sess = session(&w, &w.a.site_key).await;
    assert_eq!(sess["settings"]["typing_preview"], true);
    assert_eq!(sess["settings"]["prechat"], again["prechat"]);
    assert_eq!(sess["settings"]["languages"]["zh"]["name_label"], "姓名");

    // Another tenant: its own defaults, in the admin API and in its widget.
    let b = w.api.get("/api/admin/settings", &w.other_owner).await.body;
    assert_eq!(b["typing_preview"], false);
    assert_eq!(b["languages"], json!({}));
    assert_eq!(b["prechat"]["enabled"], false);
    let sess_b = session(&w, &w.b.site_key).await;
    assert_eq!(sess_b["settings"]["languages"], json!({}));

    // Agents may not change them.
    let r = settings(&w, &w.agent, json!({ "typing_preview": false })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn bad_settings_are_refused_and_change_nothing() {
    let w = World::new().await;
    let ok = settings(
        &w,
        &w.admin,
        json!({ "languages": texts(), "prechat": form() }),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let before = w.api.get("/api/admin/settings", &w.admin).await.body;

    let long = "x".repeat(1001);
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({ "languages": { "english": {} } }),
            "languages.english",
        ),
        (json!({ "languages": { "zh_CN": {} } }), "languages.zh_cn"),
        (
            json!({ "languages": { "en": { "welcome_message": long } } }),
            "languages.en.welcome_message",
        ),
        (
            json!({ "languages": { "en": { "name_label": "two\nlines" } } }),
            "languages.en.name_label",
        ),
        (
            json!({ "languages": { "en": { "welcome_message": "bell\u{7}" } } }),
            "languages.en.welcome_message",
        ),
        (json!({ "languages": { "en": { "colour": "red" } } }), ""),
        (json!({ "default_language": "fr" }), "default_language"),
        (json!({ "default_language": "!!" }), "default_language"),
        (
            json!({ "prechat": { "enabled": true, "fields": [{"key": "Bad Key", "label": "X"}] } }),
            "prechat.fields[0].key",
        ),
        (
            json!({ "prechat": { "enabled": true, "fields": [{"key": "a", "label": "A"}, {"key": "a", "label": "B"}] } }),
            "prechat.fields[1].key",
        ),
        (
            json!({ "prechat": { "enabled": true, "fields": [{"key": "t", "label": "T", "type": "select"}] } }),
            "prechat.fields[0].options",
        ),
        (
            json!({ "prechat": { "enabled": true, "fields": [{"key": "t", "label": ""}] } }),
            "prechat.fields[0].label",
        ),
        (
            json!({ "prechat": { "enabled": true, "name": "sometimes" } }),
            "",
        ),
        (json!({ "typing_preview": "yes" }), ""),
    ];
    for (body, field) in cases {
        let r = settings(&w, &w.admin, body.clone()).await;
        assert!(
            r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {} {}",
            r.status,
            r.body
        );
        if !field.is_empty() {
            assert!(
                r.field_errors().iter().any(|f| f == field),
                "{body}: {}",
                r.body
            );
        }
    }
    let eleven: Vec<Value> = (0..11)
        .map(|i| json!({"key": format!("f{i}"), "label": "F"}))
        .collect();
    let r = settings(
        &w,
        &w.admin,
        json!({ "prechat": { "enabled": true, "fields": eleven } }),
    )
    .await;
    assert!(
        r.field_errors().contains(&"prechat.fields".to_string()),
        "{}",
        r.body
    );

    let after = w.api.get("/api/admin/settings", &w.admin).await.body;
    assert_eq!(before, after, "refused patches change nothing");
}

#[tokio::test]
async fn prechat_answers_are_checked_stored_and_shown_to_agents() {
    let w = World::new().await;
    let sess = session(&w, &w.a.site_key).await;
    let token = sess["visitor_token"].as_str().unwrap().to_string();
    let visitor_id = sess["visitor"]["id"].as_str().unwrap().to_string();

    // Off: nothing to send.
    let r = prechat(&w, &token, json!({ "name": "Ann" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    let ok = settings(&w, &w.admin, json!({ "prechat": form() })).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);

    let bad: Vec<(Value, &str)> = vec![
        (json!({ "fields": { "order_number": "1042" } }), "name"),
        (json!({ "name": "Ann" }), "fields.order_number"),
        (
            json!({ "name": "Ann", "email": "not-an-address", "fields": { "order_number": "1" } }),
            "email",
        ),
        (
            json!({ "name": "Ann", "fields": { "order_number": "1", "topic": "Refunds" } }),
            "fields.topic",
        ),
        (
            json!({ "name": "Ann", "fields": { "order_number": "1", "shoe_size": "42" } }),
            "fields.shoe_size",
        ),
        (
            json!({ "name": "Ann", "fields": { "order_number": "x".repeat(501) } }),
            "fields.order_number",
        ),
        (
            json!({ "name": "Ann\nBob", "fields": { "order_number": "1" } }),
            "name",
        ),
        (
            json!({ "name": "A".repeat(201), "fields": { "order_number": "1" } }),
            "name",
        ),
    ];
    for (body, field) in bad {
        let r = prechat(&w, &token, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        assert!(
            r.field_errors().iter().any(|f| f == field),
            "{body}: {}",
            r.body
        );
    }
    let untouched = w
        .api
        .get(&format!("/api/agent/visitors/{visitor_id}"), &w.agent)
        .await;
    assert_eq!(untouched.body["name"], Value::Null, "{}", untouched.body);
    assert_eq!(untouched.body["attributes"], json!({}));

    let r = prechat(&w, "not-a-token", json!({ "name": "Ann" })).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

    let r = prechat(
        &w,
        &token,
        json!({ "name": " Ann Lee ", "email": "Ann@Example.COM",
                "fields": { "order_number": "1042", "topic": "Shipping" } }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["name"], "Ann Lee");

    let p = w
        .api
        .get(&format!("/api/agent/visitors/{visitor_id}"), &w.agent)
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.body["name"], "Ann Lee");
    assert_eq!(p.body["email"], "ann@example.com");
    assert_eq!(p.body["attributes"]["order_number"], "1042");
    assert_eq!(p.body["attributes"]["topic"], "Shipping");

    // Another tenant's agents cannot read them.
    let other = w
        .api
        .get(&format!("/api/agent/visitors/{visitor_id}"), &w.other_owner)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
}

/// The agent's next `typing` frame of the conversation.
async fn typing_frame(agent: &mut Ws) -> Value {
    agent.next_of("typing").await
}

#[tokio::test]
async fn drafts_reach_agents_only_with_typing_preview_on() {
    let w = World::new().await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c = conv_of(&visitor.say(None, "hello", "Hi there").await);
    until_state(&mut agent, &c, "chatting").await;
    agent.clear().await;
    visitor.clear().await;

    // Off (the default): the draft is dropped, the typing signal still arrives.
    visitor
        .send(json!({ "type": "typing", "conversation_id": c, "on": true, "draft": "my card number is" }))
        .await;
    let f = typing_frame(&mut agent).await;
    assert_eq!(f["on"], true);
    assert!(f.get("draft").is_none(), "draft forwarded while off: {f}");

    let r = settings(&w, &w.admin, json!({ "typing_preview": true })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Control characters refuse the whole frame (as in every frame); line breaks are kept.
    visitor
        .send(json!({ "type": "typing", "conversation_id": c, "on": true, "draft": "bell\u{7}" }))
        .await;
    let e = visitor.next_of("error").await;
    assert_eq!(e["code"], "validation_failed", "{e}");
    visitor
        .send(json!({ "type": "typing", "conversation_id": c, "on": true, "draft": "Where is\nmy order" }))
        .await;
    let f = typing_frame(&mut agent).await;
    assert_eq!(f["draft"], "Where is\nmy order", "{f}");
    visitor
        .send(
            json!({ "type": "typing", "conversation_id": c, "on": true, "draft": "y".repeat(600) }),
        )
        .await;
    let f = typing_frame(&mut agent).await;
    assert_eq!(
        f["draft"].as_str().unwrap().chars().count(),
        500,
        "cut to 500"
    );
    // A draft that is not text is a bad frame, not a crash.
    visitor
        .send(json!({ "type": "typing", "conversation_id": c, "on": true, "draft": 42 }))
        .await;
    let e = visitor.next_of("error").await;
    assert_eq!(e["code"], "invalid_frame", "{e}");

    // Agents' drafts never reach the visitor.
    agent
        .send(json!({ "type": "typing", "conversation_id": c, "on": true, "draft": "internal thoughts" }))
        .await;
    let f = visitor.next_of("typing").await;
    assert_eq!(f["from"], "agent");
    assert!(f.get("draft").is_none(), "{f}");

    // Off again: dropped again.
    let r = settings(&w, &w.admin, json!({ "typing_preview": false })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    visitor
        .send(json!({ "type": "typing", "conversation_id": c, "on": true, "draft": "secret" }))
        .await;
    let f = typing_frame(&mut agent).await;
    assert!(f.get("draft").is_none(), "{f}");
}

#[tokio::test]
async fn no_conversation_starts_without_the_required_prechat_answers() {
    let w = World::new().await;
    let ok = settings(&w, &w.admin, json!({ "prechat": form() })).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let (mut visitor, sess) = Ws::visitor(&w.api, &w.a.site_key).await;
    let token = sess["visitor_token"].as_str().unwrap().to_string();
    let visitor_id = sess["visitor"]["id"].as_str().unwrap().to_string();
    let conversations = || async {
        let p = w
            .api
            .get(&format!("/api/agent/visitors/{visitor_id}"), &w.agent)
            .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        p.body["conversations"].as_array().map_or(0, Vec::len)
    };

    // The form's required name and order number are missing: refused, nothing stored.
    let e = visitor.say(None, "first", "Where is my parcel?").await;
    assert_eq!(e["type"], "error", "{e}");
    assert_eq!(e["code"], "prechat_required", "{e}");
    let message = e["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("name") && message.contains("fields.order_number"),
        "{e}"
    );
    assert_eq!(
        conversations().await,
        0,
        "a refused message started a conversation"
    );

    // A name alone is not enough; the session's profile counts like the form's answers.
    let r = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key, "visitor_token": token, "name": "Ann" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let e = visitor.say(None, "first", "Where is my parcel?").await;
    assert_eq!(e["code"], "prechat_required", "{e}");
    assert!(
        !e["message"].as_str().unwrap_or_default().contains("name,"),
        "{e}"
    );

    // Answered: the same message goes through and starts the conversation.
    let r = prechat(
        &w,
        &token,
        json!({ "name": "Ann", "fields": { "order_number": "1042" } }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ack = visitor.say(None, "first", "Where is my parcel?").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(conversations().await, 1);

    // Another visitor of a tenant whose form asks nothing required is not held up.
    let optional =
        json!({ "prechat": { "enabled": true, "name": "optional", "email": "optional" } });
    let ok = settings(&w, &w.admin, optional).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let (mut other, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let ack = other.say(None, "hello", "Hi").await;
    assert_eq!(ack["type"], "ack", "{ack}");
}
