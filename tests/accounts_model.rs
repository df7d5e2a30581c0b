//! The account model: an e-mail is unique per tenant, the same person may have accounts in
//! several tenants, and neither account creation nor sign-in tells anything about a tenant
//! to someone who is not in it (issue 15, item 4).

mod common;

use common::api::{Reply, World, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const GLOBEX_PASSWORD: &str = "globex-password-2";

async fn login_in(w: &World, email: &str, password: &str, tenant: &str) -> Reply {
    w.api
        .call(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "email": email, "password": password, "tenant": tenant })),
        )
        .await
}

async fn create_in_globex(w: &World, email: &str, password: &str) -> Reply {
    w.api
        .post(
            "/api/admin/users",
            &w.other_owner,
            json!({ "email": email, "role": "agent", "password": password }),
        )
        .await
}

/// The tenant id the session's access token belongs to.
async fn tenant_of(w: &World, session: &Reply) -> String {
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    let me = w
        .api
        .get(
            "/api/auth/me",
            session.body["access_token"].as_str().unwrap(),
        )
        .await;
    me.body["tenant"]["id"].as_str().unwrap().to_string()
}

fn sorted_tenants(body: &Value) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = body["error"]["tenants"]
        .as_array()
        .expect("a tenants list")
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    list.sort();
    list
}

#[tokio::test]
async fn an_email_of_another_tenant_can_be_created_and_conflicts_only_within_one() {
    let w = World::new().await;
    // agent@acme.test exists only in Acme: Globex learns nothing and gets its own account.
    let created = create_in_globex(&w, "Agent@Acme.test", PASSWORD).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["email"], "agent@acme.test");

    let again = create_in_globex(&w, "agent@acme.test", PASSWORD).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.code(), "conflict");

    let in_acme = w
        .api
        .post(
            "/api/admin/users",
            &w.owner,
            json!({ "email": "agent@acme.test", "role": "agent", "password": PASSWORD }),
        )
        .await;
    assert_eq!(in_acme.status, StatusCode::CONFLICT, "{}", in_acme.body);

    // Each tenant lists only its own account.
    let globex_users = w.api.get("/api/admin/users", &w.other_owner).await;
    let emails: Vec<&str> = globex_users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert!(emails.contains(&"agent@acme.test"), "{emails:?}");
}

#[tokio::test]
async fn a_password_matching_in_two_tenants_asks_which_one() {
    let w = World::new().await;
    let created = create_in_globex(&w, "agent@acme.test", PASSWORD).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    let r = w.api.login("agent@acme.test", PASSWORD).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.code(), "tenant_required");
    assert!(r.body.get("access_token").is_none(), "no session yet");
    let mut expected = vec![
        (w.a.id.clone(), "Acme".to_string()),
        (w.b.id.clone(), "Globex".to_string()),
    ];
    expected.sort();
    assert_eq!(sorted_tenants(&r.body), expected);

    let into_globex = login_in(&w, "agent@acme.test", PASSWORD, &w.b.id).await;
    assert_eq!(tenant_of(&w, &into_globex).await, w.b.id);
    let into_acme = login_in(&w, "agent@acme.test", PASSWORD, &w.a.id).await;
    assert_eq!(tenant_of(&w, &into_acme).await, w.a.id);

    // A tenant where the e-mail has no account answers like a wrong password.
    let nowhere = login_in(&w, "agent@acme.test", PASSWORD, "no-such-tenant").await;
    let wrong = w.api.login("agent@acme.test", "not-the-password").await;
    assert_eq!(nowhere.status, StatusCode::UNAUTHORIZED);
    assert_eq!(nowhere.body, wrong.body);
}

#[tokio::test]
async fn a_password_of_one_tenant_reveals_nothing_about_the_other() {
    let w = World::new().await;
    let created = create_in_globex(&w, "agent@acme.test", GLOBEX_PASSWORD).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    // Each password opens its own tenant directly: no picker, no mention of the other.
    let acme = w.api.login("agent@acme.test", PASSWORD).await;
    assert!(acme.body.get("error").is_none(), "{}", acme.body);
    assert_eq!(tenant_of(&w, &acme).await, w.a.id);
    let globex = w.api.login("agent@acme.test", GLOBEX_PASSWORD).await;
    assert_eq!(tenant_of(&w, &globex).await, w.b.id);

    // Naming the other tenant with this tenant's password is just a wrong password.
    let cross = login_in(&w, "agent@acme.test", PASSWORD, &w.b.id).await;
    let unknown = w.api.login("nobody@acme.test", PASSWORD).await;
    assert_eq!(cross.status, StatusCode::UNAUTHORIZED);
    assert_eq!(cross.body, unknown.body);
    let wrong = w.api.login("agent@acme.test", "not-the-password").await;
    assert_eq!(wrong.body, unknown.body);
}
