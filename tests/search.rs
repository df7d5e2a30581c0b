//! `GET /api/agent/search`: messages, notes and visitor fields; Chinese substrings; filters;
//! highlight offsets; keyset pages; tenant isolation; bad parameters (docs/search.md). Runs on
//! the backend of UNIQCHAT_TEST_BACKEND; on SQLite it also checks hits that come from the FTS5
//! index once the background indexer has caught up.

mod common;

use std::time::Duration;

use common::api::World;
use common::server::test_backend;
use common::ws::{conv_of, Ws};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{json, Value};
use sha2::Sha256;
use uniqchat::store::Backend;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn search(w: &World, token: &str, query: &str) -> Value {
    let r = w
        .api
        .get(&format!("/api/agent/search?{query}"), token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    r.body
}

async fn find(w: &World, q: &str) -> Value {
    search(w, &w.agent, &format!("q={}", enc(q))).await
}

/// The marked pieces of a snippet, cut by code points as a client would.
fn marked(snippet: &Value) -> Vec<String> {
    let chars: Vec<char> = snippet["text"].as_str().unwrap().chars().collect();
    snippet["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let (a, b) = (
                m[0].as_u64().unwrap() as usize,
                m[1].as_u64().unwrap() as usize,
            );
            chars[a..b].iter().collect()
        })
        .collect()
}

fn bodies(found: &Value) -> Vec<String> {
    found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["message"]["body"].as_str().unwrap().to_string())
        .collect()
}

/// SQLite: waits until the indexer has put every message into the FTS5 table, so later hits
/// come from the index and not from the scan of the unindexed tail.
async fn until_indexed(w: &World) {
    if test_backend() != Backend::Sqlite {
        return;
    }
    let db = Database::connect(w.server.database_url.as_str())
        .await
        .expect("open the test database");
    let sql = "SELECT (SELECT last_rowid FROM search_cursor WHERE name = 'messages') \
               >= (SELECT max(rowid) FROM messages) AS done";
    for _ in 0..600 {
        let row = db
            .query_one(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("read the cursor")
            .expect("a row");
        if row.try_get::<bool>("", "done").unwrap_or(false) {
            db.close().await.ok();
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the search indexer did not catch up");
}

/// Identifies the visitor with a name, an e-mail and attributes; returns their new token.
async fn identify_attributes(w: &World, visitor_token: &str) -> String {
    let secret = w.api.get("/api/admin/identity-secret", &w.admin).await;
    assert_eq!(secret.status, StatusCode::OK, "{}", secret.body);
    let secret = secret.body["secret"].as_str().unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(b"cust-77");
    let hash = hex::encode(mac.finalize().into_bytes());
    let r = w
        .api
        .call(
            Method::POST,
            "/api/visitor/identify",
            None,
            Some(
                json!({"visitor_token": visitor_token, "user_id": "cust-77", "user_hash": hash,
                        "name": "Zhang Wei", "email": "zhang.wei@example.cn",
                        "attributes": {"plan": "Platinum-Tier"}}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["visitor_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn finds_messages_notes_and_visitors_highlighted_and_filtered() {
    let w = World::new().await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let session = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key, "name": "Zhang Wei" })),
        )
        .await
        .body;
    let token = identify_attributes(&w, session["visitor_token"].as_str().unwrap()).await;
    let mut visitor = Ws::connect(&w.api.base, "/ws/visitor", &token)
        .await
        .unwrap();
    let c = conv_of(
        &visitor
            .say(None, "v1", "Where is my Parcel? 我的包裹在哪里")
            .await,
    );
    visitor.say(Some(&c), "v2", "The parcel number is 42").await;
    let note = agent
        .request(json!({ "type": "note", "id": "n", "conversation_id": c, "client_msg_id": "n1", "body": "王先生 is a VIP, ship express" }))
        .await;
    assert_eq!(note["type"], "ack", "{note}");
    // Another tenant's visitor writes the same words.
    let (mut other, _) = Ws::visitor(&w.api, &w.b.site_key).await;
    other.say(None, "o1", "my parcel 包裹 too").await;
    until_indexed(&w).await;

    // English, case-insensitive, every occurrence marked, newest first.
    let found = find(&w, "PARCEL").await;
    assert_eq!(
        bodies(&found),
        vec![
            "The parcel number is 42",
            "Where is my Parcel? 我的包裹在哪里"
        ],
        "{found}"
    );
    let first = &found["items"][1];
    assert_eq!(first["matched"], "body");
    assert_eq!(first["message"]["conversation_id"], c.as_str());
    assert_eq!(first["conversation_state"], "chatting");
    assert_eq!(first["agent_id"], w.agent_id.as_str());
    assert_eq!(marked(&first["snippet"]), vec!["Parcel"]);
    assert_eq!(first["snippet"]["marks"], json!([[12, 18]]));

    // Chinese: 2 and 4 characters, offsets in code points.
    for q in ["包裹", "的包裹在"] {
        let found = find(&w, q).await;
        assert_eq!(
            bodies(&found),
            vec!["Where is my Parcel? 我的包裹在哪里"],
            "{q}: {found}"
        );
        assert_eq!(marked(&found["items"][0]["snippet"]), vec![q]);
    }

    // An internal note: found by agents, said to be a note.
    let found = find(&w, "王先生").await;
    assert_eq!(found["items"][0]["matched"], "note", "{found}");
    assert_eq!(found["items"][0]["message"]["kind"], "note");
    assert_eq!(marked(&found["items"][0]["snippet"]), vec!["王先生"]);
    // The visitor cannot use the agents' search.
    let r = w.api.get("/api/agent/search?q=VIP", &token).await;
    assert!(
        matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
        "{}",
        r.body
    );

    // Visitor fields: name, e-mail, custom attributes.
    for (q, field, mark) in [
        ("zhang wei", "name", "Zhang Wei"),
        ("WEI@EXAMPLE", "email", "wei@example"),
        ("platinum-tier", "attributes", "Platinum-Tier"),
    ] {
        let found = find(&w, q).await;
        let v = &found["visitors"][0];
        assert_eq!(v["matched"], field, "{q}: {found}");
        assert_eq!(v["visitor"]["display_name"], "Zhang Wei");
        assert_eq!(marked(&v["snippet"]), vec![mark]);
    }

    // Another tenant's data is never found, and theirs is not ours.
    let theirs = search(&w, &w.other_owner, "q=parcel").await;
    assert_eq!(bodies(&theirs), vec!["my parcel 包裹 too"]);
    assert!(search(&w, &w.other_owner, "q=zhang").await["visitors"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(bodies(&search(&w, &w.other_owner, &format!("q={}", enc("王先生"))).await).is_empty());

    // Filters: state, assignee, dates.
    let has = |v: &Value| !bodies(v).is_empty();
    assert!(has(&find(&w, "parcel").await));
    assert!(!has(&search(&w, &w.agent, "q=parcel&state=closed").await));
    assert!(has(&search(&w, &w.agent, "q=parcel&state=chatting").await));
    assert!(has(&search(
        &w,
        &w.agent,
        &format!("q=parcel&agent_id={}", w.agent_id)
    )
    .await));
    assert!(!has(&search(
        &w,
        &w.agent,
        &format!("q=parcel&agent_id={}", w.admin_id)
    )
    .await));
    assert!(has(&search(
        &w,
        &w.agent,
        "q=parcel&from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z"
    )
    .await));
    assert!(!has(&search(
        &w,
        &w.agent,
        "q=parcel&from=2999-01-01T00:00:00Z"
    )
    .await));
    assert!(!has(&search(
        &w,
        &w.agent,
        "q=parcel&to=2000-01-01T00:00:00Z"
    )
    .await));
    // A message filtered out by date is still found without the filter: only one of the two.
    let now = enc(&chrono::Utc::now().to_rfc3339());
    let later = search(&w, &w.agent, &format!("q=parcel&from={now}")).await;
    assert!(bodies(&later).is_empty(), "{later}");
}

#[tokio::test]
async fn pages_newest_first_and_finds_a_message_just_sent() {
    let w = World::new().await;
    let _agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c = conv_of(&visitor.say(None, "k0", "kiwi number 0").await);
    for n in 1..5 {
        visitor
            .say(Some(&c), &format!("k{n}"), &format!("kiwi number {n}"))
            .await;
    }
    until_indexed(&w).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..5 {
        let query = match &cursor {
            Some(cur) => format!("q=kiwi&limit=2&cursor={}", enc(cur)),
            None => "q=kiwi&limit=2".to_string(),
        };
        let page = search(&w, &w.agent, &query).await;
        seen.extend(bodies(&page));
        cursor = page["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    let expected: Vec<String> = (0..5).rev().map(|n| format!("kiwi number {n}")).collect();
    assert_eq!(seen, expected, "every hit once, newest first");

    // Sent now (on SQLite after the index caught up): found within a bounded wait.
    visitor.say(Some(&c), "k9", "a freshly sent quokka").await;
    let mut found = false;
    for _ in 0..100 {
        if !bodies(&find(&w, "quokka").await).is_empty() {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(found, "the message just sent is found");
    // Indexed as well: still found once the indexer has passed it.
    until_indexed(&w).await;
    assert_eq!(
        bodies(&find(&w, "quokka").await),
        vec!["a freshly sent quokka"]
    );
}

#[tokio::test]
async fn refuses_malformed_parameters() {
    let w = World::new().await;
    let long = "x".repeat(201);
    for (query, status) in [
        ("q=", StatusCode::UNPROCESSABLE_ENTITY),
        ("q=%20%20", StatusCode::UNPROCESSABLE_ENTITY),
        (&*format!("q={long}"), StatusCode::UNPROCESSABLE_ENTITY),
        ("q=a&limit=0", StatusCode::UNPROCESSABLE_ENTITY),
        ("q=a&limit=201", StatusCode::UNPROCESSABLE_ENTITY),
        ("q=a&cursor=%21%21", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "q=a&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("", StatusCode::BAD_REQUEST),
        ("q=a&limit=ten", StatusCode::BAD_REQUEST),
        ("q=a&state=sleeping", StatusCode::BAD_REQUEST),
        ("q=a&from=yesterday", StatusCode::BAD_REQUEST),
        ("q=a&colour=red", StatusCode::BAD_REQUEST),
    ] {
        let r = w
            .api
            .get(&format!("/api/agent/search?{query}"), &w.agent)
            .await;
        assert_eq!(r.status, status, "{query}: {}", r.body);
        assert!(r.body["error"]["code"].is_string(), "{query}: {}", r.body);
    }
    // Literal % and _ match only themselves.
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    visitor.say(None, "p1", "100% sure about snake_case").await;
    assert_eq!(bodies(&find(&w, "100%").await).len(), 1);
    assert!(bodies(&find(&w, "10_%").await).is_empty());
    assert_eq!(bodies(&find(&w, "e_c").await).len(), 1);
}

/// An erased visitor's messages leave the search (docs/privacy.md), and on SQLite the rowids
/// their deletion frees, which the next messages get, are indexed for those messages alone.
#[tokio::test]
async fn an_erased_visitors_messages_leave_the_search() {
    let w = World::new().await;
    let (mut v, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    let visitor = session["visitor"]["id"].as_str().unwrap().to_string();
    let ack = v.say(None, "e1", "zebracorn parcel lost").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    until_indexed(&w).await;
    assert_eq!(
        bodies(&find(&w, "zebracorn").await),
        ["zebracorn parcel lost"]
    );

    let r = w
        .api
        .post(
            &format!("/api/admin/visitors/{visitor}/erase"),
            &w.owner,
            json!({ "confirm": visitor }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(bodies(&find(&w, "zebracorn").await).is_empty());

    // The erased rows were the newest: the next visitor's messages take their rowids.
    let (mut next, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let ack = next.say(None, "n1", "unicornfish question").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    until_indexed(&w).await;
    assert_eq!(
        bodies(&find(&w, "unicornfish").await),
        ["unicornfish question"]
    );
    assert!(bodies(&find(&w, "zebracorn").await).is_empty());
}
