//! Issue 15 hardening: what hostile or careless input and stale credentials can no longer do.
//! Runs on the backend UNIQCHAT_TEST_BACKEND selects (sqlite, postgres, mysql).

mod common;

use common::api::{World, PASSWORD};
use common::ws::Ws;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn assert_refused(r: &common::api::Reply, field: &str, what: &str) {
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        "{what}: {}",
        r.body
    );
    assert_eq!(
        r.field_errors(),
        vec![field.to_string()],
        "{what}: {}",
        r.body
    );
}

/// A NUL (or any control character but tab, line feed, carriage return) in text input is
/// refused with 422 naming the field, before any database sees it, on every route and on
/// the realtime socket; nothing is stored and nothing fails with 500.
#[tokio::test]
async fn control_characters_in_text_input_are_refused() {
    let w = World::new().await;

    let r = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key, "name": "Ann\u{0}" })),
        )
        .await;
    assert_refused(&r, "name", "visitor session name");

    let r = w.api.login("owner@acme.test\u{0}", PASSWORD).await;
    assert_refused(&r, "email", "login e-mail");

    let r = w
        .api
        .post(
            "/api/admin/users",
            &w.owner,
            json!({ "email": "nul@acme.test", "name": "Nul\u{0}Name", "password": PASSWORD }),
        )
        .await;
    assert_refused(&r, "name", "admin user name");
    let users = w.api.get("/api/admin/users", &w.owner).await;
    assert!(
        !users.body.to_string().contains("nul@acme.test"),
        "nothing stored: {}",
        users.body
    );

    let r = w
        .api
        .post(
            "/api/admin/quick-replies",
            &w.owner,
            json!({ "shortcut": "hi", "title": "Hi", "body": "Hello\u{0}" }),
        )
        .await;
    assert_refused(&r, "body", "quick reply body");
    let replies = w.api.get("/api/admin/quick-replies", &w.owner).await;
    assert_eq!(replies.status, StatusCode::OK);
    assert!(
        !replies.body.to_string().contains("Hello"),
        "nothing stored: {}",
        replies.body
    );

    // Ids and filters in the path and query string.
    let r = w.api.get("/api/admin/users/%00", &w.owner).await;
    assert_refused(&r, "path", "path parameter");
    let r = w.api.get("/api/admin/users?cursor=a%00", &w.owner).await;
    assert_refused(&r, "cursor", "query parameter");
    // Tab, line feed and carriage return are text.
    let r = w
        .api
        .post(
            "/api/admin/quick-replies",
            &w.owner,
            json!({ "shortcut": "multi", "title": "Multi", "body": "one\r\ntwo\tthree" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // The realtime socket: an error frame with the request's id, nothing stored.
    let (mut visitor, _) = Ws::visitor(&w.api, &w.a.site_key).await;
    let reply = visitor
        .request(json!({ "type": "send", "id": "nul-1", "client_msg_id": "c1", "body": "hi\u{0}" }))
        .await;
    assert_eq!(
        (reply["type"].as_str(), reply["code"].as_str()),
        (Some("error"), Some("validation_failed")),
        "{reply}"
    );
    assert!(
        reply["message"].as_str().unwrap_or("").starts_with("body"),
        "{reply}"
    );
    let ack = visitor.say(None, "c2", "hello\r\n\tthere").await;
    // seq 1 is the welcome message: the refused frame started no conversation, stored nothing.
    assert_eq!(
        (ack["type"].as_str(), ack["seq"].as_i64()),
        (Some("ack"), Some(2)),
        "{ack}"
    );

    let log = format!("{}{}", w.server.stdout(), w.server.stderr());
    assert!(!log.contains("ERROR"), "no request failed: {log}");
}

/// The admin route's reset skips the current password, so it is for other accounts only;
/// one's own password changes at /api/auth/password.
#[tokio::test]
async fn nobody_resets_their_own_password_through_the_admin_route() {
    let w = World::new().await;
    for (token, id, who) in [
        (&w.owner, &w.a.owner_id, "owner"),
        (&w.admin, &w.admin_id, "admin"),
    ] {
        let r = w
            .api
            .post(
                &format!("/api/admin/users/{id}/reset-password"),
                token,
                json!({}),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{who}: {}",
            r.body
        );
    }
    assert_eq!(
        w.api.login(&w.a.owner_email, PASSWORD).await.status,
        StatusCode::OK,
        "the owner's password is unchanged"
    );
    let r = w
        .api
        .post(
            &format!("/api/admin/users/{}/reset-password", w.agent_id),
            &w.owner,
            json!({}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "others still can be reset: {}",
        r.body
    );
}

/// A sign-in with an invite (or reset) password may only read who it is and change the
/// password; the realtime socket is refused too. Once changed, everything opens.
#[tokio::test]
async fn a_one_time_password_only_opens_the_password_change() {
    let w = World::new().await;
    let invited = w
        .api
        .post(
            "/api/admin/users",
            &w.owner,
            json!({ "email": "new@acme.test" }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let otp = invited.body["one_time_password"]
        .as_str()
        .unwrap()
        .to_string();

    let s = w.api.login("new@acme.test", &otp).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    assert_eq!(s.body["password_change_required"], true);
    let token = s.body["access_token"].as_str().unwrap().to_string();

    for path in ["/api/agent/quick-replies", "/api/agent/conversations"] {
        let r = w.api.get(path, &token).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "password_change_required"),
            "{path}: {}",
            r.body
        );
    }
    assert_eq!(
        Ws::connect(&w.api.base, "/ws/agent", &token).await.err(),
        Some(common::ws::Closed::Refused(403))
    );
    assert_eq!(
        w.api.get("/api/auth/me", &token).await.status,
        StatusCode::OK
    );

    let changed = w
        .api
        .post(
            "/api/auth/password",
            &token,
            json!({ "current_password": otp, "new_password": "my-own-password-1" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
    let s = w.api.login("new@acme.test", "my-own-password-1").await;
    assert_eq!(s.body["password_change_required"], false, "{}", s.body);
    let token = s.body["access_token"].as_str().unwrap();
    let r = w.api.get("/api/agent/quick-replies", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// Invite and reset passwords stop working after auth.one_time_password_ttl_secs.
#[tokio::test]
async fn one_time_passwords_expire() {
    let w = World::with_env(&[("UNIQCHAT__AUTH__ONE_TIME_PASSWORD_TTL_SECS", "2")]).await;
    let invited = w
        .api
        .post(
            "/api/admin/users",
            &w.owner,
            json!({ "email": "late@acme.test" }),
        )
        .await;
    let otp = invited.body["one_time_password"]
        .as_str()
        .unwrap()
        .to_string();
    let s = w.api.login("late@acme.test", &otp).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    let token = s.body["access_token"].as_str().unwrap().to_string();
    let reset = w
        .api
        .post(
            &format!("/api/admin/users/{}/reset-password", w.agent_id),
            &w.owner,
            json!({}),
        )
        .await;
    let reset_otp = reset.body["one_time_password"]
        .as_str()
        .unwrap()
        .to_string();

    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    for (email, password) in [("late@acme.test", &otp), ("agent@acme.test", &reset_otp)] {
        let r = w.api.login(email, password).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{email}: {}", r.body);
    }
    let r = w
        .api
        .post(
            "/api/auth/password",
            &token,
            json!({ "current_password": otp, "new_password": "too-late-password" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
}

/// Signing out, changing or resetting the password and disabling the account end its access
/// tokens at once (not when they expire) and close its realtime connections with 4001.
#[tokio::test]
async fn ended_sessions_end_access_tokens_and_sockets_at_once() {
    use common::ws::Closed;
    let w = World::new().await;
    let me = |token: String| {
        let api = &w.api;
        async move { api.get("/api/auth/me", &token).await.status }
    };

    // Sign-out.
    let s = w.api.login("agent@acme.test", PASSWORD).await.body;
    let token = s["access_token"].as_str().unwrap().to_string();
    let mut socket = Ws::agent(&w.api, &token).await;
    assert_eq!(me(token.clone()).await, StatusCode::OK);
    let out = w
        .api
        .call(
            Method::POST,
            "/api/auth/logout",
            None,
            Some(json!({ "refresh_token": s["refresh_token"] })),
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(me(token).await, StatusCode::UNAUTHORIZED, "after sign-out");
    assert_eq!(socket.closed().await, Closed::Code(4001));

    // Own password change.
    let token = w.api.token(&w.a.owner_email, PASSWORD).await;
    let mut socket = Ws::agent(&w.api, &token).await;
    let r = w
        .api
        .post(
            "/api/auth/password",
            &token,
            json!({ "current_password": PASSWORD, "new_password": "owner-new-pass-1" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(me(token).await, StatusCode::UNAUTHORIZED, "after a change");
    assert_eq!(socket.closed().await, Closed::Code(4001));
    let owner = w.api.token(&w.a.owner_email, "owner-new-pass-1").await;

    // Disabled by the owner.
    let token = w.api.token("admin@acme.test", PASSWORD).await;
    let mut socket = Ws::agent(&w.api, &token).await;
    let r = w
        .api
        .patch(
            &format!("/api/admin/users/{}", w.admin_id),
            &owner,
            json!({ "disabled": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(me(token).await, StatusCode::UNAUTHORIZED, "after disabling");
    assert_eq!(socket.closed().await, Closed::Code(4001));

    // Reset by the owner.
    let token = w.api.token("agent@acme.test", PASSWORD).await;
    let mut socket = Ws::agent(&w.api, &token).await;
    let r = w
        .api
        .post(
            &format!("/api/admin/users/{}/reset-password", w.agent_id),
            &owner,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(me(token).await, StatusCode::UNAUTHORIZED, "after a reset");
    assert_eq!(socket.closed().await, Closed::Code(4001));
}

/// No installation signs with a secret anyone knows: without a configured one, the first
/// start generates one into the data directory (owner-only), and the secret earlier versions
/// shipped is refused when configured.
#[tokio::test]
async fn the_token_secret_is_generated_per_installation() {
    let w = World::with_env(&[("UNIQCHAT_PROFILE", "dev")]).await;
    let file = w.server.workdir.path().join("data/jwt-secret");
    let secret = std::fs::read_to_string(&file).expect("a generated secret");
    assert!(secret.len() >= 32);
    // So is the key that seals secrets kept in the database, and it differs.
    let key_file = w.server.workdir.path().join("data/secret-key");
    let key = std::fs::read_to_string(&key_file).expect("a generated sealing key");
    assert!(key.len() >= 32);
    assert_ne!(key, secret);
    #[cfg(unix)]
    for file in [&file, &key_file] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by the owner only: {mode:o}");
    }
    let now = chrono::Utc::now().timestamp();
    let claims = json!({ "sub": w.a.owner_id, "tid": w.a.id, "role": "owner", "typ": "access", "iat": now, "exp": now + 600 });
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(uniqchat::config::SHIPPED_JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let r = w.api.get("/api/admin/users", &forged).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

    // A second start (another process on the same database) reads the file rather than
    // making a new secret: sessions survive a restart.
    let kept = file.to_str().unwrap().to_string();
    let mut env: Vec<(&str, &str)> = common::api::API_ENV.to_vec();
    env.push(("UNIQCHAT__DATABASE__URL", &w.server.database_url));
    env.push(("UNIQCHAT__AUTH__JWT_SECRET_FILE", &kept));
    let again = common::server::TestServer::start(&env).await;
    let api = common::api::Api::new(&again);
    assert_eq!(
        api.get("/api/auth/me", &w.owner).await.status,
        StatusCode::OK
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        secret,
        "kept, not regenerated"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = common::server::run(common::server::cli(dir.path()).arg("config").env(
        "UNIQCHAT__AUTH__JWT_SECRET",
        uniqchat::config::SHIPPED_JWT_SECRET,
    ));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("auth.jwt_secret"));
}

/// Who runs what is not for anyone to read.
#[tokio::test]
async fn version_and_profile_need_an_administrator() {
    let w = World::new().await;
    let anonymous = w
        .api
        .call(Method::GET, "/internal/version", None, None)
        .await;
    assert_eq!(
        anonymous.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        anonymous.body
    );
    let agent = w.api.get("/internal/version", &w.agent).await;
    assert_eq!(agent.status, StatusCode::FORBIDDEN, "{}", agent.body);
    let admin = w.api.get("/internal/version", &w.admin).await;
    assert_eq!(admin.status, StatusCode::OK, "{}", admin.body);
    assert_eq!(admin.body["profile"], "test");
}

/// Slowloris: a connection that sends nothing, or only part of a request header, is closed
/// after server.header_read_timeout_secs instead of being held open.
#[tokio::test]
async fn silent_and_half_sent_requests_are_cut_off() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server =
        common::server::TestServer::start(&[("UNIQCHAT__SERVER__HEADER_READ_TIMEOUT_SECS", "1")])
            .await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let cases: [(&str, &[u8]); 4] = [
        ("silent", b""),
        ("half a request line", b"GET /healthz HT"),
        (
            "half a header",
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
        ),
        (
            "idle keep-alive after a request",
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
    ];
    for (what, bytes) in cases {
        let started = Instant::now();
        let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
        if !bytes.is_empty() {
            tcp.write_all(bytes).await.unwrap();
        }
        let mut rest = Vec::new();
        // Closed (end of stream or reset) within the bound, not held open.
        let closed = tokio::time::timeout(Duration::from_secs(8), tcp.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "{what}: still open after 8 s");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(900),
            "{what}: closed too early ({took:?})"
        );
    }
    // A prompt client is served as before.
    let r = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// The OpenAPI document says what the server does: 413/415 answers, the range of `limit`;
/// a body must be a JSON object; the docs page runs under the pages' CSP.
#[tokio::test]
async fn the_api_description_is_exact_and_the_docs_page_is_locked_down() {
    let w = World::new().await;
    let doc = w
        .api
        .call(Method::GET, "/api/openapi.json", None, None)
        .await
        .body;
    let create = &doc["paths"]["/api/admin/users"]["post"]["responses"];
    for status in ["400", "413", "415", "422"] {
        assert!(
            create.get(status).is_some(),
            "POST /api/admin/users lists {status}"
        );
    }
    let params = doc["paths"]["/api/admin/users"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let limit = params.iter().find(|p| p["name"] == "limit").unwrap();
    assert_eq!(
        (
            limit["schema"]["minimum"].as_f64(),
            limit["schema"]["maximum"].as_f64()
        ),
        (Some(1.0), Some(200.0)),
        "{limit}"
    );

    let s = w.api.login("agent@acme.test", PASSWORD).await.body;
    let r = w
        .api
        .call(
            Method::POST,
            "/api/auth/logout",
            None,
            Some(json!([s["refresh_token"]])),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_body"),
        "{}",
        r.body
    );

    let page = w
        .api
        .client
        .get(format!("{}/api/docs", w.api.base))
        .send()
        .await
        .unwrap();
    let csp = page
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp:?}");
    assert!(csp.contains("script-src 'self'"), "{csp:?}");
    let html = page.text().await.unwrap();
    assert!(html.contains("/assets/shared/api-docs.js"));
    let script = w
        .api
        .client
        .get(format!("{}/assets/shared/api-docs.js", w.api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
}
