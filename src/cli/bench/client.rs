//! Talking to the server as the widget and the agent workspace do: the REST calls a run needs
//! and WebSocket connections opened from a chosen loopback source address.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::Url;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::WebSocketStream;

use super::args::Plan;

pub type Ws = WebSocketStream<TcpStream>;

/// How long one connection attempt (TCP, upgrade and greeting) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Why one client operation failed; the label is what the report counts.
#[derive(Debug)]
pub struct Failure(pub String);

impl Failure {
    fn new(kind: impl Into<String>) -> Failure {
        Failure(kind.into())
    }
}

pub struct Target {
    base: Url,
    server: SocketAddr,
    sources: Vec<IpAddr>,
    /// One HTTP client per source address (a client binds all its sockets to one address).
    http: Vec<reqwest::Client>,
}

impl Target {
    /// The server at `base`, one of the `--url`s.
    pub async fn at(plan: &Plan, base: &Url) -> Result<Target, String> {
        let host = base.host_str().unwrap_or_default();
        let port = base.port_or_known_default().unwrap_or(80);
        let server = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("{base}: {e}"))?
            .find(|a| plan.sources.is_empty() || a.is_ipv4())
            .ok_or_else(|| format!("{base}: no address to connect to"))?;
        let mut http = Vec::new();
        let locals: Vec<Option<IpAddr>> = if plan.sources.is_empty() {
            vec![None]
        } else {
            plan.sources.iter().copied().map(Some).collect()
        };
        for local in locals {
            let client = reqwest::Client::builder()
                .local_address(local)
                .timeout(CONNECT_TIMEOUT)
                .pool_max_idle_per_host(1024)
                .build()
                .map_err(|e| format!("HTTP client: {e}"))?;
            http.push(client);
        }
        Ok(Target {
            base: base.clone(),
            server,
            sources: plan.sources.clone(),
            http,
        })
    }

    fn http(&self, i: usize) -> &reqwest::Client {
        &self.http[i % self.http.len()]
    }

    fn url(&self, path: &str) -> String {
        let mut url = self.base.clone();
        url.set_path(path);
        url.to_string()
    }

    async fn call(&self, req: reqwest::RequestBuilder, what: &str) -> Result<Value, Failure> {
        let resp = req.send().await.map_err(|e| {
            Failure::new(if e.is_timeout() {
                format!("{what}: timeout")
            } else {
                format!("{what}: connect")
            })
        })?;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(Failure::new(format!("{what}: http {}", status.as_u16())));
        }
        Ok(body)
    }

    /// Checks that a uniqchat server answers at the address before anything else.
    pub async fn healthy(&self) -> Result<(), String> {
        let req = self.http(0).get(self.url("/healthz"));
        self.call(req, "healthz")
            .await
            .map(drop)
            .map_err(|f| format!("cannot reach {}: {}", self.base, f.0))
    }

    /// Logs in and returns the access token.
    pub async fn login(&self, i: usize, email: &str, password: &str) -> Result<String, String> {
        let req = self
            .http(i)
            .post(self.url("/api/auth/login"))
            .json(&json!({ "email": email, "password": password }));
        let body = self.call(req, "login").await.map_err(|f| f.0)?;
        body["access_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| "login: no access token in the answer".into())
    }

    pub async fn site_key(&self, token: &str) -> Result<String, String> {
        let req = self
            .http(0)
            .get(self.url("/api/auth/me"))
            .bearer_auth(token);
        let body = self.call(req, "me").await.map_err(|f| f.0)?;
        body["tenant"]["site_key"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| "me: no site key in the answer".into())
    }

    /// Creates an agent account and returns its id.
    pub async fn create_agent(
        &self,
        admin: &str,
        email: &str,
        password: &str,
        max_chats: usize,
    ) -> Result<String, String> {
        let req = self
            .http(0)
            .post(self.url("/api/admin/users"))
            .bearer_auth(admin)
            .json(
                &json!({ "email": email, "password": password, "role": "agent",
                "max_chats": max_chats, "name": email.split('@').next() }),
            );
        let body = self.call(req, "create agent").await.map_err(|f| f.0)?;
        body["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| "create agent: no id in the answer".into())
    }

    pub async fn disable_user(&self, admin: &str, id: &str) -> Result<(), String> {
        let req = self
            .http(0)
            .patch(self.url(&format!("/api/admin/users/{id}")))
            .bearer_auth(admin)
            .json(&json!({ "disabled": true }));
        self.call(req, "disable agent")
            .await
            .map(drop)
            .map_err(|f| f.0)
    }

    /// One page of a conversation's history, newest first: `limit` 200, older than `before_seq`.
    pub async fn history(
        &self,
        token: &str,
        conversation: &str,
        before_seq: Option<i64>,
    ) -> Result<Value, Failure> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|_| Failure::new("history: bad base URL"))?
            .clear()
            .extend(["api", "agent", "conversations", conversation, "messages"]);
        url.query_pairs_mut().append_pair("limit", "200");
        if let Some(before) = before_seq {
            url.query_pairs_mut()
                .append_pair("before_seq", &before.to_string());
        }
        let req = self.http(0).get(url).bearer_auth(token);
        self.call(req, "read-back").await
    }

    /// A new visitor, as the widget makes on a first visit; returns the visitor token.
    pub async fn visitor_session(&self, i: usize, site_key: &str) -> Result<String, Failure> {
        let req = self
            .http(i)
            .post(self.url("/api/visitor/session"))
            .json(&json!({ "site_key": site_key, "page_url": "http://bench.invalid/" }));
        let body = self.call(req, "session").await?;
        body["visitor_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Failure::new("session: no token"))
    }

    /// Opens `/ws/{role}` from source address `i` and waits for the server's `hello`.
    pub async fn connect(&self, i: usize, role: &str, token: &str) -> Result<Ws, Failure> {
        self.connect_hello(i, role, token).await.map(|(ws, _)| ws)
    }

    /// Like `connect`, and returns the `hello` frame too.
    pub async fn connect_hello(
        &self,
        i: usize,
        role: &str,
        token: &str,
    ) -> Result<(Ws, String), Failure> {
        tokio::time::timeout(CONNECT_TIMEOUT, self.connect_inner(i, role, token))
            .await
            .map_err(|_| Failure::new("connect: timeout"))?
    }

    async fn connect_inner(
        &self,
        i: usize,
        role: &str,
        token: &str,
    ) -> Result<(Ws, String), Failure> {
        let socket = TcpSocket::new_v4().map_err(|e| Failure::new(os_kind("socket", &e)))?;
        if !self.sources.is_empty() {
            let local = SocketAddr::new(self.sources[i % self.sources.len()], 0);
            socket
                .bind(local)
                .map_err(|e| Failure::new(os_kind("bind", &e)))?;
        }
        let stream = socket
            .connect(self.server)
            .await
            .map_err(|e| Failure::new(os_kind("tcp connect", &e)))?;
        let _ = stream.set_nodelay(true);
        let mut url = self.base.clone();
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        let _ = url.set_scheme(scheme);
        url.set_path(&format!("/ws/{role}"));
        url.query_pairs_mut().append_pair("token", token);
        // Small buffers: a load generator holds tens of thousands of mostly idle sockets.
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0);
        let (mut ws, _) =
            tokio_tungstenite::client_async_with_config(url.as_str(), stream, Some(config))
                .await
                .map_err(|e| Failure::new(handshake_kind(&e)))?;
        match ws.next().await {
            Some(Ok(WsMessage::Text(t))) if frame_type(&t) == Some("hello") => {
                Ok((ws, t.as_str().to_string()))
            }
            Some(Ok(_)) => Err(Failure::new("connect: no hello")),
            Some(Err(_)) | None => Err(Failure::new("connect: closed before hello")),
        }
    }
}

fn os_kind(what: &str, e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => format!("{what}: os error {code}"),
        None => format!("{what}: {:?}", e.kind()),
    }
}

fn handshake_kind(e: &tokio_tungstenite::tungstenite::Error) -> String {
    use tokio_tungstenite::tungstenite::Error;
    match e {
        Error::Http(resp) => format!("upgrade: http {}", resp.status().as_u16()),
        Error::Io(io) => os_kind("upgrade", io),
        _ => "upgrade: protocol".into(),
    }
}

#[derive(Deserialize)]
struct TypeOnly<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
}

pub fn frame_type(text: &str) -> Option<&str> {
    serde_json::from_str::<TypeOnly>(text).ok().map(|f| f.kind)
}
