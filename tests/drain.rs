//! The drain on SIGTERM (docs/cluster.md): for `server.drain_secs` the node says it is not
//! ready and refuses new realtime connections while the open ones keep working; then they are
//! closed with 1001 and the process exits with 0.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use common::api::{init_tenant, Api, API_ENV, PASSWORD};
use common::server::TestServer;
use common::ws::{conv_of, Closed, Ws};

#[tokio::test]
async fn a_stopping_node_drains_before_it_closes() {
    let mut env: Vec<(&str, &str)> = API_ENV.to_vec();
    // Long enough for the checks below on a slow machine; the test waits for events, not time.
    env.push(("UNIQCHAT__SERVER__DRAIN_SECS", "5"));
    let mut server = TestServer::start(&env).await;
    let api = Api::new(&server);
    let t = init_tenant(&server, "Acme", "owner@acme.test");
    let owner = api.token(&t.owner_email, PASSWORD).await;
    assert_eq!(api.get("/readyz", "").await.status, StatusCode::OK);
    let (mut visitor, _) = Ws::visitor(&api, &t.site_key).await;
    let c = conv_of(&visitor.say(None, "m1", "before the stop").await);

    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(4);
    loop {
        let r = api.get("/readyz", "").await;
        if r.status == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(r.code(), "draining", "{}", r.body);
            break;
        }
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(Instant::now() < deadline, "readyz never said draining");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // New realtime connections are refused with the same code; REST still answers.
    let agent = Ws::connect(&api.base, "/ws/agent", &owner).await.err();
    assert_eq!(agent, Some(Closed::Refused(503)));
    let refused = api
        .client
        .get(format!("{}/ws/agent?token={owner}", api.base))
        .header("Connection", "Upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers()["retry-after"], "1");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "draining", "{body}");
    assert_eq!(
        api.get("/api/admin/overview", &owner).await.status,
        StatusCode::OK
    );
    // The open connection still works: a message is stored and acknowledged.
    let ack = visitor.say(Some(&c), "m2", "during the drain").await;
    assert_eq!(ack["type"], "ack", "{ack}");

    // Then it is told to go elsewhere, and the process exits cleanly.
    assert_eq!(visitor.closed().await, Closed::Code(1001));
    let status = server.terminate_wait();
    assert_eq!(status.code(), Some(0), "{}", server.stderr());
}
