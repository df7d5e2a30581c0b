//! `/api/auth`: sessions, refresh rotation, password changes, token checks, login throttling.

mod common;

use common::api::{World, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn login_gives_a_session_and_me_describes_it() {
    let w = World::new().await;
    let r = w.api.login("Owner@Acme.test", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    assert_eq!(r.body["user"]["email"], "owner@acme.test");
    assert!(
        r.body["user"].get("password_hash").is_none(),
        "no hash in answers"
    );

    let me = w
        .api
        .get("/api/auth/me", r.body["access_token"].as_str().unwrap())
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["tenant"]["id"], w.a.id.as_str());
    assert_eq!(me.body["tenant"]["site_key"], w.a.site_key.as_str());
    let perms: Vec<&str> = me.body["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(perms.contains(&"tenant:delete"));

    let agent_me = w.api.get("/api/auth/me", &w.agent).await;
    assert_eq!(agent_me.body["user"]["role"], "agent");
    assert_eq!(agent_me.body["permissions"], json!(["chat"]));
}

#[tokio::test]
async fn wrong_password_and_unknown_email_answer_the_same() {
    let w = World::new().await;
    let wrong = w.api.login("owner@acme.test", "not-the-password").await;
    let unknown = w.api.login("nobody@acme.test", "not-the-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_revokes_the_family() {
    let w = World::new().await;
    let first = w.api.login("owner@acme.test", PASSWORD).await.body;
    let r1 = first["refresh_token"].as_str().unwrap();

    let second = w
        .api
        .call(
            Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({ "refresh_token": r1 })),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let r2 = second.body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2, "the refresh token rotates");
    assert_eq!(
        w.api
            .get(
                "/api/auth/me",
                second.body["access_token"].as_str().unwrap()
            )
            .await
            .status,
        StatusCode::OK
    );

    // The old token again: refused, and the live one from the same login dies with it.
    let reuse = w
        .api
        .call(
            Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({ "refresh_token": r1 })),
        )
        .await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    let after = w
        .api
        .call(
            Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({ "refresh_token": r2 })),
        )
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "family revoked");

    // Another login is another family and still works.
    let other = w.api.login("owner@acme.test", PASSWORD).await.body;
    let ok = w
        .api
        .call(
            Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({ "refresh_token": other["refresh_token"] })),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let junk = w
        .api
        .call(
            Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({ "refresh_token": "junk" })),
        )
        .await;
    assert_eq!(
        (junk.status, junk.code()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let w = World::new().await;
    let s = w.api.login("owner@acme.test", PASSWORD).await.body;
    let body = json!({ "refresh_token": s["refresh_token"] });
    let out = w
        .api
        .call(Method::POST, "/api/auth/logout", None, Some(body.clone()))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let refresh = w
        .api
        .call(Method::POST, "/api/auth/refresh", None, Some(body))
        .await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn password_change_checks_the_current_one_and_ends_other_sessions() {
    let w = World::new().await;
    let s = w.api.login("agent@acme.test", PASSWORD).await.body;
    let token = s["access_token"].as_str().unwrap();
    let bad = w
        .api
        .post(
            "/api/auth/password",
            token,
            json!({ "current_password": "wrong-one", "new_password": "brand-new-pass" }),
        )
        .await;
    assert_eq!(
        (bad.status, bad.field_errors()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["current_password".to_string()]
        )
    );
    let short = w
        .api
        .post(
            "/api/auth/password",
            token,
            json!({ "current_password": PASSWORD, "new_password": "short" }),
        )
        .await;
    assert_eq!(
        (short.status, short.field_errors()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["new_password".to_string()]
        )
    );
    assert_eq!(
        w.api.login("agent@acme.test", PASSWORD).await.status,
        StatusCode::OK,
        "nothing changed yet"
    );

    let ok = w
        .api
        .post(
            "/api/auth/password",
            token,
            json!({ "current_password": PASSWORD, "new_password": "brand-new-pass" }),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.body);
    assert_eq!(
        w.api.login("agent@acme.test", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        w.api
            .login("agent@acme.test", "brand-new-pass")
            .await
            .status,
        StatusCode::OK
    );
    let refresh = w
        .api
        .call(
            Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({ "refresh_token": s["refresh_token"] })),
        )
        .await;
    assert_eq!(
        refresh.status,
        StatusCode::UNAUTHORIZED,
        "sessions from before the change end"
    );
}

fn sign(claims: serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_refused() {
    let w = World::new().await;
    // The secret the server generated into its data directory on the first start.
    let secret = std::fs::read_to_string(w.server.workdir.path().join("data/jwt-secret"))
        .expect("generated secret");
    let secret = secret.as_str();
    let now = chrono::Utc::now().timestamp();
    let claims = |tid: &str, sub: &str, exp: i64| json!({ "sub": sub, "tid": tid, "role": "owner", "typ": "access", "iat": now, "exp": exp });

    let good = sign(claims(&w.a.id, &w.a.owner_id, now + 600), secret);
    assert_eq!(
        w.api.get("/api/auth/me", &good).await.status,
        StatusCode::OK,
        "the test signs like the server"
    );

    let cases = [
        (
            "expired",
            sign(claims(&w.a.id, &w.a.owner_id, now - 60), secret),
        ),
        (
            "other secret",
            sign(
                claims(&w.a.id, &w.a.owner_id, now + 600),
                "a-different-secret-of-enough-length-000",
            ),
        ),
        (
            "user of another tenant",
            sign(claims(&w.b.id, &w.a.owner_id, now + 600), secret),
        ),
        ("tampered", format!("{}x", &good[..good.len() - 1])),
        (
            "visitor token",
            sign(
                json!({ "sub": w.a.owner_id, "tid": w.a.id, "role": "owner", "typ": "visitor", "iat": now, "exp": now + 600 }),
                secret,
            ),
        ),
        ("garbage", "not.a.jwt".to_string()),
        ("unknown api token", "uc_nope".to_string()),
    ];
    for (what, token) in cases {
        let r = w.api.get("/api/admin/users", &token).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            "{what}: {}",
            r.body
        );
    }
    let none = w
        .api
        .call(Method::GET, "/api/admin/users", None, None)
        .await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let basic = w
        .api
        .client
        .get(format!("{}/api/admin/users", w.api.base))
        .basic_auth("a", Some("b"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_disabled_account_is_locked_out_at_once() {
    let w = World::new().await;
    assert_eq!(
        w.api.get("/api/auth/me", &w.agent).await.status,
        StatusCode::OK
    );
    let r = w
        .api
        .patch(
            &format!("/api/admin/users/{}", w.agent_id),
            &w.owner,
            json!({ "disabled": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        w.api.get("/api/auth/me", &w.agent).await.status,
        StatusCode::UNAUTHORIZED,
        "its live token stops working"
    );
    assert_eq!(
        w.api.login("agent@acme.test", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    w.api
        .patch(
            &format!("/api/admin/users/{}", w.agent_id),
            &w.owner,
            json!({ "disabled": false }),
        )
        .await;
    assert_eq!(
        w.api.login("agent@acme.test", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn login_attempts_are_limited_per_account() {
    let w = World::with_env(&[("UNIQCHAT__AUTH__LOGIN_PER_MINUTE_ACCOUNT", "3")]).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(
            w.api
                .login("admin@acme.test", "wrong-password")
                .await
                .status,
        );
    }
    // World::new already logged admin@ in once: 2 more pass, then the limit holds.
    assert_eq!(
        statuses[..2],
        [StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED],
        "{statuses:?}"
    );
    assert!(
        statuses[2..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let limited = w
        .api
        .client
        .post(format!("{}/api/auth/login", w.api.base))
        .json(&json!({ "email": "admin@acme.test", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        limited.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(limited.headers().get("retry-after").is_some());
    assert_eq!(
        w.api
            .login("agent@acme.test", "wrong-password")
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "other accounts are not affected"
    );
}

#[tokio::test]
async fn malformed_requests_get_clear_errors() {
    let w = World::new().await;
    let url = format!("{}/api/auth/login", w.api.base);
    let c = &w.api.client;
    let syntax = c
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(syntax.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        syntax.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "invalid_json"
    );
    let missing = c
        .post(&url)
        .json(&json!({ "email": "a@b.io" }))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_body");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("password"),
        "{body}"
    );
    let wrong_type = c
        .post(&url)
        .json(&json!({ "email": 5, "password": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::BAD_REQUEST);
    let unknown = c
        .post(&url)
        .json(&json!({ "email": "a@b.io", "password": "x", "admin": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let not_json = c.post(&url).body("email=a").send().await.unwrap();
    assert_eq!(not_json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let bad_query = w.api.get("/api/admin/users?limit=lots", &w.owner).await;
    assert_eq!(
        (bad_query.status, bad_query.code()),
        (StatusCode::BAD_REQUEST, "invalid_query")
    );
    let bad_limit = w.api.get("/api/admin/users?limit=0", &w.owner).await;
    assert_eq!(bad_limit.field_errors(), vec!["limit".to_string()]);
}

#[tokio::test]
async fn api_tokens_act_within_their_scopes_until_revoked() {
    let w = World::new().await;
    let created = w
        .api
        .post(
            "/api/admin/api-tokens",
            &w.admin,
            json!({ "name": "CRM", "scopes": ["users:read"] }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("uc_"));
    let id = created.body["id"].as_str().unwrap().to_string();

    let list = w.api.get("/api/admin/users", &secret).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 3);
    let write = w
        .api
        .post(
            "/api/admin/users",
            &secret,
            json!({ "email": "x@acme.test" }),
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN, "outside its scopes");
    assert_eq!(
        w.api.get("/api/admin/settings", &secret).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.api.get("/api/auth/me", &secret).await.status,
        StatusCode::FORBIDDEN,
        "a token is not a person"
    );

    let tokens = w.api.get("/api/admin/api-tokens", &w.admin).await;
    let listed = &tokens.body.as_array().unwrap()[0];
    assert!(
        listed.get("secret").is_none(),
        "the secret is shown once only"
    );
    assert!(listed["last_used_at"].is_string(), "use is recorded");

    let bad = w
        .api
        .post(
            "/api/admin/api-tokens",
            &w.admin,
            json!({ "name": "x", "scopes": ["tenant:delete", "nope"] }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let other_tenant = w
        .api
        .delete(&format!("/api/admin/api-tokens/{id}"), &w.other_owner)
        .await;
    assert_eq!(other_tenant.status, StatusCode::NOT_FOUND);
    assert_eq!(
        w.api.get("/api/admin/users", &secret).await.status,
        StatusCode::OK,
        "still live"
    );
    assert_eq!(
        w.api
            .delete(&format!("/api/admin/api-tokens/{id}"), &w.admin)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        w.api.get("/api/admin/users", &secret).await.status,
        StatusCode::UNAUTHORIZED,
        "revoked at once"
    );
}

#[tokio::test]
async fn login_attempts_are_limited_per_address() {
    let w = World::with_env(&[("UNIQCHAT__AUTH__LOGIN_PER_MINUTE_IP", "6")]).await;
    // World::new used 4 logins from this address; two more pass, whatever the account.
    assert_eq!(
        w.api
            .login("admin@acme.test", "wrong-password")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        w.api
            .login("agent@acme.test", "wrong-password")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let limited = w.api.login("owner@globex.test", PASSWORD).await;
    assert_eq!(
        (limited.status, limited.code()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
}
