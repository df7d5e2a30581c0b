//! A WebSocket client speaking the realtime protocol, for tests.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::api::Api;

pub const WAIT: Duration = Duration::from_secs(15);

pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The `hello` frame the server opened with.
    pub hello: Value,
    /// Frames read while waiting for a reply, kept for `next` in arrival order.
    pending: std::collections::VecDeque<Value>,
}

/// How a connection attempt or a connection ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Closed {
    Code(u16),
    Refused(u16),
    Dropped,
}

impl Ws {
    pub async fn connect(base: &str, path: &str, token: &str) -> Result<Ws, Closed> {
        let url = format!("{}{path}?token={token}", base.replace("http://", "ws://"));
        match tokio_tungstenite::connect_async(url).await {
            Ok((stream, _)) => {
                let mut ws = Ws {
                    stream,
                    hello: Value::Null,
                    pending: Default::default(),
                };
                ws.hello = ws.next_of("hello").await;
                Ok(ws)
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                Err(Closed::Refused(resp.status().as_u16()))
            }
            Err(_) => Err(Closed::Dropped),
        }
    }

    pub async fn visitor(api: &Api, site_key: &str) -> (Ws, Value) {
        let session = api
            .call(
                reqwest::Method::POST,
                "/api/visitor/session",
                None,
                Some(json!({ "site_key": site_key })),
            )
            .await;
        assert_eq!(session.status, reqwest::StatusCode::OK, "{}", session.body);
        let token = session.body["visitor_token"].as_str().unwrap().to_string();
        (
            Ws::connect(&api.base, "/ws/visitor", &token)
                .await
                .expect("visitor socket"),
            session.body,
        )
    }

    /// An agent connection, returned once the server has counted the agent present: it
    /// does so right after `hello` and only then reads frames, so the `pong` to a ping sent
    /// now proves it (otherwise a session opened at once may not see the agent yet).
    pub async fn agent(api: &Api, token: &str) -> Ws {
        let mut ws = Ws::connect(&api.base, "/ws/agent", token)
            .await
            .expect("agent socket");
        let pong = ws.request(json!({ "type": "ping", "id": "ready" })).await;
        assert_eq!(pong["type"], "pong", "{pong}");
        ws
    }

    pub async fn send(&mut self, frame: Value) {
        self.stream
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send frame");
    }

    pub async fn send_raw(&mut self, msg: Message) -> bool {
        self.stream.send(msg).await.is_ok()
    }

    /// The next JSON frame; fails the test after `WAIT`.
    pub async fn next(&mut self) -> Value {
        self.try_next(WAIT).await.expect("a frame in time")
    }

    pub async fn try_next(&mut self, wait: Duration) -> Option<Value> {
        if let Some(f) = self.pending.pop_front() {
            return Some(f);
        }
        loop {
            match tokio::time::timeout(wait, self.stream.next()).await {
                Err(_) => return None,
                Ok(None) | Ok(Some(Err(_))) => return None,
                Ok(Some(Ok(Message::Text(t)))) => {
                    return Some(serde_json::from_str(&t).expect("JSON frame"))
                }
                Ok(Some(Ok(Message::Close(_)))) => return None,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Skips frames until one of type `kind`.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let f = self.next().await;
            if f["type"] == kind {
                return f;
            }
        }
    }

    /// Sends `send` and waits for its `ack` (or error); other frames stay readable.
    pub async fn say(&mut self, conversation: Option<&str>, client_id: &str, body: &str) -> Value {
        let mut frame = json!({ "type": "send", "id": format!("req-{client_id}"), "client_msg_id": client_id, "body": body });
        if let Some(c) = conversation {
            frame["conversation_id"] = json!(c);
        }
        self.request(frame).await
    }

    /// Sends a frame with an `id` and returns the reply carrying that `id`; frames that arrive
    /// before it stay readable, in order.
    pub async fn request(&mut self, frame: Value) -> Value {
        let id = frame["id"].clone();
        assert!(id.is_string(), "a request needs an id");
        self.send(frame).await;
        let mut others = Vec::new();
        let reply = loop {
            let f = self.next().await;
            if f["id"] == id && f["type"] != "message" {
                break f;
            }
            others.push(f);
        };
        for f in others.into_iter().rev() {
            self.pending.push_front(f);
        }
        reply
    }

    /// Forgets frames already received but not yet read.
    pub async fn clear(&mut self) {
        self.pending.clear();
        while self.try_next(Duration::from_millis(200)).await.is_some() {}
    }

    /// The next text frame within `wait` (None: nothing came), or how the connection ended.
    #[allow(dead_code)]
    pub async fn next_or_closed(&mut self, wait: Duration) -> Result<Option<Value>, Closed> {
        if let Some(f) = self.pending.pop_front() {
            return Ok(Some(f));
        }
        loop {
            match tokio::time::timeout(wait, self.stream.next()).await {
                Err(_) => return Ok(None),
                Ok(Some(Ok(Message::Text(t)))) => {
                    return Ok(Some(serde_json::from_str(&t).expect("JSON frame")))
                }
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return Err(Closed::Code(frame.map_or(1005, |f| u16::from(f.code))))
                }
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_))) | Ok(None) => return Err(Closed::Dropped),
            }
        }
    }

    /// Waits for the server to close the connection and returns its close code.
    pub async fn closed(&mut self) -> Closed {
        loop {
            match tokio::time::timeout(WAIT, self.stream.next()).await {
                Err(_) => panic!("the server did not close the connection"),
                Ok(Some(Ok(Message::Close(Some(frame))))) => {
                    return Closed::Code(u16::from(frame.code))
                }
                Ok(Some(Ok(Message::Close(None)))) => {
                    return Closed::Code(u16::from(CloseCode::Status))
                }
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_))) | Ok(None) => return Closed::Dropped,
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// The conversation an `ack` names.
pub fn conv_of(ack: &Value) -> String {
    ack["conversation_id"]
        .as_str()
        .expect("conversation_id")
        .to_string()
}

/// Reads frames until the conversation is shown with `state`.
pub async fn until_state(ws: &mut Ws, conversation: &str, state: &str) -> Value {
    loop {
        let f = ws.next_of("conversation").await;
        if f["conversation"]["id"] == conversation && f["conversation"]["state"] == state {
            return f["conversation"].clone();
        }
    }
}

/// Opens a WebSocket by hand and then stays silent — no pongs, no close reply — reading until
/// the server hangs up. Returns the frames received as (opcode, payload).
pub async fn silent_client(base: &str, path_and_query: &str) -> Vec<(u8, Vec<u8>)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = base.trim_start_matches("http://");
    let mut tcp = TcpStream::connect(host).await.expect("connect");
    let request = format!(
        "GET {path_and_query} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    tcp.write_all(request.as_bytes()).await.expect("handshake");
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), tcp.read_to_end(&mut bytes)).await;
    let head_end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("HTTP response")
        + 4;
    assert!(
        bytes.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&bytes[..head_end])
    );
    let mut frames = Vec::new();
    let mut at = head_end;
    while at + 2 <= bytes.len() {
        let opcode = bytes[at] & 0x0f;
        let mut len = (bytes[at + 1] & 0x7f) as usize;
        at += 2;
        if len == 126 {
            len = u16::from_be_bytes([bytes[at], bytes[at + 1]]) as usize;
            at += 2;
        } else if len == 127 {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[at..at + 8]);
            len = u64::from_be_bytes(b) as usize;
            at += 8;
        }
        if at + len > bytes.len() {
            break;
        }
        frames.push((opcode, bytes[at..at + len].to_vec()));
        at += len;
    }
    frames
}
