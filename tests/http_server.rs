//! The running server as clients see it: health, error shape, middleware, logging, shutdown.

mod common;

use std::time::Duration;

use common::server::TestServer;
use reqwest::{Client, StatusCode};
use serde_json::Value;

async fn error_of(resp: reqwest::Response) -> (StatusCode, String) {
    let status = resp.status();
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "errors are JSON"
    );
    let body: Value = resp.json().await.expect("JSON body");
    let code = body["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_string();
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    (status, code)
}

#[tokio::test]
async fn health_and_readiness() {
    let server = TestServer::start(&[]).await;
    let client = Client::new();
    let health: Value = client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let ready = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    // Version and profile only for a tenant's administrators.
    let anonymous = client
        .get(server.url("/internal/version"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    common::api::init_tenant(&server, "Acme", "owner@acme.test");
    let api = common::api::Api::new(&server);
    let token = api.token("owner@acme.test", common::api::PASSWORD).await;
    let version: Value = client
        .get(server.url("/internal/version"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let expected = format!("{:?}", common::server::test_backend()).to_lowercase();
    assert_eq!(version["database"], expected.as_str());
    assert_eq!(version["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn every_error_has_the_json_shape() {
    let server = TestServer::start(&[("UNIQCHAT__SERVER__BODY_LIMIT_BYTES", "4096")]).await;
    let client = Client::new();

    let (status, code) = error_of(
        client
            .get(server.url("/no/such/page"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (status, code) = error_of(
        client
            .get(server.url("/api/admin/nothing"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );

    let resp = client.delete(server.url("/healthz")).send().await.unwrap();
    let allow = resp
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_string());
    let (status, code) = error_of(resp).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    assert!(
        allow.is_some_and(|a| a.contains("GET")),
        "405 keeps its Allow header"
    );

    let big = vec![b'x'; 64 * 1024];
    let resp = client
        .post(server.url("/api/auth/login"))
        .body(big)
        .send()
        .await
        .unwrap();
    let (status, code) = error_of(resp).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );
}

#[tokio::test]
async fn request_ids_cors_and_compression() {
    let server = TestServer::start(&[]).await;
    let client = Client::new();
    let resp = client.get(server.url("/healthz")).send().await.unwrap();
    let id = resp
        .headers()
        .get("x-request-id")
        .expect("a request id is made")
        .to_str()
        .unwrap();
    assert_eq!(id.len(), 36);
    let resp = client
        .get(server.url("/healthz"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["x-request-id"],
        "trace-me-42",
        "a given id is kept"
    );

    let preflight = client
        .request(reqwest::Method::OPTIONS, server.url("/api/auth/login"))
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");

    let resp = client
        .get(server.url("/api/openapi.json"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
}

#[tokio::test]
async fn cors_can_be_restricted_to_listed_origins() {
    let server = TestServer::start(&[(
        "UNIQCHAT__SERVER__CORS_ORIGINS",
        "[\"https://shop.example\"]",
    )])
    .await;
    let client = Client::new();
    let allowed = client
        .get(server.url("/healthz"))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    let other = client
        .get(server.url("/healthz"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let server = TestServer::start(&[
        ("UNIQCHAT__RATE_LIMIT__PER_SECOND", "1"),
        ("UNIQCHAT__RATE_LIMIT__BURST", "3"),
    ])
    .await;
    let client = Client::new();
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..6 {
        let resp = client.get(server.url("/api/auth/me")).send().await.unwrap();
        statuses.push(resp.status());
        if resp.status() == StatusCode::TOO_MANY_REQUESTS && limited.is_none() {
            limited = Some(resp);
        }
    }
    assert_eq!(
        &statuses[..3],
        &[StatusCode::UNAUTHORIZED; 3],
        "the burst passes: {statuses:?}"
    );
    let limited = limited.expect("requests past the burst are limited");
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    let (_, code) = error_of(limited).await;
    assert_eq!(code, "rate_limited");

    for _ in 0..10 {
        let health = client.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(
            health.status(),
            StatusCode::OK,
            "health checks are not rate limited"
        );
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let after = client.get(server.url("/api/auth/me")).send().await.unwrap();
    assert_eq!(
        after.status(),
        StatusCode::UNAUTHORIZED,
        "the bucket refills"
    );
}

#[tokio::test]
async fn sigterm_stops_cleanly_with_exit_zero() {
    let mut server = TestServer::start(&[]).await;
    let client = Client::new();
    assert!(client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    let status = server.terminate();
    assert_eq!(status.code(), Some(0), "stderr: {}", server.stderr());
    assert!(
        Client::new()
            .get(server.url("/healthz"))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .is_err(),
        "nothing listens after shutdown"
    );
}

#[tokio::test]
async fn logs_go_to_daily_files_and_json_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let url = common::server::fresh_database_url(dir.path()).await;
    let mut server = TestServer::start_in(
        dir,
        &[
            ("UNIQCHAT__DATABASE__URL", url.as_str()),
            ("UNIQCHAT__LOG__FILE", "true"),
            ("UNIQCHAT__LOG__DIR", logs.to_str().unwrap()),
            ("UNIQCHAT__LOG__FORMAT", "json"),
            ("UNIQCHAT__LOG__LEVEL", "info"),
        ],
    )
    .await;
    Client::new()
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(server.terminate().code(), Some(0));

    let stdout = server.stdout();
    let lines: Vec<Value> = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["message"] == "uniqchat listening"),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "finished processing request"),
        "access log: {stdout}"
    );

    let files: Vec<_> = std::fs::read_dir(&logs)
        .expect("log dir")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap().to_string();
    assert!(
        name.starts_with("uniqchat.") && name.ends_with(".log"),
        "{name}"
    );
    let content = std::fs::read_to_string(&files[0]).unwrap();
    assert!(content.contains("uniqchat listening"), "{content}");
}

#[tokio::test]
async fn first_start_creates_the_first_account_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::server::fresh_database_url(dir.path()).await;
    let env = [
        ("UNIQCHAT__DATABASE__URL", url.as_str()),
        ("UNIQCHAT__BOOTSTRAP__ENABLED", "true"),
    ];
    let mut first = TestServer::start_in(dir, &env).await;
    assert_eq!(first.terminate().code(), Some(0));
    let out = first.stdout();
    assert!(
        out.contains("account:   admin@example.com (owner)"),
        "{out}"
    );
    assert!(
        out.contains("password:  "),
        "a generated password is shown: {out}"
    );
    assert!(out.contains("data-site-key=\"sk_"), "{out}");

    let dir = std::mem::replace(&mut first.workdir, tempfile::tempdir().unwrap());
    drop(first);
    let mut second = TestServer::start_in(dir, &env).await;
    assert_eq!(second.terminate().code(), Some(0));
    assert!(
        !second.stdout().contains("password:"),
        "only the first start creates an account"
    );
}

/// Readiness follows the database: the same node answers 503 once its database is gone.
#[tokio::test]
async fn readiness_fails_when_the_database_goes_away() {
    use sea_orm::{ConnectionTrait, Database};
    use uniqchat::store::Backend;

    let Some(admin_url) = common::db::server_url(Backend::Postgres) else {
        return;
    };
    let db = common::db::TestDb::create(Backend::Postgres).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(dir, &[("UNIQCHAT__DATABASE__URL", db.url.as_str())]).await;
    let client = Client::new();
    assert_eq!(
        client
            .get(server.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    let name = db.url.rsplit('/').next().unwrap().to_string();
    let admin = Database::connect(&admin_url).await.unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
    admin.close().await.ok();

    let resp = client.get(server.url("/readyz")).send().await.unwrap();
    let (status, code) = error_of(resp).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready")
    );
    assert_eq!(
        client
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK,
        "the process is still up"
    );
}
