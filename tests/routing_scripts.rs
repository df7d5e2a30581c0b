//! Tenants' Lua routing scripts end to end: versions, test runs, activation, routing by the
//! script, default routing when it fails, tenant scoping; and the sentiment of visitor messages.

mod common;

use std::time::{Duration, Instant};

use common::api::World;
use common::ws::{conv_of, until_state, Ws};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Pricing pages go to the "Pricing" group; Chinese speakers elsewhere to an agent in no group.
const SCRIPT: &str = r#"
function route(visitor, agents, groups)
  if visitor.page and string.find(visitor.page, "/pricing", 1, true) then
    return {group = "Pricing", priority = 5}
  end
  if visitor.language == "zh" then
    for _, a in ipairs(agents) do
      if #a.groups == 0 then return {agent = a.id} end
    end
  end
  return nil
end
"#;

async fn create(w: &World, token: &str, source: &str) -> common::api::Reply {
    w.api
        .post(
            "/api/admin/routing-scripts",
            token,
            json!({ "source": source }),
        )
        .await
}

/// A new visitor (on `page`, speaking `language`) says hello; the new conversation's id.
async fn visitor_from(w: &World, page: &str, language: &str) -> (Ws, String) {
    let session = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key, "page_url": page, "language": language })),
        )
        .await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    let token = session.body["visitor_token"].as_str().unwrap();
    let mut ws = Ws::connect(&w.api.base, "/ws/visitor", token)
        .await
        .expect("visitor socket");
    let c = conv_of(&ws.say(None, "hi", "Hello").await);
    (ws, c)
}

async fn pricing_group(w: &World) -> String {
    let g = w
        .api
        .post("/api/admin/groups", &w.owner, json!({ "name": "Pricing" }))
        .await;
    assert_eq!(g.status, StatusCode::CREATED, "{}", g.body);
    let gid = g.body["id"].as_str().unwrap().to_string();
    let m = w
        .api
        .put(
            &format!("/api/admin/groups/{gid}/members/{}", w.agent_id),
            &w.owner,
            None,
        )
        .await;
    assert!(m.status.is_success(), "{}", m.body);
    gid
}

#[tokio::test]
async fn an_active_script_routes_visitors_to_its_group_and_agent() {
    let w = World::new().await;
    let gid = pricing_group(&w).await;
    let v1 = create(&w, &w.admin, SCRIPT).await;
    assert_eq!(v1.status, StatusCode::CREATED, "{}", v1.body);
    assert_eq!(
        (v1.body["version"].as_i64(), v1.body["active"].as_bool()),
        (Some(1), Some(false))
    );
    let id = v1.body["id"].as_str().unwrap();

    // Tried on a sample first: the tenant's groups and agents stand in for the live ones.
    let tried = w
        .api
        .post(
            &format!("/api/admin/routing-scripts/{id}/test"),
            &w.admin,
            json!({ "visitor": { "page": "https://shop.test/pricing?plan=pro", "visits": 2 } }),
        )
        .await;
    assert_eq!(tried.status, StatusCode::OK, "{}", tried.body);
    assert_eq!(tried.body["ok"], true, "{}", tried.body);
    assert_eq!(tried.body["decision"]["group"], gid.as_str());
    assert_eq!(tried.body["decision"]["priority"], 5);
    let nothing = w
        .api
        .post(
            &format!("/api/admin/routing-scripts/{id}/test"),
            &w.admin,
            json!({ "visitor": { "page": "/docs" }, "agents": [], "groups": [] }),
        )
        .await;
    assert_eq!(
        (nothing.body["ok"].clone(), nothing.body["decision"].clone()),
        (json!(true), Value::Null)
    );

    let on = w
        .api
        .post(
            &format!("/api/admin/routing-scripts/{id}/activate"),
            &w.admin,
            json!({}),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    assert_eq!(on.body["active"], true);

    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let mut admin = Ws::agent(&w.api, &w.admin).await;
    // Round robin alone would alternate; the script sends both pricing visitors to the group's
    // only member, and both Chinese-speaking visitors to the agent in no group.
    for _ in 0..2 {
        let (_v, c) = visitor_from(&w, "https://shop.test/pricing", "en").await;
        let landed = until_state(&mut agent, &c, "chatting").await;
        assert_eq!(landed["agent_id"], w.agent_id.as_str(), "{landed}");
        assert_eq!(landed["group_id"], gid.as_str(), "{landed}");
    }
    for _ in 0..2 {
        let (_v, c) = visitor_from(&w, "https://shop.test/", "zh").await;
        let landed = until_state(&mut admin, &c, "chatting").await;
        assert_eq!(landed["agent_id"], w.admin_id.as_str(), "{landed}");
        assert_eq!(landed["group_id"], Value::Null, "{landed}");
    }
    // Nothing for the script: default routing, no group.
    let (_v, c) = visitor_from(&w, "https://shop.test/docs", "en").await;
    let landed = until_state(&mut admin, &c, "chatting").await;
    assert_eq!(landed["group_id"], Value::Null, "{landed}");

    let list = w.api.get("/api/admin/routing-scripts", &w.admin).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["active_version"], 1);
    assert_eq!(list.body["last_error"], Value::Null, "{}", list.body);
}

#[tokio::test]
async fn a_failing_script_falls_back_to_default_routing_and_admins_see_why() {
    let w = World::new().await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    for (n, (source, why)) in [
        ("function route() while true do end end", "budget"),
        ("function route() error('no luck') end", "no luck"),
        (
            "function route() return {group = 'Nowhere'} end",
            "not one of the groups",
        ),
        (
            "function route() local s = 'x' for i = 1, 40 do s = s .. s end end",
            "memory",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let v = create(&w, &w.owner, source).await;
        assert_eq!(v.status, StatusCode::CREATED, "{}", v.body);
        let id = v.body["id"].as_str().unwrap();
        let on = w
            .api
            .post(
                &format!("/api/admin/routing-scripts/{id}/activate"),
                &w.owner,
                json!({}),
            )
            .await;
        assert_eq!(on.status, StatusCode::OK);
        let started = Instant::now();
        let (_v, c) = visitor_from(&w, "https://shop.test/pricing", "en").await;
        let landed = until_state(&mut agent, &c, "chatting").await;
        assert_eq!(landed["agent_id"], w.agent_id.as_str(), "{source}");
        assert!(started.elapsed() < Duration::from_secs(5), "{source}");
        let list = w.api.get("/api/admin/routing-scripts", &w.owner).await;
        let last = &list.body["last_error"];
        assert_eq!(last["version"], n as i64 + 1, "{}", list.body);
        assert!(
            last["message"].as_str().unwrap_or("").contains(why),
            "{source}: {last}"
        );
        // Closed, so the next visitor finds the agent free.
        agent
            .send(json!({ "type": "close", "id": "c", "conversation_id": c }))
            .await;
        agent.next_of("closed").await;
    }
    // Default routing again: the failure is cleared.
    let off = w
        .api
        .post("/api/admin/routing-scripts/deactivate", &w.owner, json!({}))
        .await;
    assert_eq!(off.status, StatusCode::NO_CONTENT);
    let list = w.api.get("/api/admin/routing-scripts", &w.owner).await;
    assert_eq!(list.body["active_version"], Value::Null);
    assert_eq!(list.body["last_error"], Value::Null);
    assert_eq!(list.body["versions"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn bad_scripts_and_other_tenants_ids_are_refused() {
    let w = World::new().await;
    for source in ["", "function route( end", &"-- x\n".repeat(20_000)] {
        let r = create(&w, &w.owner, source).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.field_errors(), vec!["source"]);
    }
    let unknown = w
        .api
        .post(
            "/api/admin/routing-scripts",
            &w.owner,
            json!({ "source": "x = 1", "extra": 1 }),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::BAD_REQUEST, "invalid_body"),
        "{}",
        unknown.body
    );
    let list = w.api.get("/api/admin/routing-scripts", &w.owner).await;
    assert_eq!(list.body["versions"], json!([]), "nothing stored");

    let v = create(&w, &w.owner, "function route() error('boom') end").await;
    let id = v.body["id"].as_str().unwrap();
    // A test run reports the error instead of failing the request.
    let tried = w
        .api
        .post(
            &format!("/api/admin/routing-scripts/{id}/test"),
            &w.owner,
            json!({}),
        )
        .await;
    assert_eq!(tried.status, StatusCode::OK);
    assert_eq!(tried.body["ok"], false);
    assert!(
        tried.body["error"].as_str().unwrap_or("").contains("boom"),
        "{}",
        tried.body
    );
    let bad_sample = w
        .api
        .post(
            &format!("/api/admin/routing-scripts/{id}/test"),
            &w.owner,
            json!({ "visitor": { "pgae": "/typo" } }),
        )
        .await;
    assert_eq!(
        bad_sample.status,
        StatusCode::BAD_REQUEST,
        "{}",
        bad_sample.body
    );

    // Tenant B sees none of it and can touch none of it.
    for path in [
        format!("/api/admin/routing-scripts/{id}/test"),
        format!("/api/admin/routing-scripts/{id}/activate"),
        "/api/admin/routing-scripts/no-such-id/activate".to_string(),
    ] {
        let r = w.api.post(&path, &w.other_owner, json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert_eq!(r.code(), "not_found");
    }
    let theirs = w
        .api
        .get("/api/admin/routing-scripts", &w.other_owner)
        .await;
    assert_eq!(theirs.body["versions"], json!([]));
    let ours = w.api.get("/api/admin/routing-scripts", &w.owner).await;
    assert_eq!(
        ours.body["active_version"],
        Value::Null,
        "B activated nothing"
    );
    // Agents do not manage routing.
    let r = w.api.get("/api/admin/routing-scripts", &w.agent).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// The conversation's sentiment, read once, with the number of scores it holds.
async fn sentiment(w: &World, c: &str) -> (Value, usize) {
    let r = w
        .api
        .get(&format!("/api/agent/conversations/{c}/sentiment"), &w.agent)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let n = r.body["points"].as_array().map_or(0, Vec::len);
    (r.body, n)
}

#[tokio::test]
async fn visitor_messages_are_scored_in_the_commit_that_stores_them() {
    let w = World::new().await;
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let angry = "This is terrible, I am very angry";
    let ack = visitor.say(None, "m1", angry).await;
    let c = conv_of(&ack);
    // Read right after the ack, without waiting: the score was stored with the message.
    let (first, n) = sentiment(&w, &c).await;
    assert_eq!(n, 1, "{first}");
    assert!(first["latest"].as_f64().unwrap() < -0.3, "{first}");
    assert_eq!(
        first["points"][0]["message_id"], ack["message_id"],
        "{first} {ack}"
    );
    visitor.say(Some(&c), "m2", "谢谢，现在很好！").await;
    let (second, n) = sentiment(&w, &c).await;
    assert_eq!(n, 2, "{second}");
    assert!(second["latest"].as_f64().unwrap() > 0.3, "{second}");
    assert_eq!(second["direction"], "rising", "{second}");
    // A resend is answered with the stored copy and scored no second time.
    let again = visitor.say(Some(&c), "m1", angry).await;
    assert_eq!(again["duplicate"], true, "{again}");
    assert_eq!(again["message_id"], ack["message_id"], "{again}");
    let (third, n) = sentiment(&w, &c).await;
    assert_eq!(n, 2, "{third}");
    // Another tenant's conversation is not found; an unknown one neither.
    let r = w
        .api
        .get(
            &format!("/api/agent/conversations/{c}/sentiment"),
            &w.other_owner,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w
        .api
        .get("/api/agent/conversations/nope/sentiment", &w.agent)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
