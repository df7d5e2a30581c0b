//! A chat server that speaks the part of uniqchat's protocol `uniqchat bench chat` uses (sign-in,
//! agent accounts, visitor sessions, `/ws/visitor` and `/ws/agent` with hello / send / ack /
//! message / close / resume, and the history the read-back reads) and gets one thing wrong on
//! purpose, once: in the first conversation, at its second measured message. The `Restart`
//! faults stop there as a server does at shutdown (resume.rs).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;

#[path = "accounts.rs"]
mod accounts;
#[path = "replay.rs"]
mod replay;

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
    /// A faithful restart: the message is stored, then the visitor's and the agent's
    /// connections are closed with 1001 before its ack; resumes replay what was missed.
    Restart,
    /// The same, but the agent's replay leaves the message out.
    RestartLosesDelivery,
    /// The same, but after the agent's resume the next live message reaches it twice.
    RestartDuplicatesLive,
    /// The agent does not get the message live (it gets the next one), and the connections
    /// are closed at the message after that: the agent's replay brings it.
    SkipThenRestart,
}

impl Fault {
    fn restarts(self) -> bool {
        matches!(
            self,
            Fault::Restart | Fault::RestartLosesDelivery | Fault::RestartDuplicatesLive
        )
    }
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
    /// Client id → seq of every message stored: a resend gets the first ack.
    ids: HashMap<String, i64>,
    /// The seq at which the connections were closed (the `Restart` faults).
    cut: Option<i64>,
    /// Send the agent's next live message twice (Fault::RestartDuplicatesLive).
    duplicate_next: bool,
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
        .route("/api/auth/login", post(accounts::login))
        .route(
            "/api/auth/me",
            get(|| async { Json(json!({"tenant": {"site_key": SITE_KEY}})) }),
        )
        .route("/api/admin/users", post(accounts::create_user))
        .route(
            "/api/admin/users/{id}",
            patch(
                |Path(id): Path<String>| async move { Json(json!({"id": id, "disabled": true})) },
            ),
        )
        .route("/api/visitor/session", post(accounts::session))
        .route(
            "/api/agent/conversations/{id}/messages",
            get(replay::history),
        )
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
            if text == replay::GOING_AWAY {
                let frame = CloseFrame {
                    code: 1001,
                    reason: "server shutting down".into(),
                };
                let _ = sink.send(Message::Close(Some(frame))).await;
                break;
            }
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
    });
    let role = if agent { "agent" } else { "visitor" };
    // The one agent of a run holds every conversation (listed again when it reconnects).
    let own: Vec<Value> = if agent {
        let inner = s.lock();
        inner
            .conversations
            .keys()
            .map(|id| json!({"id": id, "state": "chatting"}))
            .collect()
    } else {
        Vec::new()
    };
    let _ = tx.send(
        json!({"type": "hello", "role": role, "participant_id": "p", "conversations": own, "heartbeat_secs": 20})
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
        match (frame["type"].as_str(), agent) {
            (Some("resume"), _) => replay::resume(&s, &tx, &frame, agent),
            (Some("send"), false) => send(&s, &tx, &frame),
            (Some("close"), false) => close(&s, &tx, &frame),
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
                ids: HashMap::new(),
                cut: None,
                duplicate_next: false,
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
    if let Some(seq) = c.ids.get(client_msg_id) {
        let stored = c
            .stored
            .get((*seq - 1) as usize)
            .cloned()
            .unwrap_or_default();
        let ack = json!({"type": "ack", "id": frame["id"], "conversation_id": id, "message_id": stored["id"],
            "client_msg_id": client_msg_id, "seq": seq, "created_at": stored["created_at"], "duplicate": true});
        let _ = tx.send(ack.to_string());
        return;
    }
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
    c.ids.insert(client_msg_id.to_string(), c.last_seq);
    let cut = match s.fault {
        Fault::SkipThenRestart => first && client_msg_id.starts_with('b') && c.measured == HIT + 2,
        fault => hit && fault.restarts(),
    };
    if cut {
        replay::go_away(c);
        return;
    }
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
        (true, Fault::Drop | Fault::SkipThenRestart) => {}
        (true, Fault::Duplicate) => {
            let _ = agent.send(delivery.clone());
            let _ = agent.send(delivery);
        }
        (true, Fault::Swap) => c.held = Some(delivery),
        _ => {
            if std::mem::take(&mut c.duplicate_next) {
                let _ = agent.send(delivery.clone());
            }
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
