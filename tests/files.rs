//! Files and images in conversations, on local storage and on a real S3-compatible server
//! (moto, started by the test): uploads checked by content, images re-encoded without their
//! metadata, signed expiring links, tenant and conversation scoping, the message that posts a
//! file, and the bad inputs (nothing stored, nothing served).

mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::api::{Api, Reply, World};
use common::moto::{s3_world, start_moto};
use common::ws::{conv_of, until_state, Ws};
use image::{ImageFormat, RgbImage};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// What the GPS and EXIF markers in the test images say; none of it may come back.
const SECRET: &[u8] = b"GPS 48.8584N 2.2945E secret-location";
const MAX_BYTES: &str = "300000";

fn picture(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    })
}

fn encoded(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    picture(w, h).write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A JPEG with an EXIF APP1 segment (a TIFF header and a GPS text) right after SOI.
fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
    let plain = encoded(w, h, ImageFormat::Jpeg);
    let mut exif = b"Exif\0\0MM\0*\0\0\0\x08".to_vec();
    exif.extend_from_slice(SECRET);
    let len = (exif.len() + 2) as u16;
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG with eXIf and tEXt chunks (before IEND) that carry the GPS text.
fn png_with_metadata(w: u32, h: u32) -> Vec<u8> {
    let plain = encoded(w, h, ImageFormat::Png);
    let iend = plain.len() - 12;
    let mut out = plain[..iend].to_vec();
    for (kind, data) in [
        (&b"eXIf"[..], [&b"MM\0*\0\0\0\x08"[..], SECRET].concat()),
        (&b"tEXt"[..], [&b"Comment\0"[..], SECRET].concat()),
    ] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(&data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    out.extend_from_slice(&plain[iend..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn upload(api: &Api, path: &str, token: &str, name: &str, bytes: Vec<u8>) -> Reply {
    // A fresh connection each time: a body refused early (413) leaves its connection unusable.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let resp = client
        .post(format!("{}{path}", api.base))
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

struct Fetched {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
}

async fn fetch(api: &Api, url: &str) -> Fetched {
    let resp = api
        .client
        .get(format!("{}{url}", api.base))
        .send()
        .await
        .expect("download");
    Fetched {
        status: resp.status(),
        headers: resp.headers().clone(),
        bytes: resp.bytes().await.expect("bytes").to_vec(),
    }
}

fn header<'a>(f: &'a Fetched, name: &str) -> &'a str {
    f.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Every object file under the local storage directory.
fn stored_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(stored_files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// A visitor in a conversation that the agent holds, with both sockets.
struct Chat {
    visitor: Ws,
    visitor_token: String,
    agent: Ws,
    conversation: String,
}

async fn chat(w: &World) -> Chat {
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let (mut visitor, session) = Ws::visitor(&w.api, &w.a.site_key).await;
    let conversation = conv_of(
        &visitor
            .say(None, "hello", "Hello, a screenshot follows")
            .await,
    );
    until_state(&mut agent, &conversation, "chatting").await;
    Chat {
        visitor,
        visitor_token: session["visitor_token"].as_str().unwrap().to_string(),
        agent,
        conversation,
    }
}

/// The checks that hold on any storage: conversion, serving, scoping, messages, bad input.
async fn core_checks(w: &World, local_dir: Option<&Path>) {
    let mut c = chat(w).await;
    let up = format!("/api/visitor/conversations/{}/files", c.conversation);
    let vt = c.visitor_token.clone();

    // A JPEG with EXIF GPS: stored re-encoded, without the metadata, with a thumbnail.
    let jpeg = upload(&w.api, &up, &vt, "holiday.jpg", jpeg_with_exif(800, 600)).await;
    assert_eq!(jpeg.status, StatusCode::CREATED, "{}", jpeg.body);
    assert_eq!(jpeg.body["kind"], "image");
    assert_eq!(jpeg.body["content_type"], "image/jpeg");
    assert_eq!(
        (jpeg.body["width"].as_i64(), jpeg.body["height"].as_i64()),
        (Some(800), Some(600))
    );
    let got = fetch(&w.api, jpeg.body["url"].as_str().unwrap()).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(header(&got, "content-type"), "image/jpeg");
    assert!(header(&got, "content-disposition").starts_with("inline"));
    assert_eq!(header(&got, "x-content-type-options"), "nosniff");
    assert!(header(&got, "content-security-policy").starts_with("sandbox"));
    assert!(!contains(&got.bytes, SECRET), "the GPS text is gone");
    assert!(!contains(&got.bytes, b"Exif"), "no EXIF segment");
    let decoded = image::load_from_memory(&got.bytes).expect("a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (800, 600));
    let thumb = fetch(
        &w.api,
        jpeg.body["thumbnail_url"].as_str().expect("thumbnail"),
    )
    .await;
    assert_eq!(thumb.status, StatusCode::OK);
    let t = image::load_from_memory(&thumb.bytes).expect("thumbnail image");
    assert_eq!((t.width(), t.height()), (320, 240));

    // A PNG with eXIf and tEXt chunks: the same.
    let png = upload(&w.api, &up, &vt, "shot.png", png_with_metadata(200, 100)).await;
    assert_eq!(png.status, StatusCode::CREATED, "{}", png.body);
    assert!(
        png.body["thumbnail_url"].is_null(),
        "small images need no thumbnail"
    );
    let got = fetch(&w.api, png.body["url"].as_str().unwrap()).await;
    assert_eq!(header(&got, "content-type"), "image/png");
    assert!(!contains(&got.bytes, SECRET) && !contains(&got.bytes, b"eXIf"));
    assert_eq!(image::load_from_memory(&got.bytes).unwrap().width(), 200);

    // A polyglot (a valid PNG with HTML and a zip appended): re-encoded, the payload gone.
    let mut poly = encoded(64, 64, ImageFormat::Png);
    poly.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>PK\x03\x04zip");
    let r = upload(&w.api, &up, &vt, "poly.png", poly).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let got = fetch(&w.api, r.body["url"].as_str().unwrap()).await;
    assert!(!contains(&got.bytes, b"<script") && !contains(&got.bytes, b"PK\x03\x04"));
    assert_eq!(image::load_from_memory(&got.bytes).unwrap().width(), 64);

    // A PDF: kept as sent, served only as a download; a name with ../ is harmless.
    let pdf_bytes = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    let pdf = upload(
        &w.api,
        &up,
        &vt,
        "../../../etc/r\u{e9}sum\u{e9}.pdf",
        pdf_bytes.clone(),
    )
    .await;
    assert_eq!(pdf.status, StatusCode::CREATED, "{}", pdf.body);
    assert_eq!(pdf.body["kind"], "file");
    assert_eq!(pdf.body["name"], "r\u{e9}sum\u{e9}.pdf");
    let got = fetch(&w.api, pdf.body["url"].as_str().unwrap()).await;
    assert_eq!(got.bytes, pdf_bytes);
    assert_eq!(header(&got, "content-type"), "application/octet-stream");
    let disposition = header(&got, "content-disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"),
        "{disposition}"
    );
    assert_eq!(header(&got, "x-content-type-options"), "nosniff");
    assert!(header(&got, "content-security-policy").starts_with("sandbox"));

    let stored_before = local_dir.map(stored_files);
    if let Some(files) = &stored_before {
        // 2 images with thumbnails... only the JPEG has one: 4 originals + 1 thumbnail.
        assert_eq!(files.len(), 5, "{files:?}");
        let tenant_dir = local_dir.unwrap().join(&w.a.id).join(&c.conversation);
        assert!(
            files.iter().all(|f| f.starts_with(&tenant_dir)),
            "{files:?}"
        );
    }

    // Bad input: a clear error, nothing stored.
    let bad: [(&str, Vec<u8>, StatusCode, &str); 6] = [
        ("empty.png", Vec::new(), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        ("big.pdf", [b"%PDF-1.4\n".to_vec(), vec![b'a'; 300_001]].concat(), StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
        ("fake.png", b"I am only text, whatever my name says".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_file_type"),
        ("x.svg", b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_file_type"),
        ("x.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_file_type"),
        ("broken.png", encoded(64, 64, ImageFormat::Png)[..60].to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
    ];
    for (name, bytes, status, code) in bad {
        let r = upload(&w.api, &up, &vt, name, bytes).await;
        assert_eq!((r.status, r.code()), (status, code), "{name}: {}", r.body);
    }
    if let (Some(dir), Some(before)) = (local_dir, &stored_before) {
        assert_eq!(
            &stored_files(dir),
            before,
            "refused files left nothing behind"
        );
    }

    // Scoping: another tenant, another visitor, another conversation.
    let id = jpeg.body["id"].as_str().unwrap();
    let r = w
        .api
        .get(&format!("/api/agent/files/{id}"), &w.other_owner)
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "another tenant: {}",
        r.body
    );
    let r = upload(
        &w.api,
        &format!("/api/agent/conversations/{}/files", c.conversation),
        &w.other_owner,
        "a.png",
        encoded(8, 8, ImageFormat::Png),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "another tenant's conversation: {}",
        r.body
    );
    let (_other_ws, other) = Ws::visitor(&w.api, &w.a.site_key).await;
    let other_token = other["visitor_token"].as_str().unwrap();
    let r = w
        .api
        .get(&format!("/api/visitor/files/{id}"), other_token)
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "another visitor: {}",
        r.body
    );
    let r = upload(
        &w.api,
        &up,
        other_token,
        "a.png",
        encoded(8, 8, ImageFormat::Png),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "another visitor's conversation: {}",
        r.body
    );
    let r = w.api.get(&format!("/api/agent/files/{id}"), &w.agent).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(fetch(&w.api, r.body["url"].as_str().unwrap())
        .await
        .status
        .is_success());

    // Signatures: one made for another file, or altered, opens nothing.
    let pdf_url = pdf.body["url"].as_str().unwrap();
    let query = pdf_url.split_once('?').unwrap().1;
    let swapped = fetch(&w.api, &format!("/files/{id}?{query}")).await;
    assert_eq!(swapped.status, StatusCode::FORBIDDEN);
    assert!(swapped.bytes.starts_with(b"{\"error\""), "JSON error shape");
    let exp = jpeg.body["expires_at"].as_i64().unwrap();
    let later = jpeg.body["url"]
        .as_str()
        .unwrap()
        .replace(&format!("exp={exp}"), &format!("exp={}", exp + 3600));
    assert_eq!(fetch(&w.api, &later).await.status, StatusCode::FORBIDDEN);
    let unsigned = fetch(&w.api, &format!("/files/{id}")).await;
    assert_eq!(unsigned.status, StatusCode::BAD_REQUEST);
    let nobody = fetch(
        &w.api,
        &format!("/files/00000000-0000-0000-0000-000000000000?{query}"),
    )
    .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);

    // Posting the image: the agent hears a message of kind image that refers to it.
    c.agent.clear().await;
    let frame = json!({ "type": "send", "id": "f1", "conversation_id": c.conversation, "client_msg_id": "file-1", "attachment_id": id });
    let ack = c.visitor.request(frame.clone()).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let message = c.agent.next_of("message").await;
    assert_eq!(message["message"]["kind"], "image");
    let body: Value = serde_json::from_str(message["message"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["attachment_id"], id);
    assert_eq!(body["content_type"], "image/jpeg");
    assert_eq!(body["thumbnail"], true);
    let again = c.visitor.request(frame).await;
    assert_eq!(
        (again["duplicate"].as_bool(), &again["seq"]),
        (Some(true), &ack["seq"])
    );
    // A PDF posts as kind file.
    let pdf_id = pdf.body["id"].as_str().unwrap();
    let ack = c.visitor.request(json!({ "type": "send", "id": "f2", "conversation_id": c.conversation, "client_msg_id": "file-2", "attachment_id": pdf_id })).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(c.agent.next_of("message").await["message"]["kind"], "file");
    // The agent cannot post the visitor's file; an unknown id is not found.
    let refused = c.agent.request(json!({ "type": "send", "id": "f3", "conversation_id": c.conversation, "client_msg_id": "file-3", "attachment_id": id })).await;
    assert_eq!(
        (refused["type"].as_str(), refused["code"].as_str()),
        (Some("error"), Some("not_found")),
        "{refused}"
    );
    // The agent's own upload, posted by the agent, reaches the visitor.
    let mine = upload(
        &w.api,
        &format!("/api/agent/conversations/{}/files", c.conversation),
        &w.agent,
        "answer.gif",
        encoded(40, 30, ImageFormat::Gif),
    )
    .await;
    assert_eq!(mine.status, StatusCode::CREATED, "{}", mine.body);
    assert_eq!(mine.body["content_type"], "image/gif");
    c.visitor.clear().await;
    let ack = c.agent.request(json!({ "type": "send", "id": "f4", "conversation_id": c.conversation, "client_msg_id": "file-4", "attachment_id": mine.body["id"] })).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(
        c.visitor.next_of("message").await["message"]["kind"],
        "image"
    );
}

#[tokio::test]
async fn files_on_local_storage() {
    let w = World::with_env(&[("UNIQCHAT__STORAGE__MAX_FILE_BYTES", MAX_BYTES)]).await;
    let dir = w.server.workdir.path().join("data/files");
    core_checks(&w, Some(&dir)).await;
}

#[tokio::test]
async fn files_on_s3_storage() {
    let moto = start_moto().await;
    let w = s3_world(&moto, &[("UNIQCHAT__STORAGE__MAX_FILE_BYTES", MAX_BYTES)]).await;
    core_checks(&w, None).await;
    // The objects are in the bucket, under keys the server made: tenant/conversation/id.
    let listing = reqwest::get(format!("{}/uniqchat-files?list-type=2", moto.endpoint))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(listing.contains(&format!("<Key>{}/", w.a.id)), "{listing}");
    assert!(!listing.contains(".."), "{listing}");
}

#[tokio::test]
async fn links_expire_and_conversations_have_a_file_limit() {
    let moto = start_moto().await;
    let w = s3_world(
        &moto,
        &[
            ("UNIQCHAT__STORAGE__MAX_FILE_BYTES", MAX_BYTES),
            ("UNIQCHAT__STORAGE__LINK_TTL_SECS", "3"),
            ("UNIQCHAT__STORAGE__MAX_FILES_PER_CONVERSATION", "2"),
        ],
    )
    .await;
    let c = chat(&w).await;
    let up = format!("/api/visitor/conversations/{}/files", c.conversation);
    let first = upload(
        &w.api,
        &up,
        &c.visitor_token,
        "a.png",
        encoded(8, 8, ImageFormat::Png),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let url = first.body["url"].as_str().unwrap().to_string();
    assert_eq!(fetch(&w.api, &url).await.status, StatusCode::OK);
    let second = upload(
        &w.api,
        &up,
        &c.visitor_token,
        "b.png",
        encoded(8, 8, ImageFormat::Png),
    )
    .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let third = upload(
        &w.api,
        &up,
        &c.visitor_token,
        "c.png",
        encoded(8, 8, ImageFormat::Png),
    )
    .await;
    assert_eq!(
        (third.status, third.code()),
        (StatusCode::CONFLICT, "conflict"),
        "{}",
        third.body
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    let expired = fetch(&w.api, &url).await;
    assert_eq!(expired.status, StatusCode::FORBIDDEN, "an expired link");
    // A fresh link works again.
    let id = first.body["id"].as_str().unwrap();
    let fresh = w
        .api
        .get(&format!("/api/visitor/files/{id}"), &c.visitor_token)
        .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
    assert_eq!(
        fetch(&w.api, fresh.body["url"].as_str().unwrap())
            .await
            .status,
        StatusCode::OK
    );
}
