//! Clients that keep going through a load balancer while nodes die or restart, as the widget
//! and the agent workspace do (web/shared/socket.js): on a lost connection they connect again
//! (the balancer picks a live node), and resend what was not acknowledged with the same
//! `client_msg_id`; the agent resumes its conversations from the start and keeps what it saw.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a client keeps trying to get a connection (or an answer) before the test fails.
const GIVE_UP: Duration = Duration::from_secs(30);

/// Connects (again and again, a short pause apart) until a node greets the client.
async fn connect(base: &str, path: &str, token: &str) -> Stream {
    let url = format!("{}{path}?token={token}", base.replace("http://", "ws://"));
    let deadline = Instant::now() + GIVE_UP;
    loop {
        let attempt = tokio::time::timeout(
            Duration::from_secs(5),
            tokio_tungstenite::connect_async(&url),
        );
        if let Ok(Ok((mut ws, _))) = attempt.await {
            if reply(&mut ws, |f| f["type"] == "hello").await.is_some() {
                return ws;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no node took the connection through {base} in {GIVE_UP:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The next frame that `wanted` picks; None when the connection ends or nothing comes in 10 s.
async fn reply(ws: &mut Stream, wanted: impl Fn(&Value) -> bool) -> Option<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let next = tokio::time::timeout_at(deadline, ws.next()).await.ok()??;
        match next {
            Ok(Message::Text(t)) => {
                let f: Value = serde_json::from_str(&t).expect("JSON frame");
                if wanted(&f) {
                    return Some(f);
                }
            }
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// What one steady visitor did.
#[derive(Debug, Default)]
pub struct Sent {
    pub conversation: String,
    /// client_msg_id → the seq its ack named.
    pub acked: BTreeMap<String, i64>,
    /// Connections lost and opened again.
    pub reconnects: u32,
}

/// A visitor that writes a message every `every` until `stop`, each until acknowledged;
/// `acked` counts every ack of every visitor (so a test can wait for traffic to flow).
pub async fn visitor(
    base: String,
    token: String,
    tag: String,
    every: Duration,
    stop: CancellationToken,
    acked: Arc<AtomicUsize>,
) -> Sent {
    let mut out = Sent::default();
    let mut ws = connect(&base, "/ws/visitor", &token).await;
    let mut n = 0;
    while !stop.is_cancelled() {
        let id = format!("{tag}-{n}");
        let mut frame = json!({ "type": "send", "id": id, "client_msg_id": id, "body": format!("{tag} says {n}") });
        if !out.conversation.is_empty() {
            frame["conversation_id"] = json!(out.conversation);
        }
        let deadline = Instant::now() + GIVE_UP;
        let ack = loop {
            let sent = ws.send(Message::Text(frame.to_string().into())).await;
            let answer = match sent {
                Ok(()) => reply(&mut ws, |f| f["id"] == id.as_str()).await,
                Err(_) => None,
            };
            match answer {
                Some(f) if f["type"] == "ack" => break f,
                // The node failed it (e.g. stopping): the same message again, as a client does.
                Some(f) if f["type"] == "error" && f["code"] == "internal" => {}
                Some(f) => panic!("{tag}: unexpected answer {f}"),
                None => {
                    out.reconnects += 1;
                    ws = connect(&base, "/ws/visitor", &token).await;
                }
            }
            assert!(Instant::now() < deadline, "{tag}-{n} never acknowledged");
        };
        out.conversation = ack["conversation_id"].as_str().unwrap().to_string();
        let seq = ack["seq"].as_i64().unwrap();
        if let Some(before) = out.acked.insert(id.clone(), seq) {
            panic!("{id} acknowledged twice, at {before} and {seq}");
        }
        acked.fetch_add(1, Ordering::Relaxed);
        n += 1;
        tokio::time::sleep(every).await;
    }
    let _ = ws.close(None).await;
    out
}

/// What the agent has seen: (conversation, seq) → client_msg_id, from live frames and replays.
pub type Seen = Arc<Mutex<BTreeMap<(String, i64), String>>>;

/// An agent connection that stays up through node failures until `stop`. After every
/// (re)connect, and whenever `resume` is notified, it asks for every conversation it holds
/// from the start, as a client that finds a gap does.
pub async fn agent(
    base: String,
    token: String,
    seen: Seen,
    resume: Arc<Notify>,
    stop: CancellationToken,
) -> u32 {
    let mut reconnects = 0;
    loop {
        let mut ws = connect(&base, "/ws/agent", &token).await;
        let mut ask = true;
        loop {
            if ask {
                let conversations: BTreeMap<String, i64> = seen
                    .lock()
                    .unwrap()
                    .keys()
                    .map(|(c, _)| (c.clone(), 0))
                    .collect();
                let frame = json!({ "type": "resume", "conversations": conversations });
                if ws
                    .send(Message::Text(frame.to_string().into()))
                    .await
                    .is_err()
                {
                    break;
                }
                ask = false;
            }
            let next = tokio::select! {
                _ = stop.cancelled() => return reconnects,
                _ = resume.notified() => { ask = true; continue; }
                next = ws.next() => next,
            };
            match next {
                Some(Ok(Message::Text(t))) => {
                    let f: Value = serde_json::from_str(&t).expect("JSON frame");
                    if f["type"] == "message" {
                        let m = &f["message"];
                        let key = (
                            m["conversation_id"].as_str().unwrap().to_string(),
                            m["seq"].as_i64().unwrap(),
                        );
                        let id = m["client_msg_id"].as_str().unwrap_or_default().to_string();
                        seen.lock().unwrap().insert(key, id);
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            }
        }
        reconnects += 1;
    }
}
