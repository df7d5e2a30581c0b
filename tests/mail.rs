//! E-mail through the mail outbox, against a real SMTP server (aiosmtpd from PyPI, installed by
//! scripts/aiosmtpd.sh and started by the test on 127.0.0.1) that writes every message it
//! receives to a directory: recipients, subject, Message-ID and both parts are checked.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use common::api::{Api, World, API_ENV};
use common::server::{free_port, TestServer};
use common::ws::{conv_of, until_state, Ws};

/// Quick polling and retries, a one-second coalescing delay for replies.
const FAST: [(&str, &str); 5] = [
    ("UNIQCHAT__MAIL__POLL_MS", "100"),
    ("UNIQCHAT__MAIL__BACKOFF_BASE_MS", "200"),
    ("UNIQCHAT__MAIL__BACKOFF_MAX_SECS", "1"),
    ("UNIQCHAT__MAIL__TIMEOUT_SECS", "5"),
    ("UNIQCHAT__MAIL__REPLY_DELAY_SECS", "1"),
];

/// The python of the venv scripts/aiosmtpd.sh installs, once per test process.
fn smtp_python() -> String {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let root = env!("CARGO_MANIFEST_DIR");
        let out = Command::new(format!("{root}/scripts/aiosmtpd.sh"))
            .output()
            .expect("scripts/aiosmtpd.sh");
        assert!(
            out.status.success(),
            "aiosmtpd.sh: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    })
    .clone()
}

/// aiosmtpd on a port, writing what it receives to a directory; killed when dropped.
struct Smtp {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

impl Smtp {
    async fn start() -> Smtp {
        Self::start_on(free_port(), tempfile::tempdir().unwrap()).await
    }

    async fn start_on(port: u16, dir: tempfile::TempDir) -> Smtp {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/server.py");
        let child = Command::new(smtp_python())
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the SMTP server");
        let deadline = Instant::now() + Duration::from_secs(30);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "SMTP server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Smtp {
            child: Some(child),
            port,
            dir,
        }
    }

    /// Every message received so far, parsed.
    fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }

    fn to(&self, recipient: &str) -> Vec<Value> {
        self.messages()
            .into_iter()
            .filter(|m| m["rcpt_to"].as_array().unwrap().contains(&json!(recipient)))
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

async fn eventually<F: FnMut() -> bool>(what: &str, secs: u64, mut done: F) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn settings(port: u16) -> Value {
    json!({
        "host": "127.0.0.1", "port": port, "tls": "none",
        "from_address": "support@acme.test", "from_name": "Acme Support",
        "team_address": "", "transcript_on_close": false,
    })
}

async fn put_settings(api: &Api, token: &str, body: Value) {
    let r = api.put("/api/admin/mail", token, Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn outbox(api: &Api, token: &str) -> Vec<Value> {
    let r = api.get("/api/admin/mail/outbox", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body.as_array().unwrap().clone()
}

async fn world() -> World {
    World::with_env(&FAST).await
}

/// A visitor who left an address, with an open socket.
async fn visitor_with_email(api: &Api, site_key: &str, email: &str, lang: &str) -> (Ws, Value) {
    let session = api
        .call(
            reqwest::Method::POST,
            "/api/visitor/session",
            None,
            Some(
                json!({ "site_key": site_key, "email": email, "language": lang,
                         "page_url": "https://shop.acme.test/cart?x=1" }),
            ),
        )
        .await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    let token = session.body["visitor_token"].as_str().unwrap();
    let ws = Ws::connect(&api.base, "/ws/visitor", token).await.unwrap();
    (ws, session.body)
}

#[tokio::test]
async fn settings_round_trip_refuse_bad_input_and_stay_in_their_tenant() {
    let w = world().await;
    let empty = w.api.get("/api/admin/mail", &w.owner).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body["configured"], false);

    let mut good = settings(2525);
    good["tls"] = json!("starttls");
    good["username"] = json!("mailer");
    good["password"] = json!("s3cret-pass");
    good["team_address"] = json!("Team@Acme.test");
    put_settings(&w.api, &w.admin, good.clone()).await;
    let got = w.api.get("/api/admin/mail", &w.owner).await.body;
    assert_eq!(got["configured"], true);
    assert_eq!(got["host"], "127.0.0.1");
    assert_eq!(got["port"], 2525);
    assert_eq!(got["tls"], "starttls");
    assert_eq!(got["username"], "mailer");
    assert_eq!(got["password_set"], true);
    assert_eq!(got["team_address"], "team@acme.test");
    assert!(got.get("password").is_none(), "{got}");
    assert!(!got.to_string().contains("s3cret"), "{got}");

    // Without a password in the body the stored one stays; "" removes it.
    let mut keep = good.clone();
    keep.as_object_mut().unwrap().remove("password");
    put_settings(&w.api, &w.admin, keep).await;
    assert_eq!(
        w.api.get("/api/admin/mail", &w.owner).await.body["password_set"],
        true
    );

    for (field, value) in [
        ("port", json!(0)),
        ("port", json!(70000)),
        ("tls", json!("ssl")),
        ("from_address", json!("not-an-address")),
        ("team_address", json!("a@b")),
        ("host", json!("smtp.acme.test\r\nRCPT TO:<x@y.z>")),
        ("from_name", json!("Acme\nBcc: x@y.z")),
        ("host", json!("")),
    ] {
        let mut bad = good.clone();
        bad[field] = value.clone();
        let r = w.api.put("/api/admin/mail", &w.admin, Some(bad)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}: {}",
            r.body
        );
        assert_eq!(r.code(), "validation_failed");
        assert!(
            r.field_errors().contains(&field.to_string()),
            "{field}: {}",
            r.body
        );
    }
    assert_eq!(
        w.api.get("/api/admin/mail", &w.owner).await.body,
        got,
        "bad input changed nothing"
    );

    // An agent may not change them; another tenant sees none of it.
    let r = w
        .api
        .put("/api/admin/mail", &w.agent, Some(good.clone()))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let theirs = w.api.get("/api/admin/mail", &w.other_owner).await.body;
    assert_eq!(theirs["configured"], false);
    let queued = w
        .api
        .post(
            "/api/admin/mail/test",
            &w.admin,
            json!({"to": "me@acme.test"}),
        )
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
    assert!(outbox(&w.api, &w.other_owner).await.is_empty());
    let refused = w
        .api
        .post(
            "/api/admin/mail/test",
            &w.other_owner,
            json!({"to": "me@globex.test"}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::CONFLICT,
        "no settings, no test mail"
    );
    let bad_to = w
        .api
        .post("/api/admin/mail/test", &w.admin, json!({"to": "nobody"}))
        .await;
    assert_eq!(bad_to.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(outbox(&w.api, &w.owner).await.len(), 1);
}

#[tokio::test]
async fn a_test_mail_arrives_with_both_parts_and_shows_as_sent() {
    let smtp = Smtp::start().await;
    let w = world().await;
    put_settings(&w.api, &w.admin, settings(smtp.port)).await;
    let queued = w
        .api
        .post(
            "/api/admin/mail/test",
            &w.admin,
            json!({"to": "me@acme.test"}),
        )
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
    assert_eq!(queued.body["status"], "pending");
    eventually("the test mail", 30, || !smtp.to("me@acme.test").is_empty()).await;
    let m = &smtp.to("me@acme.test")[0];
    assert_eq!(m["mail_from"], "support@acme.test");
    assert!(m["from"].as_str().unwrap().contains("Acme Support"), "{m}");
    assert!(m["subject"].as_str().unwrap().contains("Test mail"), "{m}");
    assert_eq!(m["message_id"], queued.body["message_id"]);
    assert_eq!(m["content_type"], "multipart/alternative");
    assert!(
        m["text"].as_str().unwrap().contains("SMTP settings work"),
        "{m}"
    );
    assert!(m["html"].as_str().unwrap().contains("<html>"), "{m}");
    let mut rows = Vec::new();
    for _ in 0..100 {
        rows = outbox(&w.api, &w.owner).await;
        if rows[0]["status"] == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(rows[0]["status"], "sent", "{rows:?}");
    assert_eq!(rows[0]["attempts"], 1);
    assert!(rows[0]["sent_at"].is_string());
}

#[tokio::test]
async fn a_conversation_started_with_nobody_available_alerts_the_team() {
    let smtp = Smtp::start().await;
    let w = world().await;
    let mut s = settings(smtp.port);
    s["team_address"] = json!("team@acme.test");
    put_settings(&w.api, &w.admin, s).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c = conv_of(
        &visitor
            .say(None, "v1", "Is anyone there? <b>urgent</b>")
            .await,
    );
    eventually("the offline alert", 30, || {
        !smtp.to("team@acme.test").is_empty()
    })
    .await;
    let m = &smtp.to("team@acme.test")[0];
    assert!(m["subject"].as_str().unwrap().contains("[Acme]"), "{m}");
    assert!(m["text"]
        .as_str()
        .unwrap()
        .contains("Is anyone there? <b>urgent</b>"));
    let html = m["html"].as_str().unwrap();
    assert!(
        html.contains("&lt;b&gt;urgent&lt;/b&gt;"),
        "user text is escaped: {html}"
    );
    assert!(m["text"]
        .as_str()
        .unwrap()
        .contains(&format!("/agent#conversation={c}")));
    // Nobody else got it.
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn an_absent_visitor_gets_the_reply_by_mail_with_a_link_that_reopens_the_chat() {
    let smtp = Smtp::start().await;
    let w = world().await;
    put_settings(&w.api, &w.admin, settings(smtp.port)).await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, session) =
        visitor_with_email(&w.api, &w.a.site_key, "vera@example.test", "zh-CN").await;
    let c = conv_of(&visitor.say(None, "v1", "我的订单在哪里？").await);
    until_state(&mut agent, &c, "chatting").await;
    // The visitor is connected: no mail.
    agent.say(Some(&c), "a1", "Let me check, one moment").await;
    assert!(
        outbox(&w.api, &w.owner).await.is_empty(),
        "no mail while connected"
    );
    visitor.close().await;
    // Gone now: two answers in a burst make one mail.
    let mut queued = false;
    for n in 0..50 {
        agent
            .say(Some(&c), &format!("a2-{n}"), "It ships tomorrow")
            .await;
        if !outbox(&w.api, &w.owner).await.is_empty() {
            queued = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(queued, "a reply mail was queued once the visitor left");
    agent.say(Some(&c), "a3", "Tracking: <ZX-1>").await;
    eventually("the reply mail", 30, || {
        !smtp.to("vera@example.test").is_empty()
    })
    .await;
    let rows = outbox(&w.api, &w.owner).await;
    assert_eq!(rows.len(), 1, "one mail for the burst: {rows:?}");
    assert_eq!(rows[0]["kind"], "reply");
    assert_eq!(rows[0]["language"], "zh");
    let m = &smtp.to("vera@example.test")[0];
    assert!(m["subject"].as_str().unwrap().contains("新回复"), "{m}");
    let text = m["text"].as_str().unwrap();
    for said in [
        "我的订单在哪里？",
        "Let me check, one moment",
        "It ships tomorrow",
        "Tracking: <ZX-1>",
    ] {
        assert!(text.contains(said), "{said} in {text}");
    }
    assert!(m["html"]
        .as_str()
        .unwrap()
        .contains("Tracking: &lt;ZX-1&gt;"));

    // The link goes to the page the visitor was on, with the reopen token.
    let prefix = "https://shop.acme.test/cart?x=1#uniqchat_reopen=";
    let start = text.find(prefix).expect("the reopen link") + prefix.len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let reopened = w
        .api
        .call(
            reqwest::Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key, "reopen_token": token })),
        )
        .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
    assert_eq!(reopened.body["visitor"]["id"], session["visitor"]["id"]);
    assert_eq!(reopened.body["conversation"]["id"], json!(c));
    // The session works: the conversation's history comes back over the socket.
    let fresh = reopened.body["visitor_token"].as_str().unwrap();
    let mut again = Ws::connect(&w.api.base, "/ws/visitor", fresh)
        .await
        .unwrap();
    again
        .request(json!({"type": "resume", "id": "r", "conversations": { c.clone(): 0 }}))
        .await;
    let mut history = Vec::new();
    while let Some(f) = again.try_next(Duration::from_millis(500)).await {
        if f["type"] == "message" {
            history.push(f["message"]["body"].as_str().unwrap_or("").to_string());
        }
    }
    assert!(
        history.iter().any(|b| b == "Tracking: <ZX-1>"),
        "{history:?}"
    );

    // A changed token names nobody: a new visitor.
    let forged = w
        .api
        .call(
            reqwest::Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key, "reopen_token": format!("{token}x") })),
        )
        .await;
    assert_eq!(forged.status, StatusCode::OK);
    assert_ne!(forged.body["visitor"]["id"], session["visitor"]["id"]);
    // Another tenant's site does not take it.
    let elsewhere = w
        .api
        .call(
            reqwest::Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.b.site_key, "reopen_token": token })),
        )
        .await;
    assert_ne!(elsewhere.body["visitor"]["id"], session["visitor"]["id"]);
}

#[tokio::test]
async fn transcripts_on_request_and_at_close() {
    let smtp = Smtp::start().await;
    let w = world().await;
    let mut s = settings(smtp.port);
    s["transcript_on_close"] = json!(true);
    put_settings(&w.api, &w.admin, s).await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, session) =
        visitor_with_email(&w.api, &w.a.site_key, "tom@example.test", "en-GB").await;
    let token = session["visitor_token"].as_str().unwrap().to_string();
    let c = conv_of(&visitor.say(None, "v1", "Where is my parcel?").await);
    until_state(&mut agent, &c, "chatting").await;
    agent.say(Some(&c), "a1", "On its way").await;

    let r = w
        .api
        .post(
            "/api/visitor/transcript",
            &token,
            json!({ "conversation_id": c, "email": "copy@example.test" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    eventually("the requested transcript", 30, || {
        !smtp.to("copy@example.test").is_empty()
    })
    .await;
    let m = &smtp.to("copy@example.test")[0];
    assert!(m["subject"].as_str().unwrap().contains("Transcript"), "{m}");
    let text = m["text"].as_str().unwrap();
    assert!(
        text.contains("Where is my parcel?") && text.contains("On its way"),
        "{text}"
    );

    // Bad input: someone else's conversation, a bad address, no auth.
    let (_, other) = Ws::visitor(&w.api, &w.a.site_key).await;
    let stranger = other["visitor_token"].as_str().unwrap();
    let r = w
        .api
        .post(
            "/api/visitor/transcript",
            stranger,
            json!({ "conversation_id": c, "email": "x@example.test" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = w
        .api
        .post(
            "/api/visitor/transcript",
            &token,
            json!({ "conversation_id": c, "email": "nope" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = w
        .api
        .post(
            "/api/visitor/transcript",
            "",
            json!({ "conversation_id": c }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // A visitor may ask a few times per conversation, not without end.
    let mut answers = Vec::new();
    for n in 0..6 {
        let r = w
            .api
            .post(
                "/api/visitor/transcript",
                &token,
                json!({ "conversation_id": c, "email": format!("more{n}@example.test") }),
            )
            .await;
        answers.push(r.status);
    }
    assert_eq!(answers[..4], [StatusCode::ACCEPTED; 4], "{answers:?}");
    assert_eq!(answers[4..], [StatusCode::CONFLICT; 2], "{answers:?}");

    // Closing sends the transcript to the address the visitor left.
    agent
        .send(json!({ "type": "close", "id": "c", "conversation_id": c }))
        .await;
    agent.next_of("closed").await;
    eventually("the transcript at close", 30, || {
        !smtp.to("tom@example.test").is_empty()
    })
    .await;
    let m = &smtp.to("tom@example.test")[0];
    assert!(m["text"].as_str().unwrap().contains("On its way"));
    visitor.close().await;
}

#[tokio::test]
async fn a_mail_is_retried_while_the_smtp_server_is_down_and_delivered_when_it_is_back() {
    let port = free_port();
    let w = world().await;
    put_settings(&w.api, &w.admin, settings(port)).await;
    let queued = w
        .api
        .post(
            "/api/admin/mail/test",
            &w.admin,
            json!({"to": "late@acme.test"}),
        )
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED);
    let mut failed = Value::Null;
    for _ in 0..300 {
        let rows = outbox(&w.api, &w.owner).await;
        if rows[0]["attempts"].as_i64().unwrap() >= 2 {
            failed = rows[0].clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed["status"], "pending", "{failed}");
    assert!(
        failed["last_error"].as_str().is_some_and(|e| !e.is_empty()),
        "{failed}"
    );
    let smtp = Smtp::start_on(port, tempfile::tempdir().unwrap()).await;
    eventually("the delivery after the server came back", 30, || {
        !smtp.to("late@acme.test").is_empty()
    })
    .await;
    let m = &smtp.to("late@acme.test")[0];
    assert_eq!(m["message_id"], queued.body["message_id"]);
}

#[tokio::test]
async fn nothing_is_sent_twice_across_a_restart() {
    let port = free_port();
    let mut env: Vec<(&str, &str)> = API_ENV.to_vec();
    env.extend_from_slice(&FAST);
    let mut server = TestServer::start(&env).await;
    let api = Api::new(&server);
    let tenant = common::api::init_tenant(&server, "Acme", "owner@acme.test");
    let owner = api.token(&tenant.owner_email, common::api::PASSWORD).await;
    put_settings(&api, &owner, settings(port)).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let q = api
            .post(
                "/api/admin/mail/test",
                &owner,
                json!({"to": format!("r{n}@acme.test")}),
            )
            .await;
        assert_eq!(q.status, StatusCode::ACCEPTED);
        ids.push(q.body["message_id"].as_str().unwrap().to_string());
    }
    for _ in 0..300 {
        let rows = outbox(&api, &owner).await;
        if rows.iter().all(|r| r["attempts"].as_i64().unwrap() >= 1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Kill the server with the mail pending, bring SMTP up, start again on the same database.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let smtp = Smtp::start_on(port, tempfile::tempdir().unwrap()).await;
    let workdir = std::mem::replace(&mut server.workdir, tempfile::tempdir().unwrap());
    let mut env2 = env.clone();
    env2.push(("UNIQCHAT__DATABASE__URL", server.database_url.as_str()));
    let again = TestServer::start_in(workdir, &env2).await;
    let api = Api::new(&again);
    let owner = api.token(&tenant.owner_email, common::api::PASSWORD).await;
    eventually("every mail after the restart", 30, || {
        smtp.messages().len() >= 3
    })
    .await;
    let mut sent = Vec::new();
    for _ in 0..100 {
        sent = outbox(&api, &owner).await;
        if sent.iter().all(|r| r["status"] == "sent") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sent.iter().all(|r| r["status"] == "sent"), "{sent:?}");
    // Give a stray second send every chance to show: another full round of the worker.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = smtp.messages();
    for id in &ids {
        let n = got.iter().filter(|m| m["message_id"] == json!(id)).count();
        assert_eq!(n, 1, "{id} arrived {n} times");
    }
}

#[tokio::test]
async fn agents_who_are_offline_get_a_digest_of_what_waits() {
    let smtp = Smtp::start().await;
    let mut env = FAST.to_vec();
    env.push(("UNIQCHAT__MAIL__DIGEST_EVERY_SECS", "2"));
    let w = World::with_env(&env).await;
    let mut s = settings(smtp.port);
    s["team_address"] = json!("team@acme.test");
    put_settings(&w.api, &w.admin, s).await;
    // The agent is connected but away: routing passes them by, and they are not offline.
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let answer = agent
        .request(json!({ "type": "status", "id": "s", "status": "away" }))
        .await;
    assert_ne!(answer["type"], "error", "{answer}");
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c = conv_of(&visitor.say(None, "d1", "Where is order <1234>?").await);

    // The owner and the admin never signed in: their status is offline.
    for who in ["owner@acme.test", "admin@acme.test"] {
        eventually("the digest", 30, || {
            smtp.to(who).iter().any(|m| {
                m["subject"]
                    .as_str()
                    .unwrap()
                    .contains("waiting for an answer")
            })
        })
        .await;
    }
    let digest = smtp
        .to("owner@acme.test")
        .into_iter()
        .find(|m| {
            m["subject"]
                .as_str()
                .unwrap()
                .contains("waiting for an answer")
        })
        .unwrap();
    assert_eq!(
        digest["subject"],
        "[Acme] Conversations waiting for an answer"
    );
    let text = digest["text"].as_str().unwrap();
    assert!(text.contains("1 conversation started"), "{text}");
    assert!(text.contains("Where is order <1234>?"), "{text}");
    assert!(text.contains(&format!("/agent#conversation={c}")), "{text}");
    assert!(digest["html"]
        .as_str()
        .unwrap()
        .contains("Where is order &lt;1234&gt;?"));

    // Nobody who is not offline got one, and the outbox says whom it was for.
    let digests: Vec<String> = outbox(&w.api, &w.admin)
        .await
        .into_iter()
        .filter(|m| m["kind"] == "digest")
        .map(|m| m["recipient"].as_str().unwrap().to_string())
        .collect();
    assert!(
        digests.contains(&"owner@acme.test".to_string()),
        "{digests:?}"
    );
    assert!(
        !digests.contains(&"agent@acme.test".to_string()),
        "{digests:?}"
    );
    assert!(smtp.to("agent@acme.test").is_empty());
    // Another tenant's owner hears nothing of Acme's queue (it has no SMTP settings).
    assert!(smtp.to("owner@globex.test").is_empty());
    agent.close().await;
}
