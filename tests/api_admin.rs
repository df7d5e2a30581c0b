//! `/api/admin` and `/api/agent/quick-replies`: each endpoint's success and failure paths.

mod common;

use common::api::{World, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn users_create_invite_list_update() {
    let w = World::new().await;
    // Invite: no password given, so a one-time password comes back once.
    let invited = w
        .api
        .post(
            "/api/admin/users",
            &w.admin,
            json!({ "email": "Bea@Acme.test", "name": "Bea", "max_chats": 8 }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    assert_eq!(
        (
            invited.body["email"].as_str(),
            invited.body["role"].as_str()
        ),
        (Some("bea@acme.test"), Some("agent"))
    );
    assert_eq!(invited.body["must_change_password"], true);
    let otp = invited.body["one_time_password"].as_str().unwrap();
    let session = w.api.login("bea@acme.test", otp).await;
    assert_eq!(session.status, StatusCode::OK);
    assert_eq!(session.body["user"]["must_change_password"], true);
    let bea = invited.body["id"].as_str().unwrap().to_string();
    let fetched = w
        .api
        .get(&format!("/api/admin/users/{bea}"), &w.admin)
        .await;
    assert!(
        fetched.body.get("one_time_password").is_none(),
        "shown once"
    );

    let dup = w
        .api
        .post(
            "/api/admin/users",
            &w.admin,
            json!({ "email": "bea@acme.test" }),
        )
        .await;
    assert_eq!((dup.status, dup.code()), (StatusCode::CONFLICT, "conflict"));
    let invalid = w.api.post("/api/admin/users", &w.admin, json!({ "email": "nope", "max_chats": -1, "password": "short", "group_ids": ["missing"] })).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = invalid.field_errors();
    fields.sort();
    assert_eq!(fields, vec!["email", "group_ids", "max_chats", "password"]);
    let too_long = w
        .api
        .post(
            "/api/admin/users",
            &w.admin,
            json!({ "email": "long@acme.test", "name": "x".repeat(201) }),
        )
        .await;
    assert_eq!(too_long.field_errors(), vec!["name".to_string()]);

    // Paging: oldest first, cursor continues.
    let page1 = w.api.get("/api/admin/users?limit=2", &w.admin).await;
    assert_eq!(page1.body["items"].as_array().unwrap().len(), 2);
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = w
        .api
        .get(
            &format!("/api/admin/users?limit=2&cursor={cursor}"),
            &w.admin,
        )
        .await;
    assert_eq!(ids(&page2.body["items"]).len(), 2);
    assert!(page2.body["next_cursor"].is_null());
    let agents = w.api.get("/api/admin/users?role=agent", &w.admin).await;
    assert_eq!(agents.body["items"].as_array().unwrap().len(), 2);
    let bad_role = w.api.get("/api/admin/users?role=king", &w.admin).await;
    assert_eq!(bad_role.status, StatusCode::BAD_REQUEST);

    // Update with groups.
    let group = w
        .api
        .post("/api/admin/groups", &w.admin, json!({ "name": "Sales" }))
        .await
        .body;
    let gid = group["id"].as_str().unwrap();
    let updated = w
        .api
        .patch(
            &format!("/api/admin/users/{bea}"),
            &w.admin,
            json!({ "name": "Bea B", "max_chats": 2, "group_ids": [gid] }),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(
        (
            updated.body["name"].as_str(),
            updated.body["max_chats"].as_i64()
        ),
        (Some("Bea B"), Some(2))
    );
    assert_eq!(ids(&updated.body["groups"]), vec![gid.to_string()]);
    let cleared = w
        .api
        .patch(
            &format!("/api/admin/users/{bea}"),
            &w.admin,
            json!({ "group_ids": [] }),
        )
        .await;
    assert!(cleared.body["groups"].as_array().unwrap().is_empty());
    let bad = w
        .api
        .patch(
            &format!("/api/admin/users/{bea}"),
            &w.admin,
            json!({ "max_chats": 1000 }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        w.api
            .get(&format!("/api/admin/users/{bea}"), &w.admin)
            .await
            .body["max_chats"],
        2,
        "a refused patch changes nothing"
    );
    assert_eq!(
        w.api
            .get("/api/admin/users/no-such-id", &w.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Reset password: a new one-time password, old sessions end.
    let reset = w
        .api
        .post(
            &format!("/api/admin/users/{bea}/reset-password"),
            &w.admin,
            json!({}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    let otp2 = reset.body["one_time_password"].as_str().unwrap();
    assert_eq!(
        w.api.login("bea@acme.test", otp).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        w.api.login("bea@acme.test", otp2).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn only_the_owner_manages_admins_and_owners_stay() {
    let w = World::new().await;
    let by_admin = w
        .api
        .post(
            "/api/admin/users",
            &w.admin,
            json!({ "email": "boss@acme.test", "role": "admin" }),
        )
        .await;
    assert_eq!(
        (by_admin.status, by_admin.code()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let promote = w
        .api
        .patch(
            &format!("/api/admin/users/{}", w.agent_id),
            &w.admin,
            json!({ "role": "admin" }),
        )
        .await;
    assert_eq!(promote.status, StatusCode::FORBIDDEN);
    let touch_admin = w
        .api
        .patch(
            &format!("/api/admin/users/{}", w.admin_id),
            &w.admin,
            json!({ "name": "Me" }),
        )
        .await;
    assert_eq!(
        touch_admin.status,
        StatusCode::FORBIDDEN,
        "admins do not manage admins, themselves included"
    );
    let by_owner = w
        .api
        .post(
            "/api/admin/users",
            &w.owner,
            json!({ "email": "boss@acme.test", "role": "admin", "password": PASSWORD }),
        )
        .await;
    assert_eq!(by_owner.status, StatusCode::CREATED);

    let self_demote = w
        .api
        .patch(
            &format!("/api/admin/users/{}", w.a.owner_id),
            &w.owner,
            json!({ "role": "agent" }),
        )
        .await;
    assert_eq!(self_demote.status, StatusCode::FORBIDDEN);
    let self_disable = w
        .api
        .patch(
            &format!("/api/admin/users/{}", w.a.owner_id),
            &w.owner,
            json!({ "disabled": true }),
        )
        .await;
    assert_eq!(self_disable.status, StatusCode::FORBIDDEN);

    // A second owner may demote the first, but never the last one.
    let second = w
        .api
        .post(
            "/api/admin/users",
            &w.owner,
            json!({ "email": "co@acme.test", "role": "owner", "password": PASSWORD }),
        )
        .await;
    let second_id = second.body["id"].as_str().unwrap().to_string();
    let co = w.api.token("co@acme.test", PASSWORD).await;
    let demote = w
        .api
        .patch(
            &format!("/api/admin/users/{}", w.a.owner_id),
            &co,
            json!({ "role": "admin" }),
        )
        .await;
    assert_eq!(demote.status, StatusCode::OK, "{}", demote.body);
    assert_eq!(
        w.api.get("/api/admin/settings", &w.owner).await.status,
        StatusCode::OK,
        "now an admin"
    );
    let delete = w
        .api
        .call(
            reqwest::Method::DELETE,
            "/api/admin/tenant",
            Some(&w.owner),
            Some(json!({ "confirm": "Acme" })),
        )
        .await;
    assert_eq!(
        delete.status,
        StatusCode::FORBIDDEN,
        "the demotion holds at once"
    );
    let last = w
        .api
        .patch(
            &format!("/api/admin/users/{second_id}"),
            &w.owner,
            json!({ "disabled": true }),
        )
        .await;
    assert_eq!(
        last.status,
        StatusCode::FORBIDDEN,
        "admins do not touch owners"
    );
}

#[tokio::test]
async fn groups_and_members() {
    let w = World::new().await;
    let created = w
        .api
        .post(
            "/api/admin/groups",
            &w.admin,
            json!({ "name": "Billing", "description": "Invoices" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        w.api
            .post("/api/admin/groups", &w.admin, json!({ "name": "Billing" }))
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        w.api
            .post("/api/admin/groups", &w.admin, json!({ "name": " " }))
            .await
            .field_errors(),
        vec!["name".to_string()]
    );
    w.api
        .post("/api/admin/groups", &w.admin, json!({ "name": "Accounts" }))
        .await;
    let names: Vec<String> = w
        .api
        .get("/api/admin/groups", &w.admin)
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["Accounts", "Billing"]);

    let member = format!("/api/admin/groups/{id}/members/{}", w.agent_id);
    assert_eq!(
        w.api.put(&member, &w.admin, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        w.api.put(&member, &w.admin, None).await.status,
        StatusCode::NO_CONTENT,
        "twice is fine"
    );
    let detail = w
        .api
        .get(&format!("/api/admin/groups/{id}"), &w.admin)
        .await;
    assert_eq!(ids(&detail.body["members"]), vec![w.agent_id.clone()]);
    assert_eq!(
        w.api
            .put(
                &format!("/api/admin/groups/{id}/members/nobody"),
                &w.admin,
                None
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.api.delete(&member, &w.admin).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        w.api.delete(&member, &w.admin).await.status,
        StatusCode::NOT_FOUND
    );

    let renamed = w
        .api
        .patch(
            &format!("/api/admin/groups/{id}"),
            &w.admin,
            json!({ "name": "Invoices" }),
        )
        .await;
    assert_eq!(
        (
            renamed.body["name"].as_str(),
            renamed.body["description"].as_str()
        ),
        (Some("Invoices"), Some("Invoices"))
    );
    assert_eq!(
        w.api
            .patch(
                &format!("/api/admin/groups/{id}"),
                &w.admin,
                json!({ "name": "Accounts" })
            )
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        w.api
            .delete(&format!("/api/admin/groups/{id}"), &w.admin)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        w.api
            .get(&format!("/api/admin/groups/{id}"), &w.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn shared_and_personal_quick_replies() {
    let w = World::new().await;
    let shared = w
        .api
        .post(
            "/api/admin/quick-replies",
            &w.admin,
            json!({ "shortcut": "/Hello", "title": "Greeting", "body": "Hi! How can I help?" }),
        )
        .await;
    assert_eq!(shared.status, StatusCode::CREATED, "{}", shared.body);
    assert_eq!(
        (
            shared.body["shortcut"].as_str(),
            shared.body["personal"].as_bool()
        ),
        (Some("hello"), Some(false))
    );
    let shared_id = shared.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        w.api
            .post(
                "/api/admin/quick-replies",
                &w.admin,
                json!({ "shortcut": "hello", "title": "x", "body": "x" })
            )
            .await
            .status,
        StatusCode::CONFLICT
    );
    let bad = w
        .api
        .post(
            "/api/admin/quick-replies",
            &w.admin,
            json!({ "shortcut": "two words", "title": "", "body": "" }),
        )
        .await;
    let mut fields = bad.field_errors();
    fields.sort();
    assert_eq!(fields, vec!["body", "shortcut", "title"]);

    let mine = w
        .api
        .post(
            "/api/agent/quick-replies",
            &w.agent,
            json!({ "shortcut": "bye", "title": "Goodbye", "body": "Have a good day" }),
        )
        .await;
    assert_eq!(
        (mine.status, mine.body["personal"].as_bool()),
        (StatusCode::CREATED, Some(true))
    );
    let mine_id = mine.body["id"].as_str().unwrap().to_string();
    let same_as_shared = w
        .api
        .post(
            "/api/agent/quick-replies",
            &w.agent,
            json!({ "shortcut": "hello", "title": "Mine", "body": "Yo" }),
        )
        .await;
    assert_eq!(
        same_as_shared.status,
        StatusCode::CREATED,
        "personal shortcuts live beside shared ones"
    );

    let agent_view = w.api.get("/api/agent/quick-replies", &w.agent).await;
    assert_eq!(agent_view.body.as_array().unwrap().len(), 3);
    let admin_agent_view = w.api.get("/api/agent/quick-replies", &w.admin).await;
    assert_eq!(
        ids(&admin_agent_view.body),
        vec![shared_id.clone()],
        "another agent's personal replies stay private"
    );
    assert_eq!(
        ids(&w.api.get("/api/admin/quick-replies", &w.admin).await.body),
        vec![shared_id.clone()]
    );

    assert_eq!(
        w.api
            .put(
                &format!("/api/agent/quick-replies/{shared_id}"),
                &w.agent,
                Some(json!({ "shortcut": "x", "title": "x", "body": "x" }))
            )
            .await
            .status,
        StatusCode::NOT_FOUND,
        "agents cannot edit shared replies"
    );
    assert_eq!(
        w.api
            .delete(&format!("/api/agent/quick-replies/{mine_id}"), &w.admin)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "nor someone else's"
    );
    assert_eq!(
        w.api
            .put(
                &format!("/api/admin/quick-replies/{mine_id}"),
                &w.admin,
                Some(json!({ "shortcut": "x", "title": "x", "body": "x" }))
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let edited = w
        .api
        .put(
            &format!("/api/agent/quick-replies/{mine_id}"),
            &w.agent,
            Some(json!({ "shortcut": "cya", "title": "Bye", "body": "See you" })),
        )
        .await;
    assert_eq!(edited.body["shortcut"], "cya");
    let edited_shared = w
        .api
        .put(
            &format!("/api/admin/quick-replies/{shared_id}"),
            &w.admin,
            Some(json!({ "shortcut": "hi", "title": "Hi", "body": "Hi there" })),
        )
        .await;
    assert_eq!(edited_shared.body["body"], "Hi there");
    assert_eq!(
        w.api
            .delete(&format!("/api/agent/quick-replies/{mine_id}"), &w.agent)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        w.api
            .delete(&format!("/api/admin/quick-replies/{shared_id}"), &w.admin)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        w.api
            .get("/api/agent/quick-replies", &w.agent)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn blacklist_entries() {
    let w = World::new().await;
    let ip = w
        .api
        .post(
            "/api/admin/blacklist",
            &w.admin,
            json!({ "kind": "ip", "value": " 203.0.113.7 ", "reason": "spam" }),
        )
        .await;
    assert_eq!(ip.status, StatusCode::CREATED, "{}", ip.body);
    assert_eq!(
        (ip.body["value"].as_str(), ip.body["active"].as_bool()),
        (Some("203.0.113.7"), Some(true))
    );
    let cidr = w.api.post("/api/admin/blacklist", &w.admin, json!({ "kind": "cidr", "value": "198.51.100.77/24", "expires_at": "2099-01-01T00:00:00Z" })).await;
    assert_eq!(
        cidr.body["value"], "198.51.100.0/24",
        "stored as the network"
    );
    let v6 = w
        .api
        .post(
            "/api/admin/blacklist",
            &w.admin,
            json!({ "kind": "ip", "value": "2001:db8::1" }),
        )
        .await;
    assert_eq!(v6.status, StatusCode::CREATED);

    for (body, field) in [
        (json!({ "kind": "ip", "value": "999.1.1.1" }), "value"),
        (json!({ "kind": "cidr", "value": "10.0.0.0/33" }), "value"),
        (
            json!({ "kind": "visitor", "value": "no-such-visitor" }),
            "value",
        ),
        (
            json!({ "kind": "ip", "value": "203.0.113.8", "expires_at": "2001-01-01T00:00:00Z" }),
            "expires_at",
        ),
        (
            json!({ "kind": "ip", "value": "203.0.113.8", "reason": "x".repeat(501) }),
            "reason",
        ),
    ] {
        let r = w
            .api
            .post("/api/admin/blacklist", &w.admin, body.clone())
            .await;
        assert_eq!(
            (r.status, r.field_errors()),
            (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_string()]),
            "{body}"
        );
    }
    let bad_kind = w
        .api
        .post(
            "/api/admin/blacklist",
            &w.admin,
            json!({ "kind": "country", "value": "x" }),
        )
        .await;
    assert_eq!(bad_kind.status, StatusCode::BAD_REQUEST);

    let list = w.api.get("/api/admin/blacklist", &w.admin).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 3);
    let ips = w
        .api
        .get("/api/admin/blacklist?kind=ip&limit=1", &w.admin)
        .await;
    assert_eq!(
        ids(&ips.body["items"]),
        vec![v6.body["id"].as_str().unwrap().to_string()],
        "newest first"
    );
    let next = w
        .api
        .get(
            &format!(
                "/api/admin/blacklist?kind=ip&cursor={}",
                ips.body["next_cursor"].as_str().unwrap()
            ),
            &w.admin,
        )
        .await;
    assert_eq!(
        ids(&next.body["items"]),
        vec![ip.body["id"].as_str().unwrap().to_string()]
    );
    let id = ip.body["id"].as_str().unwrap();
    assert_eq!(
        w.api
            .delete(&format!("/api/admin/blacklist/{id}"), &w.admin)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        w.api
            .delete(&format!("/api/admin/blacklist/{id}"), &w.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn settings_read_and_partial_update() {
    let w = World::new().await;
    let s = w.api.get("/api/admin/settings", &w.admin).await;
    assert_eq!(s.status, StatusCode::OK);
    assert_eq!(
        (s.body["name"].as_str(), s.body["routing_strategy"].as_str()),
        (Some("Acme"), Some("round_robin"))
    );

    let patch = json!({
        "name": "Acme Ltd",
        "welcome_message": "Welcome!",
        "business_hours": { "mon": [["09:00", "17:00"]], "sat": [] },
        "timezone": "Europe/Berlin",
        "routing_strategy": "least_busy",
        "widget_color": "#FF8800",
        "widget_position": "left",
        "allowed_origins": ["https://shop.acme.test/", "http://localhost:3000"]
    });
    let updated = w.api.patch("/api/admin/settings", &w.admin, patch).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["widget_color"], "#ff8800");
    assert_eq!(
        updated.body["allowed_origins"],
        json!(["https://shop.acme.test", "http://localhost:3000"])
    );
    assert_eq!(
        updated.body["business_hours"]["mon"],
        json!([["09:00", "17:00"]])
    );
    assert_eq!(
        updated.body["offline_message"], s.body["offline_message"],
        "untouched settings stay"
    );
    assert_eq!(
        w.api.get("/api/auth/me", &w.admin).await.body["tenant"]["name"],
        "Acme Ltd"
    );

    let bad = w.api.patch("/api/admin/settings", &w.admin, json!({
        "timezone": "Mars/Olympus", "widget_color": "blue", "widget_position": "top",
        "business_hours": { "mon": [["17:00", "09:00"]] }, "allowed_origins": ["shop.acme.test"], "welcome_message": "Hello again"
    })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = bad.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "allowed_origins",
            "business_hours",
            "timezone",
            "widget_color",
            "widget_position"
        ]
    );
    let after = w.api.get("/api/admin/settings", &w.admin).await;
    assert_eq!(after.body, updated.body, "a refused update changes nothing");
    let unknown = w
        .api
        .patch(
            "/api/admin/settings",
            &w.admin,
            json!({ "colour": "#000000" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_audit_log_records_every_admin_write() {
    let w = World::new().await;
    let g = w
        .api
        .post("/api/admin/groups", &w.admin, json!({ "name": "Support" }))
        .await
        .body;
    w.api
        .patch(
            "/api/admin/settings",
            &w.admin,
            json!({ "welcome_message": "Hey" }),
        )
        .await;
    w.api
        .delete(
            &format!("/api/admin/groups/{}", g["id"].as_str().unwrap()),
            &w.admin,
        )
        .await;
    w.api
        .post("/api/admin/groups", &w.admin, json!({ "name": " " }))
        .await; // refused: not recorded

    let page = w.api.get("/api/admin/audit?limit=3", &w.admin).await;
    assert_eq!(page.status, StatusCode::OK);
    let actions: Vec<&str> = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["group.delete", "settings.update", "group.create"]
    );
    let first = &page.body["items"][0];
    assert_eq!(first["actor_id"], w.admin_id.as_str());
    assert_eq!(first["target_id"], g["id"]);
    let rest = w
        .api
        .get(
            &format!(
                "/api/admin/audit?cursor={}",
                page.body["next_cursor"].as_str().unwrap()
            ),
            &w.admin,
        )
        .await;
    let older: Vec<&str> = rest.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        older,
        vec!["user.create", "user.create"],
        "World made the admin and the agent"
    );
    assert!(
        w.api.get("/api/admin/audit", &w.other_owner).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn deleting_the_tenant_takes_everything_with_it() {
    let w = World::new().await;
    assert_eq!(
        w.api
            .call(
                reqwest::Method::DELETE,
                "/api/admin/tenant",
                Some(&w.admin),
                Some(json!({ "confirm": "Acme" }))
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let wrong = w
        .api
        .call(
            reqwest::Method::DELETE,
            "/api/admin/tenant",
            Some(&w.owner),
            Some(json!({ "confirm": "acme" })),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.field_errors()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["confirm".to_string()]
        )
    );
    assert_eq!(
        w.api.get("/api/admin/users", &w.owner).await.status,
        StatusCode::OK
    );
    let done = w
        .api
        .call(
            reqwest::Method::DELETE,
            "/api/admin/tenant",
            Some(&w.owner),
            Some(json!({ "confirm": "Acme" })),
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
    assert_eq!(
        w.api.get("/api/auth/me", &w.owner).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        w.api.login("agent@acme.test", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        w.api.get("/api/auth/me", &w.other_owner).await.status,
        StatusCode::OK,
        "other tenants are untouched"
    );
}
