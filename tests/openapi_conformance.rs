//! Answers schemathesis (scripts/schemathesis.sh) found the OpenAPI document did not describe,
//! replayed: each request's status must be one the document lists for its operation.

mod common;

use common::api::World;
use serde_json::Value;

async fn document(w: &World) -> Value {
    w.api
        .client
        .get(format!("{}/api/openapi.json", w.api.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Sends `GET url_path` (with the owner's token when `auth`) and checks that the answer's
/// status is documented for the operation `template`; returns the status.
async fn documented_get(w: &World, doc: &Value, template: &str, url_path: &str, auth: bool) -> u16 {
    let mut req = w.api.client.get(format!("{}{url_path}", w.api.base));
    if auth {
        req = req.bearer_auth(&w.owner);
    }
    let status = req.send().await.expect("request").status().as_u16();
    let responses = &doc["paths"][template]["get"]["responses"];
    assert!(
        responses.get(status.to_string()).is_some(),
        "GET {url_path} answered {status}, which {template} does not document: {responses}"
    );
    status
}

/// schemathesis: GET /assets/{area}/{file} with a control character in the path answered 422
/// (the input check), documented were 200 and 404.
#[tokio::test]
async fn an_asset_path_with_a_control_character_is_a_documented_422() {
    let w = World::new().await;
    let doc = document(&w).await;
    let s = documented_get(
        &w,
        &doc,
        "/assets/{area}/{file}",
        "/assets/widget/a%1Cb.js",
        false,
    )
    .await;
    assert_eq!(s, 422);
}

/// schemathesis: GET /ws/agent without an Upgrade header answered 400, and /ws/visitor and
/// /ws/agent with a control character in the query 422; documented were 101, 401 and 403.
#[tokio::test]
async fn socket_routes_document_plain_gets_and_control_characters() {
    let w = World::new().await;
    let doc = document(&w).await;
    let s = documented_get(&w, &doc, "/ws/agent", "/ws/agent", true).await;
    assert_eq!(s, 400);
    let s = documented_get(&w, &doc, "/ws/visitor", "/ws/visitor?token=x", false).await;
    assert!(s == 400 || s == 401, "{s}");
    for path in ["/ws/visitor", "/ws/agent"] {
        let s = documented_get(&w, &doc, path, &format!("{path}?x=%01"), false).await;
        assert_eq!(s, 422);
    }
}
