//! Visitors who upload files, for the file and privacy tests.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::api::{Api, Reply, World};
use super::ws::{conv_of, Ws};

pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n";

/// A small PNG (the server re-encodes it, so it must be a real one).
pub fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub async fn upload(
    api: &Api,
    conversation: &str,
    token: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Reply {
    // A fresh connection each time: a body refused early (413) leaves its connection unusable.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let resp = client
        .post(format!(
            "{}/api/visitor/conversations/{conversation}/files",
            api.base
        ))
        .query(&[("name", name)])
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("upload");
    let status = resp.status();
    let body = resp.json().await.unwrap_or(Value::Null);
    Reply { status, body }
}

/// A visitor with a name, an e-mail and a page, their token and id.
pub async fn session(api: &Api, site_key: &str, name: &str) -> (String, String) {
    let s = api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({
                "site_key": site_key,
                "name": name,
                "email": "erin@example.com",
                "page_url": "https://shop.test/checkout"
            })),
        )
        .await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    (
        s.body["visitor_token"].as_str().unwrap().to_string(),
        s.body["visitor"]["id"].as_str().unwrap().to_string(),
    )
}

/// A new visitor of `site_key` who says something and uploads a file: (token, conversation, answer).
pub async fn chat_with_file(
    w: &World,
    site_key: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (String, String, Reply) {
    let (token, _) = session(&w.api, site_key, "Fay").await;
    let mut socket = Ws::connect(&w.api.base, "/ws/visitor", &token)
        .await
        .expect("visitor socket");
    let conversation = conv_of(&socket.say(None, "m1", "here is a file").await);
    let r = upload(&w.api, &conversation, &token, name, bytes).await;
    (token, conversation, r)
}
