//! Files per tenant: a tenant's own upload limits, at most the server's (docs/api.md, Files),
//! and a deleted tenant's objects removed from storage, local and S3 (moto).

mod common;

use std::path::Path;

use common::api::World;
use common::moto::{self, s3_world, start_moto};
use common::uploads::{chat_with_file, png, upload, PDF};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn a_tenant_lowers_its_file_limits_but_cannot_raise_them() {
    let w = World::with_env(&[("UNIQCHAT__STORAGE__MAX_FILE_BYTES", "100000")]).await;
    let r = w.api.get("/api/admin/file-limits", &w.admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["server"]["max_file_bytes"], 100000);
    assert_eq!(r.body["effective"], r.body["server"]);
    assert_eq!(r.body["tenant"]["max_file_bytes"], Value::Null);

    // Above the server's limits, or types the server does not accept: refused, nothing saved.
    for bad in [
        json!({ "max_file_bytes": 100001 }),
        json!({ "max_file_bytes": 0 }),
        json!({ "max_files_per_conversation": 1000000 }),
        json!({ "allowed_types": ["text/html"] }),
        json!({ "allowed_types": [] }),
        json!({ "max_file_bytes": -1 }),
        json!({ "max_file_bytes": "big" }),
        json!({ "unknown": 1 }),
    ] {
        let r = w
            .api
            .put("/api/admin/file-limits", &w.admin, Some(bad.clone()))
            .await;
        assert!(
            r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::BAD_REQUEST,
            "{bad}: {} {}",
            r.status,
            r.body
        );
    }
    let r = w.api.get("/api/admin/file-limits", &w.admin).await;
    assert_eq!(
        r.body["tenant"],
        json!({ "max_file_bytes": null,
        "max_files_per_conversation": null, "allowed_types": null })
    );
    let r = w
        .api
        .put(
            "/api/admin/file-limits",
            &w.agent,
            Some(json!({ "max_file_bytes": 10 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Lowered: a 2 000-byte limit, images only, one file per conversation.
    let r = w
        .api
        .put(
            "/api/admin/file-limits",
            &w.admin,
            Some(
                json!({ "max_file_bytes": 2000, "max_files_per_conversation": 1,
                "allowed_types": ["image/png"] }),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["effective"]["max_file_bytes"], 2000);
    assert_eq!(r.body["effective"]["allowed_types"], json!(["image/png"]));
    assert_eq!(r.body["server"]["max_file_bytes"], 100000);

    let mut big = PDF.to_vec();
    big.resize(5000, b' ');
    let (_, _, r) = chat_with_file(&w, &w.a.site_key, "big.pdf", big.clone()).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"),
        "{}",
        r.body
    );
    let (_, _, r) = chat_with_file(&w, &w.a.site_key, "small.pdf", PDF.to_vec()).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_file_type"),
        "{}",
        r.body
    );
    let (token, conversation, r) = chat_with_file(&w, &w.a.site_key, "a.png", png()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = upload(&w.api, &conversation, &token, "b.png", png()).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "conflict"),
        "{}",
        r.body
    );

    // The other tenant keeps the server's limits.
    let (_, _, r) = chat_with_file(&w, &w.b.site_key, "big.pdf", big).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // Back to the server's limits, and audited.
    let r = w
        .api
        .put("/api/admin/file-limits", &w.admin, Some(json!({})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["effective"], r.body["server"]);
    let log = w.api.get("/api/admin/audit", &w.owner).await;
    assert!(log.body.to_string().contains("file_limits.update"));
}

/// Objects of the deleted tenant "Acme" (its files and archive) are gone, Globex's stay.
async fn delete_acme(w: &World) {
    let r = w
        .api
        .call(
            Method::DELETE,
            "/api/admin/tenant",
            Some(&w.owner),
            Some(json!({ "confirm": "Acme" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
}

#[tokio::test]
async fn deleting_a_tenant_removes_its_objects_on_local_storage() {
    let w = World::new().await;
    let files_dir = w.server.workdir.path().join("data/files");
    let (_, conv_a, r) = chat_with_file(&w, &w.a.site_key, "a.pdf", PDF.to_vec()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (_, conv_b, r) = chat_with_file(&w, &w.b.site_key, "b.pdf", PDF.to_vec()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    for (tenant, conv) in [(&w.a.id, &conv_a), (&w.b.id, &conv_b)] {
        let p = files_dir.join(format!("archive/{tenant}/{conv}.json.zst"));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"archived").unwrap();
    }
    assert!(has_files(&files_dir.join(&w.a.id)));
    delete_acme(&w).await;
    assert!(!has_files(&files_dir.join(&w.a.id)), "Acme's files");
    assert!(
        !has_files(&files_dir.join(format!("archive/{}", w.a.id))),
        "Acme's archive"
    );
    assert!(has_files(&files_dir.join(&w.b.id)), "Globex's files stay");
    assert!(has_files(&files_dir.join(format!("archive/{}", w.b.id))));
}

/// Whether any file is under `dir` (empty directories left behind do not count).
fn has_files(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries
        .flatten()
        .any(|e| e.path().is_file() || has_files(&e.path()))
}

#[tokio::test]
async fn deleting_a_tenant_removes_its_objects_on_s3() {
    let moto = start_moto().await;
    let w = s3_world(&moto, &[]).await;
    let (_, conv_a, r) = chat_with_file(&w, &w.a.site_key, "a.png", png()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (_, conv_b, r) = chat_with_file(&w, &w.b.site_key, "b.pdf", PDF.to_vec()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    moto::put(
        &moto,
        &format!("archive/{}/{conv_a}.json.zst", w.a.id),
        b"a",
    )
    .await;
    moto::put(
        &moto,
        &format!("archive/{}/{conv_b}.json.zst", w.b.id),
        b"b",
    )
    .await;
    let before = moto::keys(&moto).await;
    assert!(
        before
            .iter()
            .any(|k| k.starts_with(&format!("{}/", w.a.id))),
        "{before:?}"
    );

    delete_acme(&w).await;
    let after = moto::keys(&moto).await;
    assert!(!after.iter().any(|k| k.contains(&w.a.id)), "{after:?}");
    assert!(
        after.iter().any(|k| k.starts_with(&format!("{}/", w.b.id))),
        "{after:?}"
    );
    assert!(
        after.contains(&format!("archive/{}/{conv_b}.json.zst", w.b.id)),
        "{after:?}"
    );
}
