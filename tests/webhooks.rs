//! Webhooks on the persistent outbox, against a real HTTP receiver started by the test on
//! 127.0.0.1 that checks every signature with the secret the API returned.

mod common;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{any, post};
use axum::Router;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use common::api::{Api, World, API_ENV};
use common::server::TestServer;
use common::ws::{conv_of, until_state, Ws};

/// Fast retries, a short time limit, private addresses allowed by the server.
const FAST: [(&str, &str); 6] = [
    ("UNIQCHAT__WEBHOOKS__ALLOW_PRIVATE_ADDRESSES", "true"),
    ("UNIQCHAT__WEBHOOKS__POLL_MS", "100"),
    ("UNIQCHAT__WEBHOOKS__BACKOFF_BASE_MS", "200"),
    ("UNIQCHAT__WEBHOOKS__BACKOFF_MAX_SECS", "1"),
    ("UNIQCHAT__WEBHOOKS__TIMEOUT_SECS", "2"),
    ("UNIQCHAT__WEBHOOKS__DISABLE_AFTER", "4"),
];

/// One POST as the receiver saw it.
#[derive(Clone, Debug)]
struct Hit {
    path: String,
    event_id: String,
    event_type: String,
    body: Value,
    signed: bool,
    answered: u16,
}

#[derive(Default)]
struct Inner {
    secrets: HashMap<String, String>,
    /// Codes to answer, per path, before the default.
    script: HashMap<String, VecDeque<u16>>,
    /// The code answered once the script is used up, per path (200 when absent).
    default: HashMap<String, u16>,
    hits: Vec<Hit>,
    redirected_to: usize,
}

#[derive(Clone, Default)]
struct Receiver(Arc<Mutex<Inner>>);

impl Receiver {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap()
    }
    fn hits(&self, path: &str) -> Vec<Hit> {
        self.lock()
            .hits
            .iter()
            .filter(|h| h.path == path)
            .cloned()
            .collect()
    }
}

fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    let timestamp: i64 = header("uniqchat-timestamp").parse().unwrap_or(0);
    if (chrono::Utc::now().timestamp() - timestamp).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let expected = format!("v1={}", hex::encode(mac.finalize().into_bytes()));
    header("uniqchat-signature") == expected
}

async fn receive(
    State(r): State<Receiver>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, HeaderMap, String) {
    let path = uri.path().to_string();
    let mut inner = r.lock();
    let signed = inner
        .secrets
        .get(&path)
        .is_some_and(|s| verify(s, &headers, &body));
    let code = match inner.script.get_mut(&path).and_then(VecDeque::pop_front) {
        Some(code) => code,
        None => *inner.default.get(&path).unwrap_or(&200),
    };
    let code = if signed { code } else { 400 };
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    inner.hits.push(Hit {
        path,
        event_id: header("uniqchat-event-id"),
        event_type: header("uniqchat-event-type"),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        signed,
        answered: code,
    });
    let mut out = HeaderMap::new();
    if code == 302 {
        out.insert("location", "/landing".parse().unwrap());
    }
    (
        StatusCode::from_u16(code).unwrap(),
        out,
        format!("answered {code}"),
    )
}

async fn landing(State(r): State<Receiver>) -> &'static str {
    r.lock().redirected_to += 1;
    "you followed a redirect"
}

/// Starts the receiver on 127.0.0.1; returns its base URL.
async fn start_receiver(r: Receiver) -> String {
    let app = Router::new()
        .route("/landing", any(landing))
        .route("/{*path}", post(receive))
        .with_state(r);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// Registers an endpoint for `path` on the receiver and hands it the secret.
async fn register(
    api: &Api,
    token: &str,
    r: &Receiver,
    base: &str,
    path: &str,
    events: &[&str],
) -> String {
    let created = api
        .post(
            "/api/admin/webhooks",
            token,
            json!({ "url": format!("{base}{path}"), "events": events, "allow_private_network": true }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_string();
    assert!(secret.len() >= 16);
    r.lock().secrets.insert(path.to_string(), secret);
    // The secret is never shown again.
    let id = created.body["id"].as_str().unwrap().to_string();
    let again = api.get(&format!("/api/admin/webhooks/{id}"), token).await;
    assert_eq!(again.status, 200);
    assert!(again.body.get("secret").is_none(), "{}", again.body);
    id
}

/// Waits until `done` holds, or fails with `what`.
async fn eventually<F: FnMut() -> bool>(what: &str, secs: u64, mut done: F) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls the delivery log until `done` holds for it.
async fn log_until<F: Fn(&[Value]) -> bool>(
    api: &Api,
    token: &str,
    id: &str,
    done: F,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = api
            .get(&format!("/api/admin/webhooks/{id}/deliveries"), token)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let list = r.body.as_array().unwrap().clone();
        if done(&list) {
            return list;
        }
        assert!(
            Instant::now() < deadline,
            "delivery log never got there: {list:#?}"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

fn fast_world_env() -> Vec<(&'static str, &'static str)> {
    FAST.to_vec()
}

#[tokio::test]
async fn a_conversations_life_arrives_signed_with_unique_event_ids() {
    let w = World::with_env(&fast_world_env()).await;
    let r = Receiver::default();
    let base = start_receiver(r.clone()).await;
    let all = [
        "conversation.created",
        "conversation.assigned",
        "conversation.transferred",
        "conversation.closed",
        "conversation.rated",
        "message.created",
        "offline_message.created",
        "visitor.identified",
    ];
    register(&w.api, &w.admin, &r, &base, "/life", &all).await;

    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c = conv_of(&visitor.say(None, "v1", "Hello").await);
    until_state(&mut agent, &c, "chatting").await;
    agent.say(Some(&c), "a1", "Hi, how can I help?").await;
    visitor.say(Some(&c), "v2", "My order is late").await;
    agent.say(Some(&c), "a2", "Let me look").await;
    agent
        .send(json!({ "type": "close", "id": "c", "conversation_id": c }))
        .await;
    agent.next_of("closed").await;
    let rated = visitor
        .request(json!({ "type": "rate", "id": "r", "conversation_id": c, "rating": 5 }))
        .await;
    assert_ne!(rated["type"], "error", "{rated}");

    let wanted = |h: &[Hit]| {
        let types: Vec<&str> = h.iter().map(|h| h.event_type.as_str()).collect();
        let n = |t| types.iter().filter(|x| **x == t).count();
        n("conversation.created") == 1
            && n("conversation.assigned") == 1
            && n("conversation.closed") == 1
            && n("conversation.rated") == 1
            && h.iter()
                .filter(|h| h.event_type == "message.created")
                .filter(|h| h.body["data"]["message"]["sender_kind"] != "bot")
                .count()
                == 4
    };
    eventually("the conversation's events", 30, || wanted(&r.hits("/life"))).await;
    let hits = r.hits("/life");
    assert!(
        hits.iter().all(|h| h.signed && h.answered == 200),
        "{hits:#?}"
    );
    let ids: HashSet<&str> = hits.iter().map(|h| h.event_id.as_str()).collect();
    assert_eq!(
        ids.len(),
        hits.len(),
        "an event id arrived twice: {hits:#?}"
    );
    for h in &hits {
        assert_eq!(h.body["id"], h.event_id.as_str());
        assert_eq!(h.body["type"], h.event_type.as_str());
        assert!(h.body["created_at"].is_string());
    }
    let of = |t: &str| hits.iter().find(|h| h.event_type == t).unwrap().body["data"].clone();
    assert_eq!(of("conversation.created")["conversation"]["id"], c.as_str());
    assert_eq!(
        of("conversation.assigned")["conversation"]["agent_id"],
        w.agent_id.as_str()
    );
    assert_eq!(
        of("conversation.closed")["conversation"]["close_reason"],
        "agent"
    );
    assert_eq!(of("conversation.rated")["conversation"]["rating"], 5);
    let bodies: Vec<&str> = hits
        .iter()
        .filter(|h| h.event_type == "message.created")
        .filter_map(|h| h.body["data"]["message"]["body"].as_str())
        .collect();
    for said in [
        "Hello",
        "Hi, how can I help?",
        "My order is late",
        "Let me look",
    ] {
        assert!(bodies.contains(&said), "{said} missing from {bodies:?}");
    }
    // System notices (joined, closed) are not message.created.
    assert!(hits
        .iter()
        .filter(|h| h.event_type == "message.created")
        .all(|h| h.body["data"]["message"]["sender_kind"] != "system"));
}

#[tokio::test]
async fn admin_api_checks_input_tenant_and_role() {
    let w = World::with_env(&fast_world_env()).await;
    let r = Receiver::default();
    let base = start_receiver(r.clone()).await;
    let id = register(&w.api, &w.owner, &r, &base, "/x", &["conversation.created"]).await;

    for bad in [
        "ftp://example.com/x",
        "not a url",
        "http://user:pw@example.com/",
        "/relative",
        "",
    ] {
        let reply = w
            .api
            .post(
                "/api/admin/webhooks",
                &w.admin,
                json!({ "url": bad, "events": ["message.created"] }),
            )
            .await;
        assert_eq!(reply.status, 422, "{bad}: {}", reply.body);
        assert_eq!(reply.field_errors(), vec!["url"], "{bad}");
    }
    let reply = w
        .api
        .post(
            "/api/admin/webhooks",
            &w.admin,
            json!({ "url": "https://example.com/", "events": ["message.sent"] }),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.field_errors(), vec!["events"]);
    let reply = w
        .api
        .post(
            "/api/admin/webhooks",
            &w.admin,
            json!({ "url": "https://example.com/", "events": [], "secret": "short" }),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.field_errors(), vec!["events", "secret"]);
    // Private address without the endpoint asking for it: refused, even on a server that allows.
    let reply = w
        .api
        .post(
            "/api/admin/webhooks",
            &w.admin,
            json!({ "url": format!("{base}/y"), "events": ["message.created"] }),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.field_errors(), vec!["url"]);

    // Another tenant's id is unknown.
    for reply in [
        w.api
            .get(&format!("/api/admin/webhooks/{id}"), &w.other_owner)
            .await,
        w.api
            .patch(
                &format!("/api/admin/webhooks/{id}"),
                &w.other_owner,
                json!({ "enabled": false }),
            )
            .await,
        w.api
            .get(
                &format!("/api/admin/webhooks/{id}/deliveries"),
                &w.other_owner,
            )
            .await,
        w.api
            .post(
                &format!("/api/admin/webhooks/{id}/test"),
                &w.other_owner,
                json!({}),
            )
            .await,
        w.api
            .delete(&format!("/api/admin/webhooks/{id}"), &w.other_owner)
            .await,
    ] {
        assert_eq!(reply.status, 404, "{}", reply.body);
    }
    let list = w.api.get("/api/admin/webhooks", &w.other_owner).await;
    assert_eq!(list.body, json!([]));
    // Agents do not manage webhooks.
    let reply = w.api.get("/api/admin/webhooks", &w.agent).await;
    assert_eq!(reply.status, 403);
    // Still there, unchanged, for its own tenant; then gone.
    let mine = w
        .api
        .get(&format!("/api/admin/webhooks/{id}"), &w.owner)
        .await;
    assert_eq!(mine.body["enabled"], true);
    assert_eq!(
        w.api
            .delete(&format!("/api/admin/webhooks/{id}"), &w.owner)
            .await
            .status,
        204
    );
    assert_eq!(
        w.api
            .get(&format!("/api/admin/webhooks/{id}"), &w.owner)
            .await
            .status,
        404
    );
    let audit = w.api.get("/api/admin/audit", &w.owner).await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"webhook.create") && actions.contains(&"webhook.delete"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn private_addresses_are_refused_when_the_server_does_not_allow_them() {
    let w = World::new().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest",
        "http://10.0.0.1/",
        "http://192.168.1.10/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost/",
    ] {
        let reply = w
            .api
            .post(
                "/api/admin/webhooks",
                &w.admin,
                json!({ "url": url, "events": ["message.created"] }),
            )
            .await;
        assert_eq!(reply.status, 422, "{url}: {}", reply.body);
        assert_eq!(reply.field_errors(), vec!["url"], "{url}");
    }
    let reply = w
        .api
        .post("/api/admin/webhooks", &w.admin, json!({ "url": "http://127.0.0.1:9/", "events": ["message.created"], "allow_private_network": true }))
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(reply
        .field_errors()
        .contains(&"allow_private_network".to_string()));
    assert_eq!(
        w.api.get("/api/admin/webhooks", &w.admin).await.body,
        json!([])
    );
}

#[tokio::test]
async fn retries_after_500s_follows_no_redirect_disables_and_redelivers() {
    let w = World::with_env(&fast_world_env()).await;
    let r = Receiver::default();
    let base = start_receiver(r.clone()).await;

    // 500 twice, then 200: delivered on the third attempt, the same event id each time.
    r.lock()
        .script
        .insert("/flaky".into(), VecDeque::from([500, 500]));
    let flaky = register(
        &w.api,
        &w.admin,
        &r,
        &base,
        "/flaky",
        &["conversation.created"],
    )
    .await;
    let ping = w
        .api
        .post(
            &format!("/api/admin/webhooks/{flaky}/test"),
            &w.admin,
            json!({}),
        )
        .await;
    assert_eq!(ping.status, 202, "{}", ping.body);
    let log = log_until(&w.api, &w.admin, &flaky, |l| {
        l.first().is_some_and(|d| d["status"] == "delivered")
    })
    .await;
    assert_eq!(log[0]["attempts"], 3, "{log:#?}");
    assert_eq!(log[0]["response_code"], 200);
    assert_eq!(log[0]["event_type"], "ping");
    assert_eq!(log[0]["body_excerpt"], "answered 200");
    assert!(log[0]["latency_ms"].as_i64().is_some());
    let hits = r.hits("/flaky");
    assert_eq!(
        hits.iter().map(|h| h.answered).collect::<Vec<_>>(),
        vec![500, 500, 200]
    );
    assert!(hits
        .iter()
        .all(|h| h.event_id == hits[0].event_id && h.signed));

    // Redeliver: the same event once more.
    let delivery = log[0]["id"].as_str().unwrap();
    let again = w
        .api
        .post(
            &format!("/api/admin/webhooks/deliveries/{delivery}/redeliver"),
            &w.admin,
            json!({}),
        )
        .await;
    assert_eq!(again.status, 202, "{}", again.body);
    eventually("the redelivery", 20, || r.hits("/flaky").len() == 4).await;
    assert_eq!(r.hits("/flaky")[3].event_id, hits[0].event_id);
    log_until(&w.api, &w.admin, &flaky, |l| {
        l[0]["attempts"] == 4 && l[0]["status"] == "delivered"
    })
    .await;
    let other = w
        .api
        .post(
            &format!("/api/admin/webhooks/deliveries/{delivery}/redeliver"),
            &w.other_owner,
            json!({}),
        )
        .await;
    assert_eq!(other.status, 404);

    // A 302 is a failure; its Location is never visited.
    r.lock().default.insert("/moved".into(), 302);
    let moved = register(
        &w.api,
        &w.admin,
        &r,
        &base,
        "/moved",
        &["conversation.created"],
    )
    .await;
    w.api
        .post(
            &format!("/api/admin/webhooks/{moved}/test"),
            &w.admin,
            json!({}),
        )
        .await;
    let log = log_until(&w.api, &w.admin, &moved, |l| {
        l.first().is_some_and(|d| d["attempts"].as_i64() >= Some(1))
    })
    .await;
    assert_eq!(log[0]["response_code"], 302);
    assert_ne!(log[0]["status"], "delivered");
    assert!(
        log[0]["error"].as_str().unwrap().contains("redirect"),
        "{}",
        log[0]
    );

    // Failing on: disabled after 4 failed attempts in a row, with a reason and an audit entry.
    let deadline = Instant::now() + Duration::from_secs(30);
    let endpoint = loop {
        let e = w
            .api
            .get(&format!("/api/admin/webhooks/{moved}"), &w.admin)
            .await
            .body;
        if e["enabled"] == false {
            break e;
        }
        assert!(Instant::now() < deadline, "never disabled: {e}");
        tokio::time::sleep(Duration::from_millis(150)).await;
    };
    assert!(
        endpoint["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("4 failed attempts"),
        "{endpoint}"
    );
    assert_eq!(r.hits("/moved").len(), 4);
    assert_eq!(r.lock().redirected_to, 0, "a redirect was followed");
    let audit = w.api.get("/api/admin/audit", &w.owner).await;
    assert!(
        audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "webhook.disabled" && e["target_id"] == moved.as_str()),
        "{}",
        audit.body
    );
    // A disabled endpoint gets nothing more, and refuses a test until enabled again.
    let refused = w
        .api
        .post(
            &format!("/api/admin/webhooks/{moved}/test"),
            &w.admin,
            json!({}),
        )
        .await;
    assert_eq!(refused.status, 409);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(r.hits("/moved").len(), 4);
    // The healthy endpoint kept working meanwhile.
    assert_eq!(
        w.api
            .get(&format!("/api/admin/webhooks/{flaky}"), &w.admin)
            .await
            .body["enabled"],
        true
    );
}

#[tokio::test]
async fn pending_deliveries_survive_a_kill_without_duplicates() {
    let mut env: Vec<(&str, &str)> = API_ENV.to_vec();
    env.extend(FAST.iter().filter(|(k, _)| !k.ends_with("DISABLE_AFTER")));
    env.push(("UNIQCHAT__WEBHOOKS__DISABLE_AFTER", "100000"));
    let mut server = TestServer::start(&env).await;
    let api = Api::new(&server);
    let tenant = common::api::init_tenant(&server, "Acme", "owner@acme.test");
    let owner = api.token(&tenant.owner_email, common::api::PASSWORD).await;
    let r = Receiver::default();
    let base = start_receiver(r.clone()).await;
    r.lock().default.insert("/kill".into(), 500);
    register(&api, &owner, &r, &base, "/kill", &["message.created"]).await;

    let (mut visitor, _) = Ws::visitor(&api, &tenant.site_key).await;
    let c = conv_of(&visitor.say(None, "m0", "message 0").await);
    for n in 1..10 {
        visitor
            .say(Some(&c), &format!("m{n}"), &format!("message {n}"))
            .await;
    }
    eventually("first failing attempts", 20, || r.hits("/kill").len() >= 3).await;

    // SIGKILL with the deliveries pending, then start again on the same database and data dir.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    r.lock().default.insert("/kill".into(), 200);
    let workdir = std::mem::replace(&mut server.workdir, tempfile::tempdir().unwrap());
    let mut env2 = env.clone();
    env2.push(("UNIQCHAT__DATABASE__URL", server.database_url.as_str()));
    let _again = TestServer::start_in(workdir, &env2).await;

    let acked = |r: &Receiver| -> Vec<Hit> {
        r.hits("/kill")
            .into_iter()
            .filter(|h| h.answered == 200 && h.body["data"]["message"]["sender_kind"] == "visitor")
            .collect()
    };
    eventually("every message after the restart", 40, || {
        acked(&r).len() >= 10
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let acked = acked(&r);
    let ids: HashSet<&str> = acked.iter().map(|h| h.event_id.as_str()).collect();
    assert_eq!(
        ids.len(),
        acked.len(),
        "an acknowledged event arrived twice"
    );
    assert_eq!(ids.len(), 10);
    let bodies: HashSet<&str> = acked
        .iter()
        .filter_map(|h| h.body["data"]["message"]["body"].as_str())
        .collect();
    assert_eq!(bodies.len(), 10);
    assert!(
        r.hits("/kill").iter().all(|h| h.signed),
        "a signature failed after the restart"
    );
}

/// A visitor the site verified (`uniqchat('identify')` with the right hash) is announced as
/// `visitor.identified` with their external id and attributes; a wrong hash announces nothing.
#[tokio::test]
async fn a_verified_visitor_is_announced() {
    let w = World::with_env(&fast_world_env()).await;
    let r = Receiver::default();
    let base = start_receiver(r.clone()).await;
    register(&w.api, &w.admin, &r, &base, "/who", &["visitor.identified"]).await;
    let secret = w.api.get("/api/admin/identity-secret", &w.admin).await;
    let secret = secret.body["secret"].as_str().unwrap().to_string();
    let session = w
        .api
        .call(
            reqwest::Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key })),
        )
        .await;
    let token = session.body["visitor_token"].as_str().unwrap().to_string();
    let identify = |hash: String| {
        w.api.call(
            reqwest::Method::POST,
            "/api/visitor/identify",
            None,
            Some(json!({
                "visitor_token": token,
                "user_id": "cust-42",
                "user_hash": hash,
                "name": "Kim",
                "attributes": { "plan": "gold" }
            })),
        )
    };
    let wrong = identify("00".repeat(32)).await;
    assert_eq!(wrong.status, 403, "{}", wrong.body);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(b"cust-42");
    let right = identify(hex::encode(mac.finalize().into_bytes())).await;
    assert_eq!(right.status, 200, "{}", right.body);

    eventually("visitor.identified", 20, || !r.hits("/who").is_empty()).await;
    // Give a wrongly sent second event time to arrive before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hits = r.hits("/who");
    assert_eq!(hits.len(), 1, "{hits:#?}");
    let hit = &hits[0];
    assert!(hit.signed);
    assert_eq!(hit.event_type, "visitor.identified");
    let visitor = &hit.body["data"]["visitor"];
    assert_eq!(visitor["external_id"], "cust-42", "{}", hit.body);
    assert_eq!(visitor["name"], "Kim");
    assert_eq!(visitor["attributes"]["plan"], "gold");
}
