//! Privacy requests (docs/privacy.md): exporting everything about a visitor and erasing it —
//! rows, file bytes, archive objects, queued mail and webhooks — through the admin API and API
//! tokens; an erased visitor's old token; another tenant's visitor; on local storage and S3.

mod common;

use std::time::{Duration, Instant};

use common::api::{Reply, World};
use common::moto::{self, s3_world, start_moto};
use common::uploads::{chat_with_file, png, session, upload, PDF};
use common::ws::{conv_of, until_state, Closed, Ws};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A visitor who chatted with the agent (who left an internal note) and sent a file.
struct Subject {
    token: String,
    id: String,
    conversation: String,
    file: Value,
    socket: Ws,
}

async fn subject(w: &World, agent: &mut Ws, name: &str) -> Subject {
    let (token, id) = session(&w.api, &w.a.site_key, name).await;
    let mut socket = Ws::connect(&w.api.base, "/ws/visitor", &token)
        .await
        .expect("visitor socket");
    let conversation = conv_of(&socket.say(None, "m1", "I live at 1 Main Street").await);
    until_state(agent, &conversation, "chatting").await;
    let note = agent
        .request(json!({
            "type": "note", "id": format!("note-{id}"), "conversation_id": conversation,
            "client_msg_id": format!("n-{id}"), "body": "VIP customer, be nice"
        }))
        .await;
    assert_eq!(note["type"], "ack", "{note}");
    let file = upload(&w.api, &conversation, &token, "invoice.pdf", PDF.to_vec()).await;
    assert_eq!(file.status, StatusCode::CREATED, "{}", file.body);
    Subject {
        token,
        id,
        conversation,
        file: file.body,
        socket,
    }
}

fn bodies(export: &Value) -> Vec<String> {
    export["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["messages"].as_array().unwrap().iter())
        .map(|m| format!("{}:{}", m["kind"].as_str().unwrap(), m["body"]))
        .collect()
}

fn audit_actions(api_reply: &Reply, visitor: &str) -> Vec<String> {
    api_reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target_id"] == visitor)
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn export_and_erase_a_visitor_through_the_admin_api() {
    let w = World::new().await;
    let files_dir = w.server.workdir.path().join("data/files");
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let mut erin = subject(&w, &mut agent, "Erin Erased").await;
    let keep = subject(&w, &mut agent, "Kim Kept").await;
    // The cold archive keeps a conversation at archive/{tenant}/{conversation}.json.zst.
    let archive = files_dir.join(format!("archive/{}/{}.json.zst", w.a.id, erin.conversation));
    std::fs::create_dir_all(archive.parent().unwrap()).unwrap();
    std::fs::write(&archive, b"archived").unwrap();
    let kept_archive = files_dir.join(format!("archive/{}/{}.json.zst", w.a.id, keep.conversation));
    std::fs::write(&kept_archive, b"archived").unwrap();

    // Export: owners and admins only, not another tenant.
    let path = format!("/api/admin/visitors/{}/export", erin.id);
    let r = w.api.get(&path, &w.agent).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let r = w.api.get(&path, &w.other_owner).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let resp = w
        .api
        .client
        .get(format!("{}{path}", w.api.base))
        .bearer_auth(&w.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let disposition = resp.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.contains(&format!("visitor-{}.json", erin.id)),
        "{disposition}"
    );
    let export: Value = resp.json().await.unwrap();
    assert_eq!(export["format"], "uniqchat.visitor-export.v1");
    assert_eq!(export["visitor"]["id"], erin.id.as_str());
    assert_eq!(export["visitor"]["name"], "Erin Erased");
    assert_eq!(export["visitor"]["email"], "erin@example.com");
    assert_eq!(export["visitor"]["pages"][0], "https://shop.test/checkout");
    assert!(export["visitor"]["attributes"].is_object(), "{export}");
    let conversations = export["conversations"].as_array().unwrap();
    assert_eq!(conversations.len(), 1, "{export}");
    assert_eq!(conversations[0]["id"], erin.conversation.as_str());
    let said = bodies(&export);
    assert!(
        said.contains(&"text:\"I live at 1 Main Street\"".to_string()),
        "{said:?}"
    );
    assert!(
        said.contains(&"note:\"VIP customer, be nice\"".to_string()),
        "internal notes are exported: {said:?}"
    );
    assert!(
        !export.to_string().contains(&keep.conversation),
        "only this visitor's conversations"
    );
    let file = &conversations[0]["files"][0];
    assert_eq!(file["id"], erin.file["id"]);
    assert_eq!(file["name"], "invoice.pdf");
    assert_eq!(file["content_type"], "application/pdf");
    let object_key = file["object_key"].as_str().unwrap().to_string();
    let got = w
        .api
        .client
        .get(format!("{}{}", w.api.base, file["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), PDF);
    assert!(files_dir.join(&object_key).exists());

    // Erase: a wrong confirmation, another tenant or an agent change nothing.
    let erase = format!("/api/admin/visitors/{}/erase", erin.id);
    let r = w
        .api
        .post(&erase, &w.admin, json!({ "confirm": "yes" }))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        "{}",
        r.body
    );
    assert_eq!(r.field_errors(), vec!["confirm".to_string()]);
    let r = w
        .api
        .post(&erase, &w.other_owner, json!({ "confirm": erin.id }))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = w
        .api
        .post(&erase, &w.agent, json!({ "confirm": erin.id }))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let r = w.api.post(&erase, &w.admin, json!({ "confirm": 7 })).await;
    assert_eq!(r.status.as_u16() / 100, 4, "{}", r.body);
    assert_eq!(w.api.get(&path, &w.owner).await.status, StatusCode::OK);
    assert!(files_dir.join(&object_key).exists() && archive.exists());

    let r = w
        .api
        .post(&erase, &w.admin, json!({ "confirm": erin.id }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["visitor_id"], erin.id.as_str());
    assert_eq!(r.body["conversations"], 1);
    assert_eq!(r.body["files"], 1);
    assert!(r.body["messages"].as_u64().unwrap() >= 2, "{}", r.body);
    assert_eq!(r.body["objects_left"], json!([]));

    // Rows, file bytes and the archive object are gone; the other visitor's stay.
    assert!(!files_dir.join(&object_key).exists(), "the file's bytes");
    assert!(!archive.exists(), "the archive object");
    assert!(kept_archive.exists());
    let kept_key = format!(
        "{}/{}/{}",
        w.a.id,
        keep.conversation,
        keep.file["id"].as_str().unwrap()
    );
    assert!(files_dir.join(&kept_key).exists());
    let r = w.api.get(&path, &w.owner).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = w
        .api
        .post(&erase, &w.admin, json!({ "confirm": erin.id }))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w
        .api
        .get("/api/agent/conversations?view=all", &w.agent)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        !r.body.to_string().contains(&erin.conversation),
        "{}",
        r.body
    );
    assert!(
        r.body.to_string().contains(&keep.conversation),
        "{}",
        r.body
    );
    let kept = w
        .api
        .get(&format!("/api/admin/visitors/{}/export", keep.id), &w.owner)
        .await;
    assert_eq!(kept.status, StatusCode::OK);
    assert!(bodies(&kept.body).contains(&"note:\"VIP customer, be nice\"".to_string()));

    // The erased visitor's open widget is closed; the old token lets nothing in again, and the
    // widget's session call with it makes a fresh visitor.
    let _ = erin.socket.closed().await;
    assert_eq!(
        Ws::connect(&w.api.base, "/ws/visitor", &erin.token)
            .await
            .err(),
        Some(Closed::Refused(401))
    );
    let r = w
        .api
        .client
        .get(format!(
            "{}/api/visitor/files/{}",
            w.api.base,
            erin.file["id"].as_str().unwrap()
        ))
        .bearer_auth(&erin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let again = w
        .api
        .call(
            Method::POST,
            "/api/visitor/session",
            None,
            Some(json!({ "site_key": w.a.site_key, "visitor_token": erin.token })),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_ne!(again.body["visitor"]["id"], erin.id.as_str());
    assert!(again.body["visitor"]["name"].is_null(), "{}", again.body);

    // Both requests are in the audit log, without the visitor's personal data.
    let log = w.api.get("/api/admin/audit", &w.owner).await;
    assert_eq!(log.status, StatusCode::OK);
    let actions = audit_actions(&log, &erin.id);
    assert!(
        actions.contains(&"visitor.export".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"visitor.erase".to_string()),
        "{actions:?}"
    );
    assert!(!log.body.to_string().contains("erin@example.com"));
    assert!(!log.body.to_string().contains("Main Street"));
}

#[tokio::test]
async fn api_tokens_export_and_erase_with_their_scopes() {
    let w = World::with_env(&[
        ("UNIQCHAT__WEBHOOKS__ALLOW_PRIVATE_ADDRESSES", "true"),
        ("UNIQCHAT__WEBHOOKS__POLL_MS", "100"),
    ])
    .await;
    // A webhook that cannot be delivered (nothing listens): its deliveries wait in the outbox.
    let hook = w
        .api
        .post(
            "/api/admin/webhooks",
            &w.owner,
            json!({ "url": "http://127.0.0.1:9/hook", "events": ["conversation.created"],
                "allow_private_network": true }),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    let hook_log = format!(
        "/api/admin/webhooks/{}/deliveries",
        hook.body["id"].as_str().unwrap()
    );
    let mut token_for = Vec::new();
    for scopes in [
        json!(["visitors:export", "visitors:erase"]),
        json!(["visitors:read"]),
    ] {
        let r = w
            .api
            .post(
                "/api/admin/api-tokens",
                &w.owner,
                json!({ "name": "privacy", "scopes": scopes }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        token_for.push(r.body["secret"].as_str().unwrap().to_string());
    }
    let (privacy, reader) = (&token_for[0], &token_for[1]);
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let erin = subject(&w, &mut agent, "Erin Erased").await;

    // The conversation.created event waits in the outbox for the unreachable endpoint.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = w.api.get(&hook_log, &w.owner).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        if r.body.to_string().contains(&erin.id) {
            break;
        }
        assert!(Instant::now() < deadline, "no delivery queued: {}", r.body);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }

    // A transcript mail queued for a mail server that does not answer: waits in the outbox.
    let r = w
        .api
        .put(
            "/api/admin/mail",
            &w.owner,
            Some(json!({ "host": "127.0.0.1", "port": 9, "tls": "none",
                "from_address": "support@acme.test" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = w
        .api
        .post(
            "/api/visitor/transcript",
            &erin.token,
            json!({ "conversation_id": erin.conversation, "email": "erin.copy@example.com" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let outbox = w.api.get("/api/admin/mail/outbox", &w.owner).await;
    assert!(
        outbox.body.to_string().contains("erin.copy@example.com"),
        "{}",
        outbox.body
    );

    let export = format!("/api/v1/visitors/{}/export", erin.id);
    let r = w.api.get(&export, reader).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let r = w.api.get(&export, privacy).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["visitor"]["id"], erin.id.as_str());
    assert_eq!(
        r.body["conversations"][0]["files"][0]["name"],
        "invoice.pdf"
    );

    let erase = format!("/api/v1/visitors/{}/erase", erin.id);
    let r = w
        .api
        .post(&erase, reader, json!({ "confirm": erin.id }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .api
        .post(&erase, privacy, json!({ "confirm": erin.id }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body["webhook_events"].as_u64().unwrap() >= 1,
        "{}",
        r.body
    );
    assert_eq!(
        w.api.get(&export, privacy).await.status,
        StatusCode::NOT_FOUND
    );

    // Nothing about the visitor is left to deliver.
    let outbox = w.api.get("/api/admin/mail/outbox", &w.owner).await;
    assert!(
        !outbox.body.to_string().contains("erin.copy@example.com"),
        "{}",
        outbox.body
    );
    let r = w.api.get(&hook_log, &w.owner).await;
    assert!(!r.body.to_string().contains(&erin.id), "{}", r.body);
    let log = w.api.get("/api/admin/audit", &w.owner).await;
    assert_eq!(
        audit_actions(&log, &erin.id),
        vec!["visitor.erase", "visitor.export"]
    );
}

#[tokio::test]
async fn erasing_on_s3_removes_the_objects() {
    let moto = start_moto().await;
    let w = s3_world(&moto, &[]).await;
    let mut agent = Ws::agent(&w.api, &w.agent).await;
    let erin = subject(&w, &mut agent, "Erin Erased").await;
    let archive = format!("archive/{}/{}.json.zst", w.a.id, erin.conversation);
    moto::put(&moto, &archive, b"archived").await;
    let (_, _, kept) = chat_with_file(&w, &w.a.site_key, "k.png", png()).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    let before = moto::keys(&moto).await;
    assert!(before.contains(&archive), "{before:?}");
    assert!(before
        .iter()
        .any(|k| k.starts_with(&format!("{}/{}/", w.a.id, erin.conversation))));

    let r = w
        .api
        .post(
            &format!("/api/admin/visitors/{}/erase", erin.id),
            &w.owner,
            json!({ "confirm": erin.id }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = moto::keys(&moto).await;
    assert!(
        !after.iter().any(|k| k.contains(&erin.conversation)),
        "{after:?}"
    );
    let kept_key = format!("/{}", kept.body["id"].as_str().unwrap());
    assert!(after.iter().any(|k| k.ends_with(&kept_key)), "{after:?}");
}
