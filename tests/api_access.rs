//! Walks every operation of the OpenAPI document — which is generated from the router, so a new
//! route cannot escape — and checks who may call it: no token → 401, a role without the route's
//! permission → 403, another tenant's ids → 404, another tenant's lists never show ours.

mod common;

use std::collections::BTreeMap;

use common::api::World;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uniqchat::service::authz::{role_allows, Permission};
use uniqchat::store::Role;

/// Operations anyone may call (or that take a visitor token or a signed link, not an account's).
const PUBLIC: [&str; 30] = [
    "GET /",
    "GET /widget.js",
    "GET /agent",
    "GET /admin",
    "GET /admin/monitor",
    "GET /demo",
    "GET /assets/{area}/{file}",
    "POST /api/visitor/session",
    "POST /api/visitor/identify",
    "POST /api/visitor/prechat",
    "GET /ws/visitor",
    "POST /api/auth/login",
    "POST /api/auth/refresh",
    "POST /api/auth/logout",
    "POST /api/auth/2fa/verify",
    "GET /api/auth/sso",
    "GET /api/auth/sso/{tenant}/start",
    "GET /api/auth/sso/callback",
    "POST /api/auth/sso/exchange",
    "GET /api/openapi.json",
    "GET /api/docs",
    "GET /healthz",
    "GET /readyz",
    // Guarded by its own token or by the loopback rule (tests/metrics.rs), not by accounts.
    "GET /metrics",
    "POST /api/visitor/conversations/{id}/files",
    "GET /api/visitor/files/{id}",
    "GET /files/{id}",
    "POST /api/visitor/transcript",
    // The visitor token's own answers and conversation (tests/bots.rs).
    "POST /api/visitor/bots/ratings",
    "POST /api/visitor/bots/human",
];

struct Operation {
    method: Method,
    path: String,
    permission: Option<Permission>,
    has_body: bool,
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().unwrap() {
            let scopes: Vec<&str> = op["security"]
                .as_array()
                .map(|reqs| {
                    reqs.iter()
                        .flat_map(|r| r.as_object().unwrap().values())
                        .flat_map(|v| v.as_array().unwrap())
                        .filter_map(|s| s.as_str())
                        .collect()
                })
                .unwrap_or_default();
            assert!(
                scopes.len() <= 1,
                "{method} {path}: one permission per operation"
            );
            let permission = scopes.first().map(|s| {
                Permission::parse(s).unwrap_or_else(|| panic!("{method} {path}: unknown scope {s}"))
            });
            ops.push(Operation {
                method: method.to_uppercase().parse().unwrap(),
                path: path.clone(),
                permission,
                has_body: op.get("requestBody").is_some(),
            });
        }
    }
    ops
}

/// A valid body for each operation that takes one, so the check reached is the access check.
fn sample_body(op: &Operation) -> Option<Value> {
    if !op.has_body {
        return None;
    }
    let key = format!("{} {}", op.method, op.path);
    let body = match key.as_str() {
        "POST /api/admin/users" => json!({ "email": "walker@acme.test" }),
        "PATCH /api/admin/users/{id}" => json!({ "name": "Walker" }),
        "POST /api/admin/groups" => json!({ "name": "Walkers" }),
        "PATCH /api/admin/groups/{id}" => json!({ "name": "Walkers" }),
        "POST /api/admin/quick-replies"
        | "PUT /api/admin/quick-replies/{id}"
        | "POST /api/agent/quick-replies"
        | "PUT /api/agent/quick-replies/{id}" => {
            json!({ "shortcut": "walk", "title": "Walk", "body": "Walking" })
        }
        "POST /api/admin/blacklist" => json!({ "kind": "ip", "value": "192.0.2.1" }),
        "POST /api/admin/triggers" | "PUT /api/admin/triggers/{id}" => json!({
            "name": "Walk", "url_match": "contains", "url_value": "/walk", "seconds": 30,
            "message": "Walking?", "sender_name": "Walker"
        }),
        "POST /api/agent/live-visitors/{id}/invite" => json!({ "body": "Walking?" }),
        "POST /api/admin/routing-scripts" => json!({ "source": "function route() end" }),
        "POST /api/admin/routing-scripts/{id}/test" => json!({ "visitor": { "page": "/walk" } }),
        "PATCH /api/admin/settings" => json!({ "welcome_message": "Walked" }),
        "PUT /api/admin/security" => json!({ "require_two_factor": false }),
        "PUT /api/admin/sso" => json!({
            "enabled": false,
            "display_name": "Walk ID",
            "issuer": "https://id.example.com",
            "client_id": "walk"
        }),
        "POST /api/admin/webhooks" => {
            json!({ "url": "https://93.184.215.14/walk", "events": ["conversation.created"] })
        }
        "PATCH /api/admin/webhooks/{id}" => json!({ "enabled": false }),
        "PUT /api/admin/mail" => json!({
            "host": "127.0.0.1", "port": 2525, "tls": "none", "from_address": "walk@acme.test"
        }),
        "POST /api/admin/mail/test" => json!({ "to": "walker@acme.test" }),
        "POST /api/visitor/transcript" => json!({ "conversation_id": "x" }),
        "PUT /api/admin/bots" => json!({ "enabled": false, "config": {} }),
        "POST /api/admin/knowledge" | "PUT /api/admin/knowledge/{id}" => {
            json!({ "questions": ["Walking?"], "answer": "Yes." })
        }
        "POST /api/visitor/bots/ratings" => json!({ "message_id": "x", "helpful": true }),
        "POST /api/visitor/bots/human" => json!({ "conversation_id": "x" }),
        "POST /api/agent/drafts/{id}/approve" => json!({ "body": "Walking" }),
        "POST /api/agent/translate" => json!({ "text": "Walking", "to": "de" }),
        "POST /api/admin/api-tokens" => json!({ "name": "walker", "scopes": ["users:read"] }),
        "DELETE /api/admin/tenant" => json!({ "confirm": "Acme" }),
        "POST /api/admin/visitors/{id}/erase" | "POST /api/v1/visitors/{id}/erase" => {
            json!({ "confirm": "x" })
        }
        "PUT /api/admin/file-limits" => json!({ "max_file_bytes": 1000 }),
        "PATCH /api/auth/me" => json!({ "name": "Walker" }),
        "POST /api/auth/password" => {
            json!({ "current_password": "x", "new_password": "yyyyyyyyyy" })
        }
        "POST /api/auth/2fa/enable" => json!({ "code": "000000" }),
        "POST /api/auth/2fa/disable" => json!({ "password": "x", "code": "000000" }),
        "POST /api/auth/login"
        | "POST /api/auth/refresh"
        | "POST /api/auth/logout"
        | "POST /api/auth/2fa/verify"
        | "POST /api/auth/sso/exchange" => return None,
        "POST /api/visitor/session" => json!({ "site_key": "sk_walker" }),
        "POST /api/visitor/identify" => {
            json!({ "visitor_token": "x", "user_id": "walker", "user_hash": "00" })
        }
        "POST /api/visitor/prechat" => json!({ "visitor_token": "x", "name": "Walker" }),
        "POST /api/v1/events" => json!({
            "conversation_id": "x", "type": "walk", "title": "Walk", "idempotency_key": "walk"
        }),
        "POST /api/v1/conversations/{id}/messages" => {
            json!({ "bot_name": "Walker", "client_msg_id": "walk", "body": "Walking" })
        }
        "POST /api/v1/conversations/{id}/transfer" => json!({ "to_group_id": "x" }),
        // Any bytes: the access checks come before the file is looked at.
        "POST /api/agent/conversations/{id}/files"
        | "POST /api/visitor/conversations/{id}/files" => json!({ "walk": true }),
        other => panic!("{other} takes a body: add a sample to the access walk"),
    };
    Some(body)
}

/// Fills path parameters with ids of tenant A's resources.
fn fill(path: &str, ids: &BTreeMap<&str, String>) -> String {
    let mut out = path.to_string();
    let resource = path.split('/').nth(3).unwrap_or("");
    let scope = path.split('/').nth(2).unwrap_or("");
    let id_key = match (scope, resource) {
        ("agent", "quick-replies") => "personal-quick-reply",
        ("agent", "live-visitors") => "visitors",
        (_, r) => r,
    };
    if let Some(id) = ids.get(id_key) {
        out = out.replace("{id}", id);
    }
    if let Some(user) = ids.get("users") {
        out = out.replace("{user_id}", user);
    }
    assert!(!out.contains('{'), "no sample id for {path}");
    out
}

#[tokio::test]
async fn every_route_checks_token_role_and_tenant() {
    let w = World::new().await;
    let doc = w
        .api
        .client
        .get(format!("{}/api/openapi.json", w.api.base))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let ops = operations(&doc);
    assert!(
        ops.len() >= 35,
        "the walk sees the whole API: {}",
        ops.len()
    );

    // One resource of each kind in tenant A, whose ids the other tenant will try.
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    ids.insert("users", w.agent_id.clone());
    let made = [
        (
            "groups",
            "/api/admin/groups",
            json!({ "name": "A-group" }),
            &w.owner,
        ),
        (
            "quick-replies",
            "/api/admin/quick-replies",
            json!({ "shortcut": "a", "title": "A", "body": "A" }),
            &w.owner,
        ),
        (
            "personal-quick-reply",
            "/api/agent/quick-replies",
            json!({ "shortcut": "mine", "title": "A", "body": "A" }),
            &w.agent,
        ),
        (
            "blacklist",
            "/api/admin/blacklist",
            json!({ "kind": "ip", "value": "192.0.2.99" }),
            &w.owner,
        ),
        (
            "api-tokens",
            "/api/admin/api-tokens",
            json!({ "name": "A", "scopes": ["users:read"] }),
            &w.owner,
        ),
        (
            "triggers",
            "/api/admin/triggers",
            json!({ "name": "A", "url_match": "contains", "url_value": "/a", "seconds": 5,
                "message": "A?", "sender_name": "A" }),
            &w.owner,
        ),
        (
            "knowledge",
            "/api/admin/knowledge",
            json!({ "questions": ["A?"], "answer": "A" }),
            &w.owner,
        ),
        (
            "webhooks",
            "/api/admin/webhooks",
            json!({ "url": "https://93.184.215.14/a", "events": ["conversation.closed"] }),
            &w.owner,
        ),
        (
            "routing-scripts",
            "/api/admin/routing-scripts",
            json!({ "source": "function route() return nil end" }),
            &w.owner,
        ),
    ];
    for (key, path, body, token) in made {
        let r = w.api.post(path, token, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
        ids.insert(key, r.body["id"].as_str().unwrap().to_string());
    }
    // A conversation (and so a visitor) in tenant A.
    let (mut visitor, session) = common::ws::Ws::visitor(&w.api, &w.a.site_key).await;
    let ack = visitor.say(None, "walk", "walking").await;
    ids.insert(
        "conversations",
        ack["conversation_id"].as_str().unwrap().to_string(),
    );
    ids.insert(
        "visitors",
        session["visitor"]["id"].as_str().unwrap().to_string(),
    );
    // A file in that conversation, uploaded by its visitor.
    let upload = w
        .api
        .client
        .post(format!(
            "{}/api/visitor/conversations/{}/files?name=walk.pdf",
            w.api.base, ids["conversations"]
        ))
        .bearer_auth(session["visitor_token"].as_str().unwrap())
        .body(b"%PDF-1.4\n%%EOF\n".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::CREATED);
    let file: Value = upload.json().await.unwrap();
    ids.insert("files", file["id"].as_str().unwrap().to_string());
    // Drafts need a language model (tests/bots_hybrid.rs checks a real one of tenant A is
    // 404 for tenant B and 403 for other agents); here an id that names none.
    ids.insert("drafts", "00000000-0000-7000-8000-000000000000".to_string());
    let a_ids: Vec<String> = ids
        .values()
        .cloned()
        .chain([w.a.id.clone(), w.a.owner_id.clone(), w.admin_id.clone()])
        .collect();

    let roles = [(Role::Agent, &w.agent), (Role::Admin, &w.admin)];
    let mut checked = 0;
    for op in &ops {
        let key = format!("{} {}", op.method, op.path);
        let Some(permission) = op.permission else {
            assert!(
                PUBLIC.contains(&key.as_str()),
                "{key} declares no permission: add security((\"bearer\" = [\"…\"]))"
            );
            continue;
        };
        assert!(
            op.path.starts_with("/api/")
                || op.path.starts_with("/ws/")
                || op.path.starts_with("/internal/"),
            "{key}"
        );
        let path = fill(&op.path, &ids);
        let body = sample_body(op);

        let anonymous = w
            .api
            .call(op.method.clone(), &path, None, body.clone())
            .await;
        assert_eq!(
            anonymous.status,
            StatusCode::UNAUTHORIZED,
            "{key} without a token: {}",
            anonymous.body
        );

        for (role, token) in roles {
            if !role_allows(role, permission) {
                let r = w
                    .api
                    .call(op.method.clone(), &path, Some(token), body.clone())
                    .await;
                assert_eq!(
                    (r.status, r.code()),
                    (StatusCode::FORBIDDEN, "forbidden"),
                    "{key} as {role}: {}",
                    r.body
                );
                checked += 1;
            }
        }

        let foreign = w
            .api
            .call(op.method.clone(), &path, Some(&w.other_owner), body.clone())
            .await;
        if op.path.contains('{') {
            assert_eq!(
                (foreign.status, foreign.code()),
                (StatusCode::NOT_FOUND, "not_found"),
                "{key} with another tenant's ids: {}",
                foreign.body
            );
        } else if op.method == Method::GET {
            let text = foreign.body.to_string();
            for id in &a_ids {
                assert!(
                    !text.contains(id.as_str()),
                    "{key} as another tenant shows {id}: {text}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 50, "checked {checked}");
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_that_answer() {
    let w = World::new().await;
    let doc = w
        .api
        .client
        .get(format!("{}/api/openapi.json", w.api.base))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    for op in operations(&doc) {
        let path = op.path.replace("{id}", "x").replace("{user_id}", "y");
        let r = w
            .api
            .call(op.method.clone(), &path, Some(&w.owner), sample_body(&op))
            .await;
        assert_ne!(
            r.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{} {} is documented but not routed",
            op.method,
            op.path
        );
        let unrouted =
            r.status == StatusCode::NOT_FOUND && r.body["error"]["message"] == "no such resource";
        assert!(
            !unrouted,
            "{} {} is documented but not routed",
            op.method, op.path
        );
        // Every documented error answer uses the error schema.
        let responses = &doc["paths"][&op.path][op.method.as_str().to_lowercase()]["responses"];
        for (code, resp) in responses.as_object().unwrap() {
            if code.starts_with('4') || code.starts_with('5') {
                let schema = &resp["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(
                    schema, "#/components/schemas/ErrorBody",
                    "{} {} {code}",
                    op.method, op.path
                );
            }
        }
    }

    // Routes can only be added through `routes!`, which documents them: no bare `.route(` calls.
    let http = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut stack = vec![http];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    !text.contains(".route("),
                    "{} registers a route outside the OpenAPI router",
                    path.display()
                );
            }
        }
    }

    let page = w
        .api
        .client
        .get(format!("{}/api/docs", w.api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("/api/openapi.json"));
}

#[test]
fn docs_role_matrix_matches_the_code() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/api.md"),
    )
    .unwrap();
    let mut seen = 0;
    for line in doc.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | `perm` | owner | admin | agent | token |
        let Some(name) = cells
            .get(1)
            .and_then(|c| c.strip_prefix('`'))
            .and_then(|c| c.strip_suffix('`'))
        else {
            continue;
        };
        let Some(permission) = Permission::parse(name) else {
            continue;
        };
        if cells.len() != 7 {
            continue;
        }
        let yes = |c: &str| c == "yes";
        assert_eq!(
            yes(cells[2]),
            role_allows(Role::Owner, permission),
            "{name} owner"
        );
        assert_eq!(
            yes(cells[3]),
            role_allows(Role::Admin, permission),
            "{name} admin"
        );
        assert_eq!(
            yes(cells[4]),
            role_allows(Role::Agent, permission),
            "{name} agent"
        );
        assert_eq!(yes(cells[5]), permission.grantable(), "{name} token");
        seen += 1;
    }
    assert_eq!(
        seen,
        Permission::all().count(),
        "every permission has a row in docs/api.md"
    );
}
