//! A chat server that speaks the part of uniqchat's protocol `uniqchat bench chat` uses (sign-in,
//! agent accounts, visitor sessions, `/ws/visitor` and `/ws/agent` with hello / send / ack /
//! message / close, and the history the read-back reads) and gets one thing wrong on purpose,
//! once: in the first conversation, at its second measured message.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// What the server gets wrong.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    /// Nothing: a faithful server.
    None,
    /// The agent never gets the message.
    Drop,
    /// The agent gets the message twice.
    Duplicate,
    /// The agent gets the message after the next one.
    Swap,
    /// The sender's ack has no seq.
    AckWithoutSeq,
    /// The message is stored with another body than the one sent (seen by the read-back).
    StoredBodyDiffers,
}

/// The measured message of the first conversation the fault hits (1 = its first).
const HIT: usize = 2;
pub const OWNER: &str = "owner@fake.test";
pub const SITE_KEY: &str = "sk_fake";

type Tx = mpsc::UnboundedSender<String>;

struct Conversation {
    visitor: Tx,
    agent: Option<Tx>,
    last_seq: i64,
    stored: Vec<Value>,
    measured: usize,
    /// The agent's copy of a message held back (Fault::Swap).
    held: Option<String>,
}

#[derive(Default)]
struct Inner {
    next: u64,
    agents: Vec<Tx>,
    users: HashMap<String, String>,
    conversations: HashMap<String, Conversation>,
    first: Option<String>,
}

#[derive(Clone)]
struct Shared {
    fault: Fault,
    inner: Arc<Mutex<Inner>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Starts the server on a free port of 127.0.0.1; its base URL.
pub async fn start(fault: Fault) -> String {
    let shared = Shared {
        fault,
        inner: Arc::default(),
    };
    let app = Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/api/auth/login", post(login))
        .route(
            "/api/auth/me",
            get(|| async { Json(json!({"tenant": {"site_key": SITE_KEY}})) }),
        )
        .route("/api/admin/users", post(create_user))
        .route(
            "/api/admin/users/{id}",
            patch(
                |Path(id): Path<String>| async move { Json(json!({"id": id, "disabled": true})) },
            ),
        )
        .route("/api/visitor/session", post(session))
        .route("/api/agent/conversations/{id}/messages", get(history))
        .route("/ws/visitor", get(ws_visitor))
        .route("/ws/agent", get(ws_agent))
        .with_state(shared);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn login(Json(body): Json<Value>) -> Json<Value> {
    let email = body["email"].as_str().unwrap_or_default();
    let token = if email == OWNER {
        "admin".to_string()
    } else {
        format!("agent:{email}")
    };
    Json(json!({"access_token": token}))
}

async fn create_user(State(s): State<Shared>, Json(body): Json<Value>) -> Json<Value> {
    let mut inner = s.lock();
    inner.next += 1;
    let id = format!("u{}", inner.next);
    let email = body["email"].as_str().unwrap_or_default().to_string();
    inner.users.insert(email, id.clone());
    Json(json!({"id": id}))
}

async fn session(State(s): State<Shared>) -> Json<Value> {
    let mut inner = s.lock();
    inner.next += 1;
    Json(json!({"visitor_token": format!("visitor:{}", inner.next)}))
}

/// A conversation's history, `limit` messages older than `before_seq`, oldest first.
async fn history(
    State(s): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Value> {
    let inner = s.lock();
    let Some(c) = inner.conversations.get(&id) else {
        return Json(json!({"conversation_id": id, "last_seq": 0, "messages": []}));
    };
    let before: i64 = q
        .get("before_seq")
        .and_then(|b| b.parse().ok())
        .unwrap_or(c.last_seq + 1);
    let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(50);
    let older: Vec<&Value> = c
        .stored
        .iter()
        .filter(|m| m["seq"].as_i64() < Some(before))
        .collect();
    let page = older[older.len().saturating_sub(limit)..].to_vec();
    Json(json!({"conversation_id": id, "last_seq": c.last_seq, "messages": page}))
}

async fn ws_visitor(ws: WebSocketUpgrade, State(s): State<Shared>) -> Response {
    ws.on_upgrade(move |socket| connection(socket, s, false))
}

async fn ws_agent(ws: WebSocketUpgrade, State(s): State<Shared>) -> Response {
    ws.on_upgrade(move |socket| connection(socket, s, true))
}

async fn connection(socket: WebSocket, s: Shared, agent: bool) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let writer = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
    });
    let role = if agent { "agent" } else { "visitor" };
    let _ = tx.send(
        json!({"type": "hello", "role": role, "participant_id": "p", "conversations": [], "heartbeat_secs": 20})
            .to_string(),
    );
    if agent {
        s.lock().agents.push(tx.clone());
    }
    while let Some(Ok(msg)) = stream.next().await {
        let Message::Text(text) = msg else { continue };
        let Ok(frame) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if agent {
            continue;
        }
        match frame["type"].as_str() {
            Some("send") => send(&s, &tx, &frame),
            Some("close") => close(&s, &tx, &frame),
            _ => {}
        }
    }
    writer.abort();
}

fn send(s: &Shared, tx: &Tx, frame: &Value) {
    let mut inner = s.lock();
    let id = match frame["conversation_id"].as_str() {
        Some(id) => id.to_string(),
        None => {
            inner.next += 1;
            let id = format!("conv-{}", inner.next);
            let agent = inner
                .agents
                .get(inner.conversations.len() % inner.agents.len().max(1))
                .cloned();
            let c = Conversation {
                visitor: tx.clone(),
                agent,
                last_seq: 0,
                stored: Vec::new(),
                measured: 0,
                held: None,
            };
            inner.conversations.insert(id.clone(), c);
            inner.first.get_or_insert_with(|| id.clone());
            id
        }
    };
    let first = inner.first.as_deref() == Some(id.as_str());
    let Some(c) = inner.conversations.get_mut(&id) else {
        return;
    };
    let client_msg_id = frame["client_msg_id"].as_str().unwrap_or_default();
    let body = frame["body"].as_str().unwrap_or_default();
    if client_msg_id.starts_with('b') {
        c.measured += 1;
    }
    let hit = first && client_msg_id.starts_with('b') && c.measured == HIT;
    c.last_seq += 1;
    let message = json!({"id": format!("m-{id}-{}", c.last_seq), "tenant_id": "t", "conversation_id": id,
        "seq": c.last_seq, "sender_kind": "visitor", "sender_id": "v", "sender_name": null,
        "client_msg_id": client_msg_id, "kind": "text", "body": body, "created_at": "2026-11-30T00:00:00Z"});
    let mut stored = message.clone();
    if hit && s.fault == Fault::StoredBodyDiffers {
        stored["body"] = json!("bench 0");
    }
    c.stored.push(stored);
    let mut ack = json!({"type": "ack", "id": frame["id"], "conversation_id": id, "message_id": message["id"],
        "client_msg_id": client_msg_id, "seq": c.last_seq, "created_at": message["created_at"], "duplicate": false});
    if let Some(fields) = ack
        .as_object_mut()
        .filter(|_| hit && s.fault == Fault::AckWithoutSeq)
    {
        fields.remove("seq");
    }
    let delivery = json!({"type": "message", "message": message}).to_string();
    let _ = c.visitor.send(ack.to_string());
    let _ = c.visitor.send(delivery.clone());
    let Some(agent) = c.agent.clone() else { return };
    match (hit, s.fault) {
        (true, Fault::Drop) => {}
        (true, Fault::Duplicate) => {
            let _ = agent.send(delivery.clone());
            let _ = agent.send(delivery);
        }
        (true, Fault::Swap) => c.held = Some(delivery),
        _ => {
            let _ = agent.send(delivery);
            if let Some(held) = c.held.take() {
                let _ = agent.send(held);
            }
        }
    }
}

fn close(s: &Shared, tx: &Tx, frame: &Value) {
    let mut inner = s.lock();
    let id = frame["conversation_id"].as_str().unwrap_or_default();
    if let Some(c) = inner.conversations.get_mut(id) {
        if let (Some(agent), Some(held)) = (c.agent.as_ref(), c.held.take()) {
            let _ = agent.send(held);
        }
    }
    let _ = tx.send(
        json!({"type": "closed", "id": frame["id"], "conversation": {"id": id, "state": "closed"}})
            .to_string(),
    );
}
