//! The browser side as the server hands it out: the pages, the widget script and their assets,
//! with the headers that make them safe to embed and cheap to load again.

mod common;

use common::api::init_tenant;
use common::server::TestServer;
use reqwest::{header, Client, StatusCode};
use serde_json::Value;

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn pages_and_the_widget_are_served_from_the_binary() {
    let server = TestServer::start(&[]).await;
    let http = client();

    for (path, kind) in [
        ("/agent", "text/html"),
        ("/admin", "text/html"),
        ("/demo", "text/html"),
        ("/widget.js", "text/javascript"),
    ] {
        let r = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let h = r.headers();
        let content_type = h[header::CONTENT_TYPE].to_str().unwrap();
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert!(h.contains_key(header::ETAG), "{path}");
        if kind == "text/html" {
            // Pages run only the server's own scripts: injected markup cannot run code.
            let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
            assert_eq!(h[header::CACHE_CONTROL], "no-cache", "{path}");
        }
        assert!(!r.bytes().await.unwrap().is_empty(), "{path}");
    }

    // Any site may load the widget.
    let widget = http.get(server.url("/widget.js")).send().await.unwrap();
    assert_eq!(widget.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(widget.headers()[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("max-age"));

    let home = http.get(server.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(home.headers()[header::LOCATION], "/agent");
}

#[tokio::test]
async fn a_known_version_is_not_sent_again_and_text_is_compressed() {
    let server = TestServer::start(&[]).await;
    let http = client();
    let first = http.get(server.url("/widget.js")).send().await.unwrap();
    let etag = first.headers()[header::ETAG].clone();
    let again = http
        .get(server.url("/widget.js"))
        .header(header::IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[header::ETAG], etag);
    assert!(again.bytes().await.unwrap().is_empty());

    let stale = http
        .get(server.url("/widget.js"))
        .header(header::IF_NONE_MATCH, "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);

    let gzipped = http
        .get(server.url("/widget.js"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()[header::CONTENT_ENCODING], "gzip");
    assert!(gzipped.bytes().await.unwrap().len() < first.bytes().await.unwrap().len());
}

#[tokio::test]
async fn only_files_of_the_four_areas_are_served() {
    let server = TestServer::start(&[]).await;
    let http = client();
    for path in [
        "/assets/widget/no-such-file.js",
        "/assets/secret/widget.js",
        "/assets/widget/..%2Fdemo.html",
        "/assets/widget/.hidden",
        "/assets/agent/%2e%2e%5cadmin%5cindex.html",
    ] {
        let r = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{path}");
    }
}

/// Issue 14 item 16: the workspace and the console name their icon, and it is served.
#[tokio::test]
async fn pages_have_a_favicon() {
    let server = TestServer::start(&[]).await;
    let http = client();
    for page in ["/agent", "/admin"] {
        let html = http
            .get(server.url(page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(
                r#"<link rel="icon" type="image/svg+xml" href="/assets/shared/favicon.svg">"#
            ),
            "{page}"
        );
    }
    let icon = http
        .get(server.url("/assets/shared/favicon.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(icon.headers()[header::CONTENT_TYPE], "image/svg+xml");
    assert!(icon.text().await.unwrap().starts_with("<svg"));
}

#[tokio::test]
async fn demo_without_a_key_shows_the_oldest_tenants_widget() {
    let server = TestServer::start(&[]).await;
    let http = client();

    // No tenant yet: the page as it is (its widget has no site key to use).
    let r = http.get(server.url("/demo")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let first = init_tenant(&server, "First Shop", "owner@first.test");
    let second = init_tenant(&server, "Second Shop", "owner@second.test");

    // `/demo` as the README names it leads to the same page with the oldest tenant's key,
    // which the widget reads from the address.
    for path in ["/demo", "/demo?key=", "/demo?utm_source=newsletter"] {
        let r = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            r.headers()[header::LOCATION],
            format!("/demo?key={}", first.site_key).as_str(),
            "{path}"
        );
    }

    // A key in the link is kept, whichever tenant it names.
    let r = http
        .get(server.url(&format!("/demo?key={}", second.site_key)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("/widget.js"));
}
