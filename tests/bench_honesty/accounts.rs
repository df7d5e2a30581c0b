//! The fake server's accounts: sign-in (the owner gets an admin token, anyone else an
//! agent's), agent accounts and visitor sessions.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::{Shared, OWNER};

pub async fn login(Json(body): Json<Value>) -> Json<Value> {
    let email = body["email"].as_str().unwrap_or_default();
    let token = if email == OWNER {
        "admin".to_string()
    } else {
        format!("agent:{email}")
    };
    Json(json!({"access_token": token}))
}

pub async fn create_user(State(s): State<Shared>, Json(body): Json<Value>) -> Json<Value> {
    let mut inner = s.lock();
    inner.next += 1;
    let id = format!("u{}", inner.next);
    let email = body["email"].as_str().unwrap_or_default().to_string();
    inner.users.insert(email, id.clone());
    Json(json!({"id": id}))
}

pub async fn session(State(s): State<Shared>) -> Json<Value> {
    let mut inner = s.lock();
    inner.next += 1;
    Json(json!({"visitor_token": format!("visitor:{}", inner.next)}))
}
