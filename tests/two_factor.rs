//! Two-factor sign-in (TOTP, RFC 6238): enrolment, sign-in with a code or a recovery code,
//! codes that work once, limited tries, turning it off. Codes are computed here from the
//! shared secret (HMAC-SHA1 over 30 s steps), as an authenticator app does.

mod common;

use common::api::{Reply, World, PASSWORD};
use common::totp::code;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn post(w: &World, path: &str, token: Option<&str>, body: Value) -> Reply {
    w.api.call(Method::POST, path, token, Some(body)).await
}

/// Enrols the agent; returns the secret and the recovery codes.
async fn enrol(w: &World) -> (String, Vec<String>) {
    let setup = post(w, "/api/auth/2fa/setup", Some(&w.agent), json!({})).await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
    let secret = setup.body["secret"].as_str().unwrap().to_string();
    let uri = setup.body["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    assert!(setup.body["qr_svg"].as_str().unwrap().contains("<svg"));

    let wrong = post(
        w,
        "/api/auth/2fa/enable",
        Some(&w.agent),
        json!({ "code": code(&secret, -5) }),
    )
    .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    let on = post(
        w,
        "/api/auth/2fa/enable",
        Some(&w.agent),
        json!({ "code": code(&secret, 0) }),
    )
    .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    let codes: Vec<String> = on.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn challenge(w: &World) -> String {
    let r = w.api.login("agent@acme.test", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["two_factor_required"], true, "{}", r.body);
    assert!(
        r.body.get("access_token").is_none(),
        "no session before the code"
    );
    r.body["challenge"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn sign_in_needs_a_code_once_enrolled_and_each_code_works_once() {
    let w = World::new().await;
    let (secret, recovery) = enrol(&w).await;

    // The secret is not shown again: a second setup is refused while two-factor is on.
    let again = post(&w, "/api/auth/2fa/setup", Some(&w.agent), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let me = w.api.get("/api/auth/me", &w.agent).await;
    assert!(!me.body.to_string().contains(&secret));
    assert_eq!(me.body["two_factor_enabled"], true);

    // The code that enabled it is spent; the next step's code (within the drift) signs in.
    let c = challenge(&w).await;
    let replay = post(
        &w,
        "/api/auth/2fa/verify",
        None,
        json!({ "challenge": c, "code": code(&secret, 0) }),
    )
    .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "{}", replay.body);
    let ok = post(
        &w,
        "/api/auth/2fa/verify",
        None,
        json!({ "challenge": c, "code": code(&secret, 1) }),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let token = ok.body["access_token"].as_str().unwrap();
    assert_eq!(
        w.api.get("/api/auth/me", token).await.status,
        StatusCode::OK
    );

    // A recovery code works once.
    let c = challenge(&w).await;
    let rec = post(
        &w,
        "/api/auth/2fa/verify",
        None,
        json!({ "challenge": c, "recovery_code": recovery[0] }),
    )
    .await;
    assert_eq!(rec.status, StatusCode::OK, "{}", rec.body);
    let c = challenge(&w).await;
    let rec2 = post(
        &w,
        "/api/auth/2fa/verify",
        None,
        json!({ "challenge": c, "recovery_code": recovery[0] }),
    )
    .await;
    assert_eq!(rec2.status, StatusCode::UNAUTHORIZED, "{}", rec2.body);

    // A forged challenge is refused.
    let forged = post(
        &w,
        "/api/auth/2fa/verify",
        None,
        json!({ "challenge": "x.y.z", "code": code(&secret, 1) }),
    )
    .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);

    // Turning it off needs the password and a second factor; then the password alone signs in.
    let agent = ok.body["access_token"].as_str().unwrap().to_string();
    let no_pw = post(
        &w,
        "/api/auth/2fa/disable",
        Some(&agent),
        json!({ "password": "wrong-password", "recovery_code": recovery[1] }),
    )
    .await;
    assert_eq!(
        no_pw.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_pw.body
    );
    let off = post(
        &w,
        "/api/auth/2fa/disable",
        Some(&agent),
        json!({ "password": PASSWORD, "recovery_code": recovery[1] }),
    )
    .await;
    assert_eq!(off.status, StatusCode::NO_CONTENT, "{}", off.body);
    let plain = w.api.login("agent@acme.test", PASSWORD).await;
    assert!(plain.body["access_token"].is_string(), "{}", plain.body);
}

#[tokio::test]
async fn code_tries_are_limited_per_challenge_and_account() {
    let w = World::new().await;
    let (secret, _) = enrol(&w).await;
    let c = challenge(&w).await;
    // The wrong code at enrolment was one failure of the five an account may have in 15 min;
    // correct codes do not count.
    for _ in 0..4 {
        let r = post(
            &w,
            "/api/auth/2fa/verify",
            None,
            json!({ "challenge": c, "code": code(&secret, -5) }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    let limited = post(
        &w,
        "/api/auth/2fa/verify",
        None,
        json!({ "challenge": c, "code": code(&secret, 1) }),
    )
    .await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    // A fresh challenge does not reset the account's count.
    let fresh = challenge(&w).await;
    let still = post(
        &w,
        "/api/auth/2fa/verify",
        None,
        json!({ "challenge": fresh, "code": code(&secret, 1) }),
    )
    .await;
    assert_eq!(
        still.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        still.body
    );
}
