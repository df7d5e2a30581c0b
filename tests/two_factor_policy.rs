//! The owner can require two-factor sign-in of every account: an account without it gets a
//! session that may only set it up, then refreshes into a full one and cannot turn it off.
//! Two-factor secrets are kept sealed in the database.

mod common;

use std::time::Duration;

use common::api::{Reply, World, PASSWORD};
use common::totp::code;
use common::ws::{Closed, Ws};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uniqchat::store::{ConnectSettings, Store};

/// Sets up and turns on two-factor sign-in with `token`; returns the shared secret.
async fn enrol(w: &World, token: &str) -> String {
    let setup = w.api.post("/api/auth/2fa/setup", token, json!({})).await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
    let secret = setup.body["secret"].as_str().unwrap().to_string();
    let on = w
        .api
        .post(
            "/api/auth/2fa/enable",
            token,
            json!({ "code": code(&secret, 0) }),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    secret
}

async fn require(w: &World, token: &str, on: bool) -> Reply {
    w.api
        .put(
            "/api/admin/security",
            token,
            Some(json!({ "require_two_factor": on })),
        )
        .await
}

fn field<'a>(r: &'a Reply, name: &str) -> &'a Value {
    &r.body[name]
}

#[tokio::test]
async fn required_two_factor_limits_sessions_to_enrolment_until_it_is_on() {
    let w = World::new().await;
    // The agent is signed in before the rule changes: a full session.
    let before = w.api.login("agent@acme.test", PASSWORD).await;
    assert_eq!(field(&before, "two_factor_enrolment_required"), false);
    let old_refresh = field(&before, "refresh_token")
        .as_str()
        .unwrap()
        .to_string();

    // Only the owner sets the rule, and only with two-factor on for their own account.
    let by_admin = require(&w, &w.admin, true).await;
    assert_eq!(by_admin.status, StatusCode::FORBIDDEN, "{}", by_admin.body);
    let too_early = require(&w, &w.owner, true).await;
    assert_eq!(too_early.status, StatusCode::CONFLICT, "{}", too_early.body);
    let policy = w.api.get("/api/admin/security", &w.admin).await;
    assert_eq!(
        field(&policy, "require_two_factor"),
        false,
        "{}",
        policy.body
    );
    enrol(&w, &w.owner).await;
    let set = require(&w, &w.owner, true).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(field(&set, "require_two_factor"), true);
    let policy = w.api.get("/api/admin/security", &w.admin).await;
    assert_eq!(field(&policy, "require_two_factor"), true);
    // The other tenant is not affected.
    let other = w.api.get("/api/admin/security", &w.other_owner).await;
    assert_eq!(field(&other, "require_two_factor"), false);

    // A new sign-in and a refresh of the old session both come back limited to enrolment.
    let limited = w.api.login("agent@acme.test", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::OK, "{}", limited.body);
    assert_eq!(field(&limited, "two_factor_enrolment_required"), true);
    let refreshed = w
        .api
        .call(
            reqwest::Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({ "refresh_token": old_refresh })),
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    assert_eq!(field(&refreshed, "two_factor_enrolment_required"), true);
    let token = field(&limited, "access_token")
        .as_str()
        .unwrap()
        .to_string();

    // Such a session may read who it is and enrol, nothing else: not the API, not realtime.
    let inbox = w
        .api
        .get("/api/agent/conversations?view=queue", &token)
        .await;
    assert_eq!(inbox.status, StatusCode::FORBIDDEN, "{}", inbox.body);
    assert_eq!(inbox.code(), "two_factor_enrolment_required");
    let ws = Ws::connect(&w.server.url(""), "/ws/agent", &token).await;
    assert_eq!(ws.err(), Some(Closed::Refused(403)));
    let me = w.api.get("/api/auth/me", &token).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(field(&me, "two_factor_required"), true);
    assert_eq!(field(&me, "two_factor_enabled"), false);

    // Enrolled, the session refreshes into a full one.
    let secret = enrol(&w, &token).await;
    let full = w
        .api
        .call(
            reqwest::Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({ "refresh_token": field(&limited, "refresh_token") })),
        )
        .await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.body);
    assert_eq!(field(&full, "two_factor_enrolment_required"), false);
    let token = field(&full, "access_token").as_str().unwrap().to_string();
    let inbox = w
        .api
        .get("/api/agent/conversations?view=queue", &token)
        .await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.body);
    Ws::connect(&w.server.url(""), "/ws/agent", &token)
        .await
        .expect("a full session opens the workspace socket");

    // While the rule holds, two-factor cannot be turned off.
    let off = w
        .api
        .post(
            "/api/auth/2fa/disable",
            &token,
            json!({ "password": PASSWORD, "code": code(&secret, 1) }),
        )
        .await;
    assert_eq!(off.status, StatusCode::CONFLICT, "{}", off.body);
    let me = w.api.get("/api/auth/me", &token).await;
    assert_eq!(field(&me, "two_factor_enabled"), true);

    // Recorded in the audit log.
    let audit = w.api.get("/api/admin/audit", &w.owner).await;
    assert!(
        audit.body.to_string().contains("tenant.security"),
        "{}",
        audit.body
    );

    // The rule lifted, sign-in opens full sessions again (the agent still signs in with a code).
    let lifted = require(&w, &w.owner, false).await;
    assert_eq!(field(&lifted, "require_two_factor"), false);
}

#[tokio::test]
async fn two_factor_secrets_are_sealed_in_the_database() {
    let w = World::new().await;
    let secret = enrol(&w, &w.agent).await;
    let store = Store::connect(&ConnectSettings {
        url: w.server.database_url.clone(),
        max_connections: 1,
        connect_timeout: Duration::from_secs(5),
    })
    .await
    .expect("connect to the server's database");
    let row = store
        .get_two_factor(&w.a.id, &w.agent_id)
        .await
        .unwrap()
        .expect("a two-factor row");
    assert!(row.enabled);
    assert!(!row.secret.contains(&secret), "stored in the clear");
    assert!(row.secret.starts_with("sealed1:"), "{}", row.secret);
    // And the sealed secret still checks codes: sign in with one.
    let challenge = w.api.login("agent@acme.test", PASSWORD).await;
    let challenge = field(&challenge, "challenge").as_str().unwrap().to_string();
    let verified = w
        .api
        .call(
            reqwest::Method::POST,
            "/api/auth/2fa/verify",
            None,
            // The current step was spent on enrolment; the next one is accepted too.
            Some(json!({ "challenge": challenge, "code": code(&secret, 1) })),
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
}

/// Secrets kept in the clear by an earlier version are sealed when the server starts, and
/// still check codes.
#[tokio::test]
async fn secrets_stored_in_the_clear_are_sealed_at_start() {
    let w = World::new().await;
    let store = Store::connect(&ConnectSettings {
        url: w.server.database_url.clone(),
        max_connections: 1,
        connect_timeout: Duration::from_secs(5),
    })
    .await
    .expect("connect to the server's database");
    let plain = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    store
        .start_two_factor(&w.a.id, &w.agent_id, plain)
        .await
        .unwrap();
    store
        .enable_two_factor(&w.a.id, &w.agent_id, "[]")
        .await
        .unwrap();

    let key_file = w.server.workdir.path().join("data/secret-key");
    let key_file = key_file.to_str().unwrap().to_string();
    let mut env: Vec<(&str, &str)> = common::api::API_ENV.to_vec();
    env.push(("UNIQCHAT__DATABASE__URL", &w.server.database_url));
    env.push(("UNIQCHAT__AUTH__SECRET_KEY_FILE", &key_file));
    let again = common::server::TestServer::start(&env).await;
    let row = store
        .get_two_factor(&w.a.id, &w.agent_id)
        .await
        .unwrap()
        .expect("a two-factor row");
    assert!(row.secret.starts_with("sealed1:"), "{}", row.secret);
    assert!(!row.secret.contains(plain));

    let api = common::api::Api::new(&again);
    let first = api.login("agent@acme.test", PASSWORD).await;
    let challenge = field(&first, "challenge").as_str().unwrap().to_string();
    let verified = api
        .call(
            reqwest::Method::POST,
            "/api/auth/2fa/verify",
            None,
            Some(json!({ "challenge": challenge, "code": code(plain, 0) })),
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
}
