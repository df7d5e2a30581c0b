//! Hot/cold archive and deletion (docs/retention.md) over a real server and the real
//! `uniqchat archive` command, on local storage and on an S3-compatible server (moto): the
//! round trip reads back what was there, deletion removes rows, objects and files, a dry run
//! changes nothing, a crash between the object and the transaction loses and duplicates
//! nothing, and another tenant reads nothing. Runs on the backend of UNIQCHAT_TEST_BACKEND.

mod common;
#[path = "archive/history.rs"]
mod history;

use std::process::Output;
use std::time::{Duration, Instant};

use common::api::World;
use common::server::{cli, run};
use common::ws::{conv_of, Ws};
use history::History;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uniqchat::store::{ConnectSettings, Store};

async fn api_token(w: &World, scopes: &[&str]) -> String {
    let r = w
        .api
        .post(
            "/api/admin/api-tokens",
            &w.owner,
            json!({ "name": "archive", "scopes": scopes }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["secret"].as_str().unwrap().to_string()
}

/// What agents and API tokens read of a conversation: the workspace history and the
/// `/api/v1` conversation with its messages.
async fn views(w: &World, token: &str, id: &str) -> (Value, Value) {
    let history = w
        .api
        .get(&format!("/api/agent/conversations/{id}/messages"), &w.agent)
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    let v1 = w
        .api
        .get(&format!("/api/v1/conversations/{id}"), token)
        .await;
    assert_eq!(v1.status, StatusCode::OK, "{}", v1.body);
    (history.body, v1.body)
}

fn archive_cmd(w: &World, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = cli(w.server.workdir.path());
    cmd.args(["--database-url", &w.server.database_url, "archive"])
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(&mut cmd)
}

fn stdout_ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "archive: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

async fn set_days(w: &World, archive: u32, delete: u32) {
    let r = w
        .api
        .patch(
            "/api/admin/settings",
            &w.owner,
            json!({ "archive_after_days": archive, "delete_after_days": delete }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["archive_after_days"], archive);
    assert_eq!(r.body["delete_after_days"], delete);
}

fn local_object(w: &World, key: &str) -> std::path::PathBuf {
    w.server.workdir.path().join("data/files").join(key)
}

fn archive_key(tenant: &str, id: &str) -> String {
    format!("archive/{tenant}/{id}.json.zst")
}

async fn store(w: &World) -> Store {
    Store::connect(&ConnectSettings {
        url: w.server.database_url.clone(),
        max_connections: 2,
        connect_timeout: Duration::from_secs(5),
    })
    .await
    .expect("connect a store")
}

#[tokio::test]
async fn the_settings_are_checked_together() {
    let w = World::new().await;
    let r = w.api.get("/api/admin/settings", &w.owner).await;
    assert_eq!(
        (&r.body["archive_after_days"], &r.body["delete_after_days"]),
        (&json!(0), &json!(0))
    );
    for (bad, status) in [
        (
            json!({ "archive_after_days": 30, "delete_after_days": 30 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "archive_after_days": 30, "delete_after_days": 10 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "archive_after_days": 36501 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({ "archive_after_days": -1 }), StatusCode::BAD_REQUEST),
        (
            json!({ "delete_after_days": "soon" }),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let r = w
            .api
            .patch("/api/admin/settings", &w.owner, bad.clone())
            .await;
        assert_eq!(r.status, status, "{bad}: {}", r.body);
    }
    let r = w.api.get("/api/admin/settings", &w.owner).await;
    assert_eq!(r.body["archive_after_days"], 0, "nothing changed");
    set_days(&w, 30, 365).await;
    // Only one of them: checked against the other as stored.
    let r = w
        .api
        .patch(
            "/api/admin/settings",
            &w.owner,
            json!({ "delete_after_days": 20 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.field_errors().contains(&"delete_after_days".to_string()));
    set_days(&w, 0, 20).await;
    // An agent may not change them.
    let r = w
        .api
        .patch(
            "/api/admin/settings",
            &w.agent,
            json!({ "archive_after_days": 5 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn archive_round_trip_on_local_storage() {
    let w = World::new().await;
    let token = api_token(&w, &["conversations:read", "conversations:write"]).await;
    set_days(&w, 30, 0).await;
    let mut h = History::new(&w.server.database_url, &w.a.id, &w.agent_id).await;
    let mut old = Vec::new();
    for label in ["alpha", "bravo", "charlie"] {
        old.push(h.conversation(Some(100), label).await);
    }
    let recent = h.conversation(Some(5), "recent").await;
    let open = h.conversation(None, "open").await;
    // Tenant B archives nothing: its old conversation stays hot.
    let mut hb = History::new(&w.server.database_url, &w.b.id, "nobody").await;
    let other = hb.conversation(Some(100), "globex").await;
    let mut before = Vec::new();
    for id in &old {
        before.push(views(&w, &token, id).await);
    }

    let out = stdout_ok(&archive_cmd(&w, &["--dry-run"], &[]));
    assert!(
        out.contains(&format!(
            "tenant {}: would archive 3, would delete 0",
            w.a.id
        )),
        "{out}"
    );
    assert!(!out.contains(&w.b.id), "{out}");
    for id in &old {
        assert_eq!(h.hot_messages(id).await, 4, "a dry run changes nothing");
        assert!(!h.archived(id).await);
        assert!(!local_object(&w, &archive_key(&w.a.id, id)).exists());
    }

    let out = stdout_ok(&archive_cmd(&w, &[], &[]));
    assert!(
        out.contains(&format!("tenant {}: archived 3, deleted 0", w.a.id)),
        "{out}"
    );
    for (id, seen) in old.iter().zip(&before) {
        assert!(h.archived(id).await);
        assert_eq!(h.hot_messages(id).await, 0, "the hot rows are gone");
        let object = std::fs::read(local_object(&w, &archive_key(&w.a.id, id))).expect("object");
        let doc: Value =
            serde_json::from_slice(&zstd::decode_all(object.as_slice()).unwrap()).unwrap();
        assert_eq!(doc["format"], "uniqchat.conversation-archive");
        assert_eq!(doc["version"], 1);
        assert_eq!(doc["messages"].as_array().unwrap().len(), 4);
        assert_eq!(&views(&w, &token, id).await, seen, "read back as before");
    }
    for id in [&recent, &open] {
        assert_eq!(h.hot_messages(id).await, 4);
        assert!(!h.archived(id).await);
    }
    assert_eq!(hb.hot_messages(&other).await, 4);

    // A privacy export (docs/privacy.md) includes the archived messages.
    let visitor = before[0].1["conversation"]["visitor_id"]
        .as_str()
        .unwrap()
        .to_string();
    let export = w
        .api
        .get(&format!("/api/admin/visitors/{visitor}/export"), &w.owner)
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    let exported = &export.body["conversations"][0];
    assert_eq!(exported["id"], old[0].as_str());
    let bodies: Vec<&str> = exported["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies.len(), 4, "{exported}");
    assert!(bodies.contains(&"where is my parcel (alpha)"), "{bodies:?}");

    // Read-only: a send is refused with its own code.
    let r = w
        .api
        .post(
            &format!("/api/v1/conversations/{}/messages", old[0]),
            &token,
            json!({ "agent_id": w.agent_id, "client_msg_id": "late-1", "body": "still there?" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.code(), "conversation_archived");
    // Another tenant reads nothing of it.
    let r = w
        .api
        .get(
            &format!("/api/agent/conversations/{}/messages", old[0]),
            &w.other_owner,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // The workspace's search lists it by its summary, with the matched part marked.
    let found = w
        .api
        .get("/api/agent/search?q=BRAVO%40customer", &w.agent)
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let archived = found.body["archived"].as_array().unwrap();
    assert_eq!(archived.len(), 1, "{}", found.body);
    assert_eq!(archived[0]["conversation_id"], old[1].as_str());
    assert_eq!(archived[0]["message_count"], 4);
    assert!(!archived[0]["snippet"]["marks"]
        .as_array()
        .unwrap()
        .is_empty());
    let theirs = w.api.get("/api/agent/search?q=bravo", &w.other_owner).await;
    assert_eq!(theirs.body["archived"], json!([]), "{}", theirs.body);

    // Found by summary, in its own tenant only.
    let s = store(&w).await;
    let found = s
        .search_archived(&w.a.id, "BRAVO@customer", 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].conversation_id, old[1]);
    assert_eq!(
        s.search_archived(&w.a.id, "ships tomorrow", 10)
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(
        s.search_archived(&w.a.id, "reseller", 10)
            .await
            .unwrap()
            .is_empty(),
        "notes are not in the summary"
    );
    assert!(s
        .search_archived(&w.b.id, "bravo", 10)
        .await
        .unwrap()
        .is_empty());
    s.close().await.ok();

    // A second run finds nothing left to do.
    let out = stdout_ok(&archive_cmd(&w, &[], &[]));
    assert!(
        out.contains(&format!("tenant {}: archived 0, deleted 0", w.a.id)),
        "{out}"
    );
}

#[tokio::test]
async fn archive_round_trip_on_s3() {
    let moto = common::moto::start_moto().await;
    let env = common::moto::s3_env(&moto);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let w = World::with_env(&pairs).await;
    let token = api_token(&w, &["conversations:read"]).await;
    set_days(&w, 30, 0).await;
    let mut h = History::new(&w.server.database_url, &w.a.id, &w.agent_id).await;
    let id = h.conversation(Some(60), "s3").await;
    let before = views(&w, &token, &id).await;

    let out = stdout_ok(&archive_cmd(&w, &[], &env));
    assert!(out.contains("archived 1"), "{out}");
    let listing = common::moto::keys(&moto).await;
    assert!(listing.contains(&archive_key(&w.a.id, &id)), "{listing:?}");
    assert_eq!(h.hot_messages(&id).await, 0);
    assert_eq!(
        views(&w, &token, &id).await,
        before,
        "read back from S3 as before"
    );
}

#[tokio::test]
async fn deletion_removes_rows_objects_and_files() {
    let w = World::new().await;
    set_days(&w, 30, 0).await;
    let mut h = History::new(&w.server.database_url, &w.a.id, &w.agent_id).await;
    let archived_first = h.conversation(Some(400), "archived-first").await;
    stdout_ok(&archive_cmd(&w, &[], &[]));
    assert!(h.archived(&archived_first).await);
    assert!(local_object(&w, &archive_key(&w.a.id, &archived_first)).exists());

    set_days(&w, 30, 365).await;
    let hot = h.conversation(Some(400), "hot").await;
    let file = h.attachment(&hot).await;
    let path = local_object(&w, &file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"hello").unwrap();
    let kept = h.conversation(Some(100), "kept").await;

    let out = stdout_ok(&archive_cmd(&w, &["--dry-run", "--tenant", &w.a.id], &[]));
    assert!(out.contains("would archive 1, would delete 2"), "{out}");
    assert!(h.exists(&hot).await && path.exists());

    let out = stdout_ok(&archive_cmd(&w, &["--tenant", &w.a.id], &[]));
    assert!(out.contains("archived 1, deleted 2"), "{out}");
    for id in [&archived_first, &hot] {
        assert!(!h.exists(id).await, "the conversation row is gone");
        assert!(!h.archived(id).await);
        assert_eq!(h.hot_messages(id).await, 0);
        assert!(!local_object(&w, &archive_key(&w.a.id, id)).exists());
        let r = w
            .api
            .get(&format!("/api/agent/conversations/{id}/messages"), &w.agent)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    assert!(!path.exists(), "the attached file is gone");
    assert_eq!(h.attachments(&hot).await, 0);
    assert!(
        h.archived(&kept).await,
        "younger than delete_after_days: archived, kept"
    );

    let out = archive_cmd(&w, &["--tenant", "no-such-tenant"], &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_crash_between_object_and_transaction_loses_and_duplicates_nothing() {
    let w = World::new().await;
    let token = api_token(&w, &["conversations:read"]).await;
    set_days(&w, 30, 0).await;
    let mut h = History::new(&w.server.database_url, &w.a.id, &w.agent_id).await;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(h.conversation(Some(50), &format!("crash{i}")).await);
    }
    let mut before = Vec::new();
    for id in &ids {
        before.push(views(&w, &token, id).await);
    }

    // The 5th object is written, then the process dies before its transaction.
    let env = [("UNIQCHAT_TEST_ARCHIVE_ABORT_AFTER", "5".to_string())];
    let out = archive_cmd(&w, &[], &env);
    assert!(!out.status.success(), "the run was to crash");
    let mut archived = 0;
    let mut written_not_swapped = 0;
    for id in &ids {
        let is_archived = h.archived(id).await;
        let hot = h.hot_messages(id).await;
        let object = local_object(&w, &archive_key(&w.a.id, id)).exists();
        match (is_archived, hot) {
            (true, 0) => archived += 1,
            (false, 4) if object => written_not_swapped += 1,
            (false, 4) => {}
            other => panic!("conversation {id} half moved: {other:?}"),
        }
    }
    assert_eq!((archived, written_not_swapped), (4, 1));

    let out = stdout_ok(&archive_cmd(&w, &[], &[]));
    assert!(out.contains("archived 8"), "{out}");
    for (id, seen) in ids.iter().zip(&before) {
        assert!(h.archived(id).await);
        assert_eq!(h.hot_messages(id).await, 0);
        assert_eq!(&views(&w, &token, id).await, seen, "exactly what was there");
    }
}

/// Everything `resume` from 0 replays of a conversation: its message frames' (seq, body).
async fn replay(ws: &mut Ws, conversation: &str) -> Vec<(i64, String)> {
    ws.clear().await;
    let done = ws
        .request(json!({ "type": "resume", "id": "r1", "conversations": { conversation: 0 } }))
        .await;
    assert_eq!(done["type"], "resumed", "{done}");
    let mut seen = Vec::new();
    while let Some(f) = ws.try_next(Duration::from_millis(300)).await {
        if f["type"] == "message" {
            let m = &f["message"];
            seen.push((
                m["seq"].as_i64().unwrap(),
                m["body"].as_str().unwrap().to_string(),
            ));
        }
    }
    seen
}

#[tokio::test]
async fn visitors_and_agents_resume_an_archived_conversation_read_only() {
    let w = World::new().await;
    set_days(&w, 30, 0).await;
    let mut h = History::new(&w.server.database_url, &w.a.id, &w.agent_id).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c = conv_of(&visitor.say(None, "v1", "my order is late").await);
    h.note_and_close(&c, 60).await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let before = (replay(&mut visitor, &c).await, replay(&mut agent, &c).await);
    let note = |seen: &Vec<(i64, String)>| seen.iter().any(|(_, b)| b.contains("must not see"));
    assert!(
        !note(&before.0),
        "the visitor never sees the note: {:?}",
        before.0
    );
    assert!(note(&before.1), "the agent does: {:?}", before.1);
    assert_eq!(before.1.len(), before.0.len() + 1);

    let out = stdout_ok(&archive_cmd(&w, &[], &[]));
    assert!(out.contains("archived 1"), "{out}");
    assert_eq!(h.hot_messages(&c).await, 0);
    let after = (replay(&mut visitor, &c).await, replay(&mut agent, &c).await);
    assert_eq!(
        after, before,
        "resumed from the archive as from the hot tables"
    );

    // The agent cannot write in it: refused with its code.
    let r = agent
        .request(json!({ "type": "send", "id": "s1", "conversation_id": c, "client_msg_id": "a1", "body": "hello?" }))
        .await;
    assert_eq!(r["type"], "error", "{r}");
    assert_eq!(r["code"], "conversation_archived", "{r}");
}

#[tokio::test]
async fn serve_archives_on_its_schedule() {
    let w = World::with_env(&[("UNIQCHAT__RETENTION__ARCHIVE_SECS", "1")]).await;
    let mut h = History::new(&w.server.database_url, &w.a.id, &w.agent_id).await;
    let id = h.conversation(Some(40), "scheduled").await;
    set_days(&w, 30, 0).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !h.archived(&id).await {
        assert!(Instant::now() < deadline, "not archived within 60 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(h.hot_messages(&id).await, 0);
    let r = w
        .api
        .get(&format!("/api/agent/conversations/{id}/messages"), &w.agent)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["messages"].as_array().unwrap().len(), 4);
}
