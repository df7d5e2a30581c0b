//! What `POST /api/visitor/session` tells the widget to show: a live chat (and a queue) only
//! while someone can answer; the offline form when every agent is away or gone.

mod common;

use common::api::World;
use common::ws::Ws;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn session(w: &World) -> Value {
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

fn shown(s: &Value) -> (bool, bool) {
    (
        s["agents_online"].as_bool().unwrap(),
        s["offline"].as_bool().unwrap(),
    )
}

/// An agent connection, once the server has finished taking it in (it answers frames only
/// after that, so a `pong` means the agent's status is set).
async fn connect_agent(w: &World, token: &str) -> Ws {
    let mut ws = Ws::agent(&w.api, token).await;
    let pong = ws.request(json!({ "type": "ping", "id": "p" })).await;
    assert_eq!(pong["type"], "pong", "{pong}");
    ws
}

async fn set_status(ws: &mut Ws, status: &str) {
    let r = ws
        .request(json!({ "type": "status", "id": status, "status": status }))
        .await;
    assert_eq!(r["status"], status, "{r}");
}

/// Issue 14 item 10: with the only agent away, the visitor gets the offline form, not a queue.
#[tokio::test]
async fn offline_form_unless_an_agent_is_online_or_busy() {
    let w = World::new().await;
    assert_eq!(shown(&session(&w).await), (false, true), "nobody connected");
    let mut agent = connect_agent(&w, &w.agent).await;
    assert_eq!(shown(&session(&w).await), (true, false), "online");
    set_status(&mut agent, "away").await;
    assert_eq!(
        shown(&session(&w).await),
        (false, true),
        "the only agent is away: offline form"
    );
    set_status(&mut agent, "busy").await;
    assert_eq!(
        shown(&session(&w).await),
        (true, false),
        "busy agents are present: the visitor may queue"
    );
    // An away agent beside an online one leaves the chat open.
    let mut admin = connect_agent(&w, &w.admin).await;
    set_status(&mut agent, "away").await;
    assert_eq!(shown(&session(&w).await), (true, false));
    set_status(&mut admin, "away").await;
    assert_eq!(shown(&session(&w).await), (false, true));
}

/// Issue 14 item 11: business hours as people type them (`9-17`) are stored spelt out, and a
/// refusal names the day in words.
#[tokio::test]
async fn business_hours_take_whole_hours_and_errors_name_the_day() {
    let w = World::new().await;
    let r = w
        .api
        .patch(
            "/api/admin/settings",
            &w.owner,
            json!({ "business_hours": { "mon": [["9", "17"]], "tue": [["9:30", "24"]] } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["business_hours"],
        json!({ "mon": [["09:00", "17:00"]], "tue": [["09:30", "24:00"]] })
    );
    let bad = w
        .api
        .patch(
            "/api/admin/settings",
            &w.owner,
            json!({ "business_hours": { "wed": [["17", "9"]] } }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let message = bad.body["error"]["fields"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("Wednesday: "), "{message}");
    let kept = w.api.get("/api/admin/settings", &w.owner).await;
    assert_eq!(
        kept.body["business_hours"]["mon"],
        json!([["09:00", "17:00"]]),
        "a refused change changes nothing"
    );
}
