//! One client never takes the server down for the others (issue 15, finding 1): caps on
//! connections per visitor, per agent, per address and per process, a handshake rate per
//! address, and a visitor's message rate across all their connections. Bounded in count and
//! time, against 127.0.0.1 only.

mod common;

use std::time::Duration;

use common::api::World;
use common::ws::{Closed, Ws};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn session(w: &World) -> String {
    let r = w
        .api
        .call(
            reqwest::Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["visitor_token"].as_str().unwrap().to_string()
}

/// The status and JSON body of a refused handshake, with its Retry-After.
async fn refused(w: &World, path: &str, token: &str) -> (StatusCode, Value, Option<String>) {
    let url = format!("{}{path}?token={token}", w.api.base);
    let r = reqwest::Client::new()
        .get(url)
        .header("Connection", "Upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    let status = r.status();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let body = r.json().await.unwrap_or(Value::Null);
    (status, body, retry)
}

#[tokio::test]
async fn a_visitor_and_an_agent_hold_a_bounded_number_of_connections() {
    let w = World::with_env(&[
        ("UNIQCHAT__CONNECTIONS__PER_VISITOR", "3"),
        ("UNIQCHAT__CONNECTIONS__PER_AGENT", "2"),
    ])
    .await;
    let token = session(&w).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(
            Ws::connect(&w.api.base, "/ws/visitor", &token)
                .await
                .unwrap(),
        );
    }
    assert_eq!(
        Ws::connect(&w.api.base, "/ws/visitor", &token).await.err(),
        Some(Closed::Refused(429))
    );
    let (status, body, retry) = refused(&w, "/ws/visitor", &token).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "too_many_connections", "{body}");
    assert!(retry.is_some(), "Retry-After is set");
    // Another visitor is not affected; a closed connection gives its place back.
    let other = session(&w).await;
    assert!(Ws::connect(&w.api.base, "/ws/visitor", &other)
        .await
        .is_ok());
    open.pop().unwrap().close().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match Ws::connect(&w.api.base, "/ws/visitor", &token).await {
            Ok(_) => break,
            Err(e) if tokio::time::Instant::now() < deadline => {
                assert_eq!(e, Closed::Refused(429));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("the place did not come back: {e:?}"),
        }
    }

    let _a = Ws::agent(&w.api, &w.agent).await;
    let _b = Ws::agent(&w.api, &w.agent).await;
    assert_eq!(
        Ws::connect(&w.api.base, "/ws/agent", &w.agent).await.err(),
        Some(Closed::Refused(429)),
        "a third tab of the agent"
    );
    assert!(Ws::connect(&w.api.base, "/ws/agent", &w.admin)
        .await
        .is_ok());
}

#[tokio::test]
async fn one_address_is_capped_and_handshakes_are_rate_limited() {
    let w = World::with_env(&[
        ("UNIQCHAT__CONNECTIONS__PER_ADDRESS", "4"),
        ("UNIQCHAT__CONNECTIONS__HANDSHAKES_PER_SECOND", "1"),
        ("UNIQCHAT__CONNECTIONS__HANDSHAKE_BURST", "6"),
    ])
    .await;
    let mut open = Vec::new();
    for _ in 0..4 {
        let token = session(&w).await;
        open.push(
            Ws::connect(&w.api.base, "/ws/visitor", &token)
                .await
                .unwrap(),
        );
    }
    let token = session(&w).await;
    let (status, body, _) = refused(&w, "/ws/visitor", &token).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "too_many_connections", "{body}");
    // The burst of six handshakes is spent (four opened, one refused, this one): the next
    // ones are refused before the token is even read.
    let mut limited = 0;
    for _ in 0..3 {
        let (status, body, retry) = refused(&w, "/ws/visitor", "junk").await;
        if body["error"]["code"] == "rate_limited" {
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
            assert!(retry.is_some());
            limited += 1;
        }
    }
    assert!(
        limited >= 2,
        "handshakes over the rate are refused ({limited})"
    );
    // Plain HTTP still answers.
    let health = reqwest::get(format!("{}/healthz", w.api.base))
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

/// At the process's ceiling, handshakes answer 503 with Retry-After while health checks and
/// sign-in keep answering.
#[tokio::test]
async fn a_flood_meets_the_ceiling_and_health_and_sign_in_still_answer() {
    let w = World::with_env(&[("UNIQCHAT__CONNECTIONS__MAX_TOTAL", "20")]).await;
    let token = session(&w).await;
    let mut open = Vec::new();
    let mut full = 0;
    for _ in 0..12 {
        // Five connections per visitor, under their own cap of ten.
        let token = session(&w).await;
        for _ in 0..5 {
            match Ws::connect(&w.api.base, "/ws/visitor", &token).await {
                Ok(ws) => open.push(ws),
                Err(Closed::Refused(503)) => full += 1,
                Err(other) => panic!("{other:?}"),
            }
        }
        if full > 0 {
            break;
        }
    }
    assert_eq!(open.len(), 20, "the ceiling holds");
    assert!(full > 0, "past it, 503");
    let (status, body, retry) = refused(&w, "/ws/visitor", &token).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "overloaded");
    assert!(retry.is_some());
    let health = reqwest::get(format!("{}/healthz", w.api.base))
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let login = w.api.login("agent@acme.test", common::api::PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK);
}

/// More connections do not mean more messages: a visitor's rate counts across all of them.
#[tokio::test]
async fn a_visitors_message_rate_counts_across_their_connections() {
    let w = World::with_env(&[
        ("UNIQCHAT__CONNECTIONS__VISITOR_MESSAGES_PER_SECOND", "1"),
        ("UNIQCHAT__CONNECTIONS__VISITOR_MESSAGE_BURST", "4"),
    ])
    .await;
    let token = session(&w).await;
    let mut tabs = Vec::new();
    for _ in 0..4 {
        tabs.push(
            Ws::connect(&w.api.base, "/ws/visitor", &token)
                .await
                .unwrap(),
        );
    }
    let (mut acked, mut limited) = (0, 0);
    for (t, tab) in tabs.iter_mut().enumerate() {
        for n in 0..3 {
            let reply = tab.say(None, &format!("t{t}-{n}"), "hello").await;
            match reply["type"].as_str() {
                Some("ack") => acked += 1,
                Some("error") if reply["code"] == "rate_limited" => limited += 1,
                _ => panic!("{reply}"),
            }
        }
    }
    assert!(acked <= 6, "{acked} stored of 12 (burst 4, 1/s)");
    assert!(limited >= 6, "{limited} refused");
}
