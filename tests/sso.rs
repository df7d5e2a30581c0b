//! Single sign-on with OpenID Connect against a real provider: `oidc-provider` (npm) run by
//! tests/oidc/provider.mjs on a free port. The flow is driven over HTTP as a browser does it:
//! redirects followed by hand, cookies kept, the provider's sign-in form posted.

mod common;

use common::api::{World, API_ENV, PASSWORD};
use common::oidc::{start_provider, Browser, Ended, OidcProvider};
use common::server::{free_port, TestServer};
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const CLIENT_ID: &str = "uniqchat-acme";
const CLIENT_SECRET: &str = "acme-client-secret-4711";

struct Setup {
    w: World,
    provider: OidcProvider,
}

/// A server whose public URL is known up front, the two-tenant fixture, and the provider
/// with a client registered for the server's callback.
async fn setup() -> Setup {
    let port = free_port();
    let public_url = format!("http://127.0.0.1:{port}");
    let mut env: Vec<(&str, &str)> = API_ENV.to_vec();
    env.push(("UNIQCHAT__SERVER__PUBLIC_URL", &public_url));
    let server = TestServer::start_on(port, &env).await;
    let redirect_uri = format!("{public_url}/api/auth/sso/callback");
    let config = json!({
        "clients": [{
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [redirect_uri],
        }],
        "accounts": {
            "alice": { "email": "alice@acme.test", "email_verified": true, "name": "Alice A" },
            "newbie": { "email": "newbie@acme.test", "email_verified": true, "name": "New Bie" },
            "eve": { "email": "eve@acme.test", "email_verified": false, "name": "Eve" },
            "bob": { "email": "bob@globex.test", "email_verified": true, "name": "Bob" },
        },
    });
    let provider = start_provider(&config);
    let w = World::on(server).await;
    Setup { w, provider }
}

fn sso_body(issuer: &str, auto_provision: bool) -> Value {
    json!({
        "enabled": true,
        "display_name": "Acme ID",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "auto_provision": auto_provision,
    })
}

async fn configure(s: &Setup, body: Value) -> Value {
    let r = s.w.api.put("/api/admin/sso", &s.w.owner, Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// Clicks "Sign in with …" for `tenant`, signs in at the provider as `login`, follows the
/// redirects back to the server's callback and answers where it sent the browser.
async fn sign_in(s: &Setup, browser: &mut Browser, tenant: &str, login: &str) -> Ended {
    let mut url =
        s.w.server
            .url(&format!("/api/auth/sso/{tenant}/start?app=agent"));
    let mut callback = String::new();
    for _ in 0..12 {
        let mut resp = browser.send(Method::GET, &url, None).await;
        if resp.status() == StatusCode::OK && url.contains("/interaction/") {
            let post = format!("{url}/login");
            resp = browser
                .send(Method::POST, &post, Some(&[("login", login)]))
                .await;
        }
        assert!(resp.status().is_redirection(), "{url}: {}", resp.status());
        let location = resp.headers()[LOCATION].to_str().unwrap().to_string();
        if location.starts_with("/agent") || location.starts_with("/admin") {
            return Ended { location, callback };
        }
        url = url::Url::parse(&url)
            .unwrap()
            .join(&location)
            .unwrap()
            .to_string();
        if url.contains("/api/auth/sso/callback") {
            callback = url.clone();
        }
    }
    panic!("the sign-in did not come back");
}

async fn exchange(s: &Setup, code: &str) -> (StatusCode, Value) {
    let r =
        s.w.api
            .call(
                Method::POST,
                "/api/auth/sso/exchange",
                None,
                Some(json!({ "code": code })),
            )
            .await;
    (r.status, r.body)
}

async fn emails(s: &Setup) -> Vec<String> {
    let r = s.w.api.get("/api/admin/users?limit=200", &s.w.owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.body["items"]
        .as_array()
        .or(r.body.as_array())
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_string())
        .collect()
}

async fn add_user(s: &Setup, token: &str, email: &str) {
    let r =
        s.w.api
            .post(
                "/api/admin/users",
                token,
                json!({ "email": email, "role": "agent", "password": PASSWORD }),
            )
            .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test]
async fn an_existing_account_signs_in_and_the_secret_is_never_returned() {
    let s = setup().await;
    add_user(&s, &s.w.owner, "alice@acme.test").await;

    // Before: the login page shows no button.
    let q = format!("/api/auth/sso?tenant={}", s.w.a.id);
    let none = s.w.api.call(Method::GET, &q, None, None).await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(none.body["enabled"], false);

    let saved = configure(&s, sso_body(&s.provider.issuer, false)).await;
    assert_eq!(saved["has_client_secret"], true);
    assert!(saved.get("client_secret").is_none(), "{saved}");
    assert_eq!(
        saved["redirect_uri"],
        s.w.server.url("/api/auth/sso/callback")
    );
    assert_eq!(saved["scopes"], "openid email profile");
    assert_eq!(saved["default_role"], "agent");
    let read = s.w.api.get("/api/admin/sso", &s.w.admin).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, saved);
    let audit = s.w.api.get("/api/admin/audit", &s.w.owner).await;
    assert!(
        audit.body.to_string().contains("sso.update"),
        "{}",
        audit.body
    );
    for body in [&saved, &read.body, &audit.body] {
        assert!(!body.to_string().contains(CLIENT_SECRET), "{body}");
    }
    // Keeping the secret: leave it out.
    let mut keep = sso_body(&s.provider.issuer, false);
    keep.as_object_mut().unwrap().remove("client_secret");
    assert_eq!(configure(&s, keep).await["has_client_secret"], true);
    // Agents may not read or change it.
    let agent = s.w.api.get("/api/admin/sso", &s.w.agent).await;
    assert_eq!(agent.status, StatusCode::FORBIDDEN);

    let button = s.w.api.call(Method::GET, &q, None, None).await;
    assert_eq!(button.body["enabled"], true);
    assert_eq!(button.body["display_name"], "Acme ID");
    assert!(
        !button.body.to_string().contains(CLIENT_ID),
        "{}",
        button.body
    );

    let mut browser = Browser::new();
    let ended = sign_in(&s, &mut browser, &s.w.a.id, "alice").await;
    let code = ended.code();
    let (status, session) = exchange(&s, &code).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["user"]["email"], "alice@acme.test");
    let token = session["access_token"].as_str().unwrap();
    let me = s.w.api.get("/api/auth/me", token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["tenant"]["id"], s.w.a.id.as_str());
    assert_eq!(me.body["user"]["role"], "agent");
    let refreshed =
        s.w.api
            .call(
                Method::POST,
                "/api/auth/refresh",
                None,
                Some(json!({ "refresh_token": session["refresh_token"] })),
            )
            .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);

    // The one-time code works once.
    let (again, body) = exchange(&s, &code).await;
    assert_eq!(again, StatusCode::UNAUTHORIZED, "{body}");
    // The provider's answer works once: replayed, it is refused and signs nobody in.
    let replay = browser.send(Method::GET, &ended.callback, None).await;
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
    let replayed = Ended {
        location: replay.headers()[LOCATION].to_str().unwrap().into(),
        callback: String::new(),
    };
    assert_eq!(replayed.error().0, "bad_state", "{}", replayed.location);
}

#[tokio::test]
async fn the_callback_only_works_in_the_browser_that_started_and_with_the_right_secret() {
    let s = setup().await;
    add_user(&s, &s.w.owner, "alice@acme.test").await;
    configure(&s, sso_body(&s.provider.issuer, false)).await;

    // A sign-in driven up to the provider's answer.
    let mut browser = Browser::new();
    let mut url = s.w.server.url(&format!("/api/auth/sso/{}/start", s.w.a.id));
    let callback = loop {
        let mut resp = browser.send(Method::GET, &url, None).await;
        if resp.status() == StatusCode::OK {
            resp = browser
                .send(
                    Method::POST,
                    &format!("{url}/login"),
                    Some(&[("login", "alice")]),
                )
                .await;
        }
        let location = resp.headers()[LOCATION].to_str().unwrap().to_string();
        url = url::Url::parse(&url)
            .unwrap()
            .join(&location)
            .unwrap()
            .to_string();
        if url.contains("/api/auth/sso/callback") {
            break url;
        }
    };
    // The same answer claiming another issuer (a mix-up attack, RFC 9207) is refused.
    let mut forged = browser.cookies.clone();
    let mixed = callback.replace("iss=http", "iss=https");
    assert_ne!(mixed, callback, "the provider sends iss");
    let mut other = Browser::new();
    other.cookies = std::mem::take(&mut forged);
    let resp = other.send(Method::GET, &mixed, None).await;
    let ended = Ended {
        location: resp.headers()[LOCATION].to_str().unwrap().into(),
        callback: mixed,
    };
    let (code, message) = ended.error();
    assert_eq!(code, "provider_failed", "{message}");
    assert!(message.contains("another issuer"), "{message}");

    // Another browser (no state cookie) presenting an answer.
    let mut browser = Browser::new();
    let mut url = s.w.server.url(&format!("/api/auth/sso/{}/start", s.w.a.id));
    let callback = loop {
        let mut resp = browser.send(Method::GET, &url, None).await;
        if resp.status() == StatusCode::OK {
            resp = browser
                .send(
                    Method::POST,
                    &format!("{url}/login"),
                    Some(&[("login", "alice")]),
                )
                .await;
        }
        let location = resp.headers()[LOCATION].to_str().unwrap().to_string();
        url = url::Url::parse(&url)
            .unwrap()
            .join(&location)
            .unwrap()
            .to_string();
        if url.contains("/api/auth/sso/callback") {
            break url;
        }
    };
    let mut stranger = Browser::new();
    let resp = stranger.send(Method::GET, &callback, None).await;
    let ended = Ended {
        location: resp.headers()[LOCATION].to_str().unwrap().into(),
        callback,
    };
    assert_eq!(ended.error().0, "bad_state", "{}", ended.location);

    // A wrong client secret: the provider refuses the code exchange.
    let mut wrong = sso_body(&s.provider.issuer, false);
    wrong["client_secret"] = json!("not-the-secret");
    configure(&s, wrong).await;
    let ended = sign_in(&s, &mut Browser::new(), &s.w.a.id, "alice").await;
    let (code, message) = ended.error();
    assert_eq!(code, "provider_failed", "{message}");
    assert!(message.contains("token request was refused"), "{message}");
}

#[tokio::test]
async fn unknown_e_mails_are_provisioned_only_when_allowed() {
    let s = setup().await;
    configure(&s, sso_body(&s.provider.issuer, false)).await;
    let before = emails(&s).await;

    let ended = sign_in(&s, &mut Browser::new(), &s.w.a.id, "newbie").await;
    let (code, message) = ended.error();
    assert_eq!(code, "no_account");
    assert!(message.contains("newbie@acme.test"), "{message}");
    assert_eq!(emails(&s).await, before, "nothing was created");

    // The owner role is never given away.
    let mut owner = sso_body(&s.provider.issuer, true);
    owner["default_role"] = json!("owner");
    let r = s.w.api.put("/api/admin/sso", &s.w.owner, Some(owner)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0]["field"], "default_role");

    let mut on = sso_body(&s.provider.issuer, true);
    on["default_role"] = json!("admin");
    on["allowed_domains"] = json!(["acme.test"]);
    configure(&s, on).await;
    let ended = sign_in(&s, &mut Browser::new(), &s.w.a.id, "newbie").await;
    let (status, session) = exchange(&s, &ended.code()).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["user"]["email"], "newbie@acme.test");
    assert_eq!(session["user"]["role"], "admin");
    assert_eq!(session["user"]["name"], "New Bie");
    assert!(emails(&s).await.contains(&"newbie@acme.test".to_string()));
    // It has no password that works.
    for guess in ["", "!sso", PASSWORD] {
        let r = s.w.api.login("newbie@acme.test", guess).await;
        assert_ne!(r.status, StatusCode::OK, "{guess}");
    }
    let audit = s.w.api.get("/api/admin/audit", &s.w.owner).await;
    assert!(
        audit.body.to_string().contains("user.provision"),
        "{}",
        audit.body
    );

    // Outside the allowed domains: refused, not provisioned.
    let ended = sign_in(&s, &mut Browser::new(), &s.w.a.id, "bob").await;
    assert_eq!(ended.error().0, "domain_not_allowed");
    assert!(!emails(&s).await.contains(&"bob@globex.test".to_string()));
}

#[tokio::test]
async fn unverified_e_mails_and_other_tenants_accounts_are_refused() {
    let s = setup().await;
    configure(&s, sso_body(&s.provider.issuer, true)).await;
    let before = emails(&s).await;

    let ended = sign_in(&s, &mut Browser::new(), &s.w.a.id, "eve").await;
    let (code, message) = ended.error();
    assert_eq!(code, "email_not_verified");
    assert!(message.contains("eve@acme.test"), "{message}");
    assert_eq!(emails(&s).await, before, "nothing was created");

    // bob@globex.test has an account in the other tenant only: it is not matched there.
    add_user(&s, &s.w.other_owner, "bob@globex.test").await;
    configure(&s, sso_body(&s.provider.issuer, false)).await;
    let ended = sign_in(&s, &mut Browser::new(), &s.w.a.id, "bob").await;
    assert_eq!(ended.error().0, "no_account", "{}", ended.location);

    // A disabled account is refused.
    add_user(&s, &s.w.owner, "alice@acme.test").await;
    let users = s.w.api.get("/api/admin/users?limit=200", &s.w.owner).await;
    let items = users.body["items"]
        .as_array()
        .or(users.body.as_array())
        .cloned()
        .unwrap();
    let alice = items
        .iter()
        .find(|u| u["email"] == "alice@acme.test")
        .unwrap();
    let path = format!("/api/admin/users/{}", alice["id"].as_str().unwrap());
    let r =
        s.w.api
            .patch(&path, &s.w.owner, json!({ "disabled": true }))
            .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ended = sign_in(&s, &mut Browser::new(), &s.w.a.id, "alice").await;
    assert_eq!(ended.error().0, "account_disabled", "{}", ended.location);
}

#[tokio::test]
async fn a_bad_issuer_is_refused_clearly_and_changes_nothing() {
    let s = setup().await;
    let mut bad = sso_body("not a url", false);
    let r =
        s.w.api
            .put("/api/admin/sso", &s.w.owner, Some(bad.clone()))
            .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // Nothing listens there.
    bad["issuer"] = json!(format!("http://127.0.0.1:{}", free_port()));
    let r =
        s.w.api
            .put("/api/admin/sso", &s.w.owner, Some(bad.clone()))
            .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "upstream_failed");
    // An HTTP server that is not an OpenID provider.
    bad["issuer"] = json!(s.w.server.url("/nothing"));
    let r = s.w.api.put("/api/admin/sso", &s.w.owner, Some(bad)).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);

    let read = s.w.api.get("/api/admin/sso", &s.w.owner).await;
    assert_eq!(read.body["enabled"], false);
    assert_eq!(read.body["issuer"], "");

    // Starting a sign-in where there is none goes back to the app with the reason.
    let mut browser = Browser::new();
    let resp = browser
        .send(
            Method::GET,
            &s.w.server.url(&format!("/api/auth/sso/{}/start", s.w.a.id)),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let ended = Ended {
        location: resp.headers()[LOCATION].to_str().unwrap().into(),
        callback: String::new(),
    };
    assert_eq!(ended.error().0, "not_found");
    // A callback with a made-up state.
    let resp = browser
        .send(
            Method::GET,
            &s.w.server
                .url("/api/auth/sso/callback?code=x&state=made-up"),
            None,
        )
        .await;
    let ended = Ended {
        location: resp.headers()[LOCATION].to_str().unwrap().into(),
        callback: String::new(),
    };
    assert_eq!(ended.error().0, "bad_state");
    // A made-up one-time code.
    let (status, _) = exchange(&s, "made-up").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
