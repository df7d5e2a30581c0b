//! `PATCH /api/auth/me`: anyone signed in changes their own display name, and nothing else.

mod common;

use common::api::World;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn people_rename_themselves_and_nothing_else() {
    let w = World::new().await;
    let r = w
        .api
        .patch("/api/auth/me", &w.agent, json!({ "name": "  Ann Lee " }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["name"].as_str(), r.body["id"].as_str()),
        (Some("Ann Lee"), Some(w.agent_id.as_str())),
        "trimmed, and it is the caller's own account"
    );
    assert!(r.body.get("password_hash").is_none());
    let me = w.api.get("/api/auth/me", &w.agent).await;
    assert_eq!(me.body["user"]["name"], "Ann Lee");
    let listed = w
        .api
        .get(&format!("/api/admin/users/{}", w.agent_id), &w.owner)
        .await;
    assert_eq!(listed.body["name"], "Ann Lee", "{}", listed.body);
    assert_eq!(listed.body["role"], "agent");

    let empty = w
        .api
        .patch("/api/auth/me", &w.agent, json!({ "name": "   " }))
        .await;
    assert_eq!(
        (empty.status, empty.field_errors()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_string()])
    );
    let long = w
        .api
        .patch("/api/auth/me", &w.agent, json!({ "name": "x".repeat(201) }))
        .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The role (or anything else) cannot be changed this way.
    let role = w
        .api
        .patch(
            "/api/auth/me",
            &w.agent,
            json!({ "name": "Ann", "role": "owner" }),
        )
        .await;
    assert_eq!(role.status, StatusCode::BAD_REQUEST, "{}", role.body);
    assert_eq!(
        w.api.get("/api/auth/me", &w.agent).await.body["user"]["role"],
        "agent"
    );
    let anonymous = w
        .api
        .call(
            Method::PATCH,
            "/api/auth/me",
            None,
            Some(json!({ "name": "Mallory" })),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    // The owner's own change leaves the agent's name alone.
    let owner = w
        .api
        .patch("/api/auth/me", &w.owner, json!({ "name": "Olivia" }))
        .await;
    assert_eq!(owner.body["name"], "Olivia");
    assert_eq!(
        w.api.get("/api/auth/me", &w.agent).await.body["user"]["name"],
        "Ann Lee"
    );
}
