//! Who and where the visitor is, live: navigation reports, the live-visitors view, proactive
//! invitations and triggers, the visitor panel (user agent, GeoIP, local time, visit pages).

mod common;

use std::path::Path;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{json, Value};

use common::api::{Api, World, API_ENV};
use common::server::TestServer;
use common::ws::Ws;

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

/// A visitor session made with a browser's user agent, and its socket.
async fn visitor(api: &Api, site_key: &str) -> (Ws, String) {
    let r = api
        .client
        .post(format!("{}/api/visitor/session", api.base))
        .header("user-agent", CHROME)
        .json(&json!({ "site_key": site_key }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let token = body["visitor_token"].as_str().unwrap();
    let ws = Ws::connect(&api.base, "/ws/visitor", token)
        .await
        .expect("visitor socket");
    (ws, body["visitor"]["id"].as_str().unwrap().to_string())
}

/// Reports a page and waits for it to be recorded; returns the reply.
async fn page(ws: &mut Ws, id: &str, url: &str) -> Value {
    ws.request(
        json!({ "type": "page", "id": id, "url": url, "title": format!("Title {id}"),
        "timezone": "Europe/Paris", "language": "en-GB" }),
    )
    .await
}

#[tokio::test]
async fn navigation_shows_in_the_live_view_and_the_visitor_panel() {
    let w = World::new().await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut v, visitor_id) = visitor(&w.api, &w.a.site_key).await;

    let first = "https://shop.test/?utm_source=newsletter";
    assert_eq!(page(&mut v, "p1", first).await["type"], "tracked");
    // The agent hears the visitor arrive, then move.
    loop {
        let f = agent.next_of("live_visitor").await;
        if f["visitor"]["page_url"] == first {
            assert_eq!(f["visitor"]["visitor_id"], visitor_id.as_str());
            assert_eq!(f["visitor"]["browser"], "Chrome 120.0.0.0");
            break;
        }
    }
    assert_eq!(
        page(&mut v, "p2", "https://shop.test/shoes").await["type"],
        "tracked"
    );
    loop {
        let f = agent.next_of("live_visitor").await;
        if f["visitor"]["page_url"] == "https://shop.test/shoes" {
            assert_eq!(f["visitor"]["page_title"], "Title p2");
            break;
        }
    }

    // The list: the tenant's agent sees the visitor on their current page; another tenant not.
    let list = w.api.get("/api/agent/live-visitors", &w.agent).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let mine: Vec<&Value> = list.body.as_array().unwrap().iter().collect();
    assert_eq!(mine.len(), 1, "{}", list.body);
    assert_eq!(mine[0]["page_url"], "https://shop.test/shoes");
    assert_eq!(mine[0]["chatting"], false);
    let theirs = w.api.get("/api/agent/live-visitors", &w.other_owner).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.body, json!([]));

    // The panel: device from the user agent, the visit's pages with their times, UTM source,
    // local time, a friendly name, the number of visits.
    let p = w
        .api
        .get(&format!("/api/agent/visitors/{visitor_id}"), &w.agent)
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let i = &p.body["insight"];
    assert_eq!(i["browser"], "Chrome 120.0.0.0");
    assert_eq!(i["os"], "Windows 10");
    assert_eq!(i["device"], "pc");
    assert_eq!(i["visits"], 1);
    assert_eq!(i["country"], Value::Null, "no GeoIP database configured");
    let name = i["display_name"].as_str().unwrap();
    assert_eq!(name.split(' ').count(), 2, "adjective + animal: {name}");
    assert!(!name.starts_with("Visitor"), "{name}");
    let live = &i["live"];
    assert_eq!(live["current_page"], "https://shop.test/shoes");
    assert_eq!(live["utm_source"], "newsletter");
    assert_eq!(live["timezone"], "Europe/Paris");
    assert!(live["local_time"].as_str().unwrap().ends_with(":00"));
    let pages = live["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0]["url"], first);
    assert!(pages[0]["seconds"].as_i64().unwrap() >= 0);
    // Stored pages too.
    assert_eq!(
        p.body["pages"],
        json!([first, "https://shop.test/shoes"]),
        "{}",
        p.body
    );
    // Another tenant cannot read the panel.
    let other = w
        .api
        .get(&format!("/api/agent/visitors/{visitor_id}"), &w.other_owner)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // The visitor leaves: after the grace period the agent hears it.
    v.close().await;
    let left = agent.next_of("live_visitor_left").await;
    assert_eq!(left["visitor_id"], visitor_id.as_str());
    let list = w.api.get("/api/agent/live-visitors", &w.agent).await;
    assert_eq!(list.body, json!([]));
}

#[tokio::test]
async fn bad_navigation_reports_are_refused_and_change_nothing() {
    let w = World::new().await;
    let (mut v, visitor_id) = visitor(&w.api, &w.a.site_key).await;
    assert_eq!(
        page(&mut v, "ok", "https://shop.test/a").await["type"],
        "tracked"
    );
    let long = format!("https://shop.test/{}", "x".repeat(2100));
    for (id, frame) in [
        ("long", json!({ "type": "page", "id": "long", "url": long })),
        (
            "js",
            json!({ "type": "page", "id": "js", "url": "javascript:alert(1)" }),
        ),
        ("empty", json!({ "type": "page", "id": "empty", "url": "" })),
        (
            "ctl",
            json!({ "type": "page", "id": "ctl", "url": "https://shop.test/\u{0007}" }),
        ),
        (
            "tz",
            json!({ "type": "page", "id": "tz", "url": "https://shop.test/b", "timezone": "Mars/Olympus" }),
        ),
        (
            "title",
            json!({ "type": "page", "id": "title", "url": "https://shop.test/b", "title": "t".repeat(400) }),
        ),
    ] {
        let r = v.request(frame).await;
        assert_eq!(r["type"], "error", "{id}: {r}");
        assert_eq!(r["code"], "validation_failed", "{id}: {r}");
    }
    // Missing url: a malformed frame.
    let r = v.request(json!({ "type": "page", "id": "nourl" })).await;
    assert_eq!(r["code"], "invalid_frame");
    // An agent cannot report pages.
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let r = agent
        .request(json!({ "type": "page", "id": "a", "url": "https://shop.test/" }))
        .await;
    assert_eq!(r["code"], "forbidden");

    let p = w
        .api
        .get(&format!("/api/agent/visitors/{visitor_id}"), &w.agent)
        .await;
    assert_eq!(
        p.body["insight"]["live"]["current_page"],
        "https://shop.test/a"
    );
    assert_eq!(p.body["pages"], json!(["https://shop.test/a"]));
}

#[tokio::test]
async fn an_agent_invites_a_browsing_visitor() {
    let w = World::new().await;
    let (mut v, visitor_id) = visitor(&w.api, &w.a.site_key).await;
    page(&mut v, "p1", "https://shop.test/shoes").await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let path = format!("/api/agent/live-visitors/{visitor_id}/invite");

    // Bad input first: nothing is created.
    let r = w.api.post(&path, &w.agent, json!({ "body": "  " })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = w
        .api
        .post(
            "/api/agent/live-visitors/no-such-visitor/invite",
            &w.agent,
            json!({ "body": "Hi" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = w
        .api
        .post(&path, &w.other_owner, json!({ "body": "Hi" }))
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "another tenant's visitor: {}",
        r.body
    );
    let r = w
        .api
        .post(&path, &w.agent, json!({ "body": "Hi\u{0001}" }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let r = w
        .api
        .post(
            &path,
            &w.agent,
            json!({ "body": "Hello! Need help with sizes?" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let conversation_id = r.body["conversation_id"].as_str().unwrap().to_string();

    // The visitor's widget is told to open, and the message arrives as any other.
    let inv = v.next_of("invitation").await;
    assert_eq!(
        inv["invitation"]["conversation_id"],
        conversation_id.as_str()
    );
    assert_eq!(inv["invitation"]["body"], "Hello! Need help with sizes?");
    assert_eq!(inv["invitation"]["trigger_id"], Value::Null);
    // The message is stored: the visitor reads it in their conversation's history by resume.
    let resumed = v
        .request(
            json!({ "type": "resume", "id": "r", "conversations": { conversation_id.clone(): 0 } }),
        )
        .await;
    assert_eq!(resumed["type"], "resumed", "{resumed}");
    let h = w
        .api
        .get(
            &format!("/api/agent/conversations/{conversation_id}/messages"),
            &w.agent,
        )
        .await;
    let bodies: Vec<&str> = h.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert!(
        bodies.contains(&"Hello! Need help with sizes?"),
        "{}",
        h.body
    );
    // The conversation is the agent's, and the live view says the visitor is chatting.
    let mine = w
        .api
        .get("/api/agent/conversations?view=mine", &w.agent)
        .await;
    assert!(
        mine.body.to_string().contains(&conversation_id),
        "{}",
        mine.body
    );
    loop {
        let f = agent.next_of("live_visitor").await;
        if f["visitor"]["chatting"] == true {
            break;
        }
    }
    // The visitor answers in it.
    let ack = v.say(Some(&conversation_id), "v1", "Yes please").await;
    assert_eq!(ack["type"], "ack", "{ack}");

    // A second invitation while they chat is refused.
    let r = w
        .api
        .post(&path, &w.agent, json!({ "body": "Hi again" }))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
}

async fn create_trigger(api: &Api, token: &str, body: Value) -> String {
    let r = api.post("/api/admin/triggers", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

fn trigger(name: &str, url: &str, only_when_available: bool) -> Value {
    json!({ "name": name, "url_match": "contains", "url_value": url, "seconds": 0,
        "only_when_available": only_when_available, "message": format!("Message of {name}"),
        "sender_name": "Shop bot" })
}

/// Reads frames until an invitation; the triggers of every invitation read, in order.
async fn invitations_until(v: &mut Ws, trigger_id: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let f = v.next().await;
        if f["type"] == "invitation" {
            let id = f["invitation"]["trigger_id"].as_str().unwrap().to_string();
            seen.push(id.clone());
            if id == trigger_id {
                return seen;
            }
        }
    }
}

#[tokio::test]
async fn a_trigger_fires_once_a_day_and_respects_availability() {
    let w = World::new().await;
    let pricing = create_trigger(&w.api, &w.admin, trigger("pricing", "/pricing", false)).await;
    let contact = create_trigger(&w.api, &w.admin, trigger("contact", "/contact", false)).await;
    let help = create_trigger(&w.api, &w.admin, trigger("help", "/help", true)).await;
    assert!(!help.is_empty());
    let faq = create_trigger(&w.api, &w.admin, trigger("faq", "/faq", false)).await;

    let (mut v, _) = visitor(&w.api, &w.a.site_key).await;
    page(&mut v, "1", "https://shop.test/pricing").await;
    let seen = invitations_until(&mut v, &pricing).await;
    assert_eq!(seen, vec![pricing.clone()]);

    // Back on /pricing the same day: nothing. /contact fires; nothing else came before it.
    page(&mut v, "2", "https://shop.test/about").await;
    page(&mut v, "3", "https://shop.test/pricing").await;
    page(&mut v, "4", "https://shop.test/contact").await;
    assert_eq!(
        invitations_until(&mut v, &contact).await,
        vec![contact.clone()]
    );

    // /help wants an available agent and nobody is online: it does not fire; /faq does.
    page(&mut v, "5", "https://shop.test/help").await;
    page(&mut v, "6", "https://shop.test/faq").await;
    assert_eq!(invitations_until(&mut v, &faq).await, vec![faq.clone()]);

    // Another visitor gets the pricing trigger on their own day.
    let (mut v2, _) = visitor(&w.api, &w.a.site_key).await;
    page(&mut v2, "1", "https://shop.test/pricing?x=1").await;
    assert_eq!(
        invitations_until(&mut v2, &pricing).await,
        vec![pricing.clone()]
    );
}

#[tokio::test]
async fn triggers_are_checked_and_tenant_scoped() {
    let w = World::new().await;
    let id = create_trigger(&w.api, &w.admin, trigger("t", "/x", false)).await;
    for bad in [
        json!({ "name": "t", "url_match": "contains", "url_value": "/x", "seconds": -1, "message": "m", "sender_name": "b" }),
        json!({ "name": "t", "url_match": "contains", "url_value": "/x", "seconds": 3601, "message": "m", "sender_name": "b" }),
        json!({ "name": "t", "url_match": "contains", "url_value": "", "seconds": 5, "message": "m", "sender_name": "b" }),
        json!({ "name": "t", "url_match": "contains", "url_value": "/x", "seconds": 5, "message": " ", "sender_name": "b" }),
        json!({ "name": "", "url_match": "contains", "url_value": "/x", "seconds": 5, "message": "m", "sender_name": "b" }),
    ] {
        let r = w
            .api
            .post("/api/admin/triggers", &w.admin, bad.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
    let r = w
        .api
        .post("/api/admin/triggers", &w.admin, json!({ "name": "t", "url_match": "regex", "url_value": "/x", "seconds": 5, "message": "m", "sender_name": "b" }))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // An agent may not manage triggers; another tenant does not see or change ours.
    let r = w
        .api
        .post("/api/admin/triggers", &w.agent, trigger("t", "/y", false))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w.api.get("/api/admin/triggers", &w.other_owner).await;
    assert_eq!(r.body, json!([]));
    let path = format!("/api/admin/triggers/{id}");
    let r = w
        .api
        .put(&path, &w.other_owner, Some(trigger("mine", "/z", false)))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w.api.delete(&path, &w.other_owner).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The owner changes and deletes it.
    let r = w
        .api
        .put(&path, &w.admin, Some(trigger("renamed", "/z", true)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["name"], "renamed");
    assert_eq!(r.body["only_when_available"], true);
    let list = w.api.get("/api/admin/triggers", &w.admin).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert_eq!(
        w.api.delete(&path, &w.admin).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        w.api.delete(&path, &w.admin).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Builds a GeoIP2 City database that places 127.0.0.0/8 in Paris, FR (mmdb-writer from PyPI,
/// installed by scripts/mmdb.sh on first use).
fn build_mmdb(dir: &Path) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg(root.join("scripts/mmdb.sh"))
        .output()
        .expect("run scripts/mmdb.sh");
    assert!(
        out.status.success(),
        "mmdb.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let python = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let db = dir.join("city.mmdb");
    let script = r#"
import sys
from netaddr import IPSet
from mmdb_writer import MMDBWriter
w = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type='GeoIP2-City', languages=['en'], description='uniqchat test')
w.insert_network(IPSet(['127.0.0.0/8']), {'country': {'iso_code': 'FR', 'names': {'en': 'France'}}, 'city': {'names': {'en': 'Paris'}}})
w.to_db_file(sys.argv[1])
"#;
    let made = Command::new(python)
        .args(["-c", script])
        .arg(&db)
        .output()
        .expect("run the mmdb writer");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    db
}

#[tokio::test]
async fn country_and_city_come_from_the_geoip_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = build_mmdb(dir.path());
    let db = db.to_string_lossy().to_string();
    let mut env: Vec<(&str, &str)> = API_ENV.to_vec();
    env.push(("UNIQCHAT__GEOIP__DATABASE", &db));
    let w = World::on(TestServer::start(&env).await).await;
    let (mut v, visitor_id) = visitor(&w.api, &w.a.site_key).await;
    page(&mut v, "1", "https://shop.test/").await;
    let p = w
        .api
        .get(&format!("/api/agent/visitors/{visitor_id}"), &w.agent)
        .await;
    assert_eq!(p.body["insight"]["country"], "FR", "{}", p.body);
    assert_eq!(p.body["insight"]["city"], "Paris");
    let list = w.api.get("/api/agent/live-visitors", &w.agent).await;
    assert_eq!(list.body[0]["country"], "FR");
    assert_eq!(list.body[0]["city"], "Paris");
}
