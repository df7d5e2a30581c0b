//! `/api/agent` read side: conversation lists with unread counts, history, profiles, search.

mod common;

use common::api::World;
use common::ws::Ws;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn lists_history_profile_and_search() {
    let w = World::new().await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let session = w
        .api
        .call(reqwest::Method::POST, "/api/visitor/session", None, Some(json!({ "site_key": w.a.site_key, "name": "Vic", "page_url": "https://acme.test/pricing" })))
        .await
        .body;
    let token = session["visitor_token"].as_str().unwrap();
    let mut visitor = Ws::connect(&w.api.base, "/ws/visitor", token)
        .await
        .unwrap();
    let c = visitor.say(None, "m1", "Where is my Parcel?").await["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    for n in 0..3 {
        visitor
            .say(Some(&c), &format!("more-{n}"), &format!("follow-up {n}"))
            .await;
    }
    // welcome 1, first 2, join 3, follow-ups 4..6
    let mine = w
        .api
        .get("/api/agent/conversations?view=mine", &w.agent)
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(ids(&mine.body["items"]), vec![c.clone()]);
    let item = &mine.body["items"][0];
    assert_eq!(
        (item["unread"].as_i64(), item["last_seq"].as_i64()),
        (Some(6), Some(6))
    );
    assert_eq!(item["visitor"]["name"], "Vic");

    agent
        .send(json!({ "type": "read", "conversation_id": c, "seq": 4 }))
        .await;
    visitor.next_of("read").await;
    let after = w.api.get("/api/agent/conversations", &w.agent).await;
    assert_eq!(
        after.body["items"][0]["unread"], 2,
        "mine is the default view; unread follows the cursor"
    );
    assert!(w
        .api
        .get("/api/agent/conversations?view=queue", &w.agent)
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        ids(&w
            .api
            .get("/api/agent/conversations?view=all", &w.admin)
            .await
            .body["items"]),
        vec![c.clone()]
    );
    assert!(w
        .api
        .get("/api/agent/conversations?view=mine", &w.admin)
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        w.api
            .get("/api/agent/conversations?view=everything", &w.agent)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // History pages backwards by seq.
    let latest = w
        .api
        .get(
            &format!("/api/agent/conversations/{c}/messages?limit=4"),
            &w.agent,
        )
        .await;
    let seqs: Vec<i64> = latest.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![3, 4, 5, 6]);
    let older = w
        .api
        .get(
            &format!("/api/agent/conversations/{c}/messages?before_seq=3"),
            &w.agent,
        )
        .await;
    let bodies: Vec<&str> = older.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        vec![
            "Hi there! How can we help you today?",
            "Where is my Parcel?"
        ]
    );
    assert_eq!(
        w.api
            .get(
                &format!("/api/agent/conversations/{c}/messages?before_seq=0"),
                &w.agent
            )
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let v = session["visitor"]["id"].as_str().unwrap();
    let profile = w
        .api
        .get(&format!("/api/agent/visitors/{v}"), &w.agent)
        .await;
    assert_eq!(profile.status, StatusCode::OK);
    assert_eq!(profile.body["pages"], json!(["https://acme.test/pricing"]));
    assert_eq!(profile.body["ip"], "127.0.0.1");
    assert_eq!(ids(&profile.body["conversations"]), vec![c.clone()]);

    let found = w.api.get("/api/agent/search?q=parcel", &w.agent).await;
    assert_eq!(
        found.body["items"].as_array().unwrap().len(),
        1,
        "case-insensitive: {}",
        found.body
    );
    assert_eq!(
        found.body["items"][0]["message"]["conversation_id"],
        c.as_str()
    );
    assert!(
        w.api.get("/api/agent/search?q=100%25", &w.agent).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "% is literal"
    );
    assert_eq!(
        w.api.get("/api/agent/search?q=", &w.agent).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Another tenant sees none of it.
    assert_eq!(
        w.api
            .get(
                &format!("/api/agent/conversations/{c}/messages"),
                &w.other_owner
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.api
            .get(&format!("/api/agent/visitors/{v}"), &w.other_owner)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(w
        .api
        .get("/api/agent/search?q=parcel", &w.other_owner)
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(w
        .api
        .get("/api/agent/conversations?view=all", &w.other_owner)
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn team_presence_and_the_overview() {
    let w = World::new().await;
    let _agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    visitor.say(None, "m1", "Hello").await;

    let team = w.api.get("/api/agent/team", &w.agent).await;
    assert_eq!(team.status, StatusCode::OK, "{}", team.body);
    let items = team.body["items"].as_array().unwrap();
    let me = items
        .iter()
        .find(|m| m["id"] == w.agent_id.as_str())
        .expect("the agent is listed");
    assert_eq!(
        (me["online"].as_bool(), me["open_chats"].as_i64()),
        (Some(true), Some(1))
    );
    assert_eq!(items[0]["online"], true, "online members come first");
    let owner = items
        .iter()
        .find(|m| m["id"] == w.a.owner_id.as_str())
        .expect("the owner is listed");
    assert_eq!(
        (owner["online"].as_bool(), owner["open_chats"].as_i64()),
        (Some(false), Some(0))
    );
    assert!(
        items.iter().all(|m| m["email"]
            .as_str()
            .is_some_and(|e| !e.ends_with("globex.test"))),
        "another tenant's people never show"
    );

    // Agents read the groups they can transfer to; never another tenant's.
    for (name, token) in [("Billing", &w.owner), ("Elsewhere", &w.other_owner)] {
        let r = w
            .api
            .post("/api/admin/groups", token, json!({ "name": name }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let groups = w.api.get("/api/agent/groups", &w.agent).await;
    assert_eq!(groups.status, StatusCode::OK, "{}", groups.body);
    let names: Vec<&str> = groups.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(names, ["Billing"]);

    let overview = w.api.get("/api/admin/overview", &w.owner).await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    assert_eq!(
        overview.body,
        json!({ "open": 1, "waiting": 0, "online_agents": 1, "today": 1 })
    );
    let other = w.api.get("/api/admin/overview", &w.other_owner).await;
    assert_eq!(
        other.body,
        json!({ "open": 0, "waiting": 0, "online_agents": 0, "today": 0 })
    );
    assert_eq!(
        w.api.get("/api/admin/overview", &w.agent).await.status,
        StatusCode::FORBIDDEN
    );
}

fn item_of<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in {list}"))
}

/// Issue 14 item 8: every list item carries its last message (not a system event; notes count),
/// cut to 120 characters, read for the whole page; each conversation gets its own.
#[tokio::test]
async fn list_items_carry_their_last_message() {
    let w = World::new().await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut first, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c1 = first.say(None, "a1", "Where is my parcel?").await["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    // welcome 1, the question 2, "… joined" event 3: the event is not the preview.
    let mine = w
        .api
        .get("/api/agent/conversations?view=mine", &w.agent)
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    let last = &item_of(&mine.body, &c1)["last_message"];
    assert_eq!(
        (
            last["seq"].as_i64(),
            last["sender_kind"].as_str(),
            last["kind"].as_str(),
            last["body"].as_str()
        ),
        (
            Some(2),
            Some("visitor"),
            Some("text"),
            Some("Where is my parcel?")
        ),
        "{last}"
    );
    assert!(last["created_at"].is_string());

    let reply = agent.say(Some(&c1), "r1", "It left today.").await;
    assert_eq!(reply["type"], "ack", "{reply}");
    let long = "n".repeat(130);
    let note = agent
        .request(json!({ "type": "note", "id": "n1", "conversation_id": c1, "client_msg_id": "n1", "body": long }))
        .await;
    assert_eq!(note["type"], "ack", "{note}");

    // A second conversation, waiting: the agent is away.
    agent
        .request(json!({ "type": "status", "id": "away", "status": "away" }))
        .await;
    let (mut second, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c2 = second.say(None, "b1", "Anyone there?").await["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();

    let all = w
        .api
        .get("/api/agent/conversations?view=all", &w.agent)
        .await;
    let last = &item_of(&all.body, &c1)["last_message"];
    assert_eq!(
        (
            last["sender_kind"].as_str(),
            last["kind"].as_str(),
            last["sender_id"].as_str()
        ),
        (Some("agent"), Some("note"), Some(w.agent_id.as_str())),
        "{last}"
    );
    assert_eq!(
        last["body"].as_str().unwrap(),
        format!("{}…", "n".repeat(120)),
        "cut to 120 characters"
    );
    assert_eq!(
        item_of(&all.body, &c2)["last_message"]["body"],
        "Anyone there?"
    );
    let queue = w
        .api
        .get("/api/agent/conversations?view=queue", &w.agent)
        .await;
    assert_eq!(
        item_of(&queue.body, &c2)["last_message"]["sender_kind"],
        "visitor"
    );
}

/// Issue 14 item 11: unread counts are the caller's to clear: conversations they hold and the
/// queue count; another agent's conversation never shows a badge that only its holder can clear.
#[tokio::test]
async fn unread_counts_only_what_the_caller_can_read_off() {
    let w = World::new().await;
    let _agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let c = visitor.say(None, "a1", "Hello").await["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    visitor.say(Some(&c), "a2", "Still there?").await;
    let agents = w
        .api
        .get("/api/agent/conversations?view=all", &w.agent)
        .await;
    assert_eq!(item_of(&agents.body, &c)["unread"], 4, "{}", agents.body);
    let owners = w
        .api
        .get("/api/agent/conversations?view=all", &w.owner)
        .await;
    assert_eq!(
        item_of(&owners.body, &c)["unread"],
        0,
        "the owner does not hold it: {}",
        owners.body
    );
}
