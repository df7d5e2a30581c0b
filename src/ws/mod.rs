//! The realtime gateway: WebSocket handshake and authentication, connection tasks, fan-out.
//! The frames are described in docs/protocol.md.

pub mod admission;
mod connection;
mod fanout;
pub mod hub;
mod in_flight;
mod kick;
mod outbound;
pub mod protocol;
mod requests;

use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use admission::{Refusal, Ticket};
pub use connection::{close, Gateway};
use connection::{Context, Limits};

use crate::http::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{ApiQuery, ClientIp};
use crate::http::AppState;
use crate::service::chat::Participant;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(visitor_socket))
        .routes(routes!(agent_socket))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitorTokenQuery {
    /// The visitor token from `POST /api/visitor/session` (an agent's token is refused with 401;
    /// `Authorization: Bearer` works too).
    pub token: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgentTokenQuery {
    /// The agent's access token from `POST /api/auth/login` (browsers cannot set headers on a
    /// WebSocket; `Authorization: Bearer` works too). A visitor token is refused with 401, an API
    /// token with 403 (it has no one to sign messages).
    pub token: Option<String>,
}

/// Opens the visitor's realtime connection. Refused before the upgrade without a valid visitor
/// token, or for a blocked visitor or address.
#[utoipa::path(get, path = "/ws/visitor", tag = "realtime", params(VisitorTokenQuery),
    responses((status = 101, description = "Switched to the WebSocket protocol (docs/protocol.md)"),
        (status = 401, description = "Missing or invalid visitor token, or the visitor was erased", body = ErrorBody),
        (status = 403, description = "Blocked", body = ErrorBody),
        (status = 400, description = "Not a WebSocket handshake (`websocket_required`)", body = ErrorBody),
        (status = 422, description = "A control character in the query", body = ErrorBody),
        (status = 429, description = "Too many connections of this visitor or address (`too_many_connections`), or handshakes (`rate_limited`); see Retry-After", body = ErrorBody),
        (status = 503, description = "The server holds as many connections as it can (`overloaded`), or it is stopping (`draining`: connect again, the balancer picks another node); see Retry-After", body = ErrorBody)))]
async fn visitor_socket(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiQuery(q): ApiQuery<VisitorTokenQuery>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    refuse_if_draining(&state)?;
    state.admission.handshake(ip).map_err(refused)?;
    let token = q
        .token
        .or_else(|| bearer(&headers))
        .ok_or_else(missing_token)?;
    let visitor = state.auth.authenticate_visitor(&token)?;
    state
        .visitors
        .admit(&visitor.tenant_id, ip, &visitor.visitor_id)
        .await?;
    let who = Participant::Visitor {
        tenant_id: visitor.tenant_id,
        visitor_id: visitor.visitor_id,
    };
    let ticket = state.admission.admit(&who, ip).map_err(refused)?;
    Ok(open(state, who, ip, ticket, upgrade?))
}

/// Opens an agent's realtime connection (several per agent are fine: one per tab).
#[utoipa::path(get, path = "/ws/agent", tag = "realtime", params(AgentTokenQuery), security(("bearer" = ["chat"])),
    responses((status = 101, description = "Switched to the WebSocket protocol (docs/protocol.md)"),
        (status = 401, description = "Missing or invalid access token", body = ErrorBody),
        (status = 403, description = "Not an account that chats", body = ErrorBody),
        (status = 400, description = "Not a WebSocket handshake (`websocket_required`)", body = ErrorBody),
        (status = 422, description = "A control character in the query", body = ErrorBody),
        (status = 429, description = "Too many connections of this agent or address (`too_many_connections`), or handshakes (`rate_limited`); see Retry-After", body = ErrorBody),
        (status = 503, description = "The server holds as many connections as it can (`overloaded`), or it is stopping (`draining`: connect again, the balancer picks another node); see Retry-After", body = ErrorBody)))]
async fn agent_socket(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiQuery(q): ApiQuery<AgentTokenQuery>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    refuse_if_draining(&state)?;
    state.admission.handshake(ip).map_err(refused)?;
    let token = q
        .token
        .or_else(|| bearer(&headers))
        .ok_or_else(missing_token)?;
    let actor = state.auth.authenticate(&token).await?;
    let who = state.chat.agent(&actor).await?;
    let ticket = state.admission.admit(&who, ip).map_err(refused)?;
    Ok(open(state, who, ip, ticket, upgrade?))
}

fn open(
    state: AppState,
    who: Participant,
    ip: std::net::IpAddr,
    ticket: Ticket,
    upgrade: WebSocketUpgrade,
) -> Response {
    let rt = &state.config.realtime;
    let limits = Limits {
        heartbeat: Duration::from_secs(rt.heartbeat_secs),
        idle_timeout: Duration::from_secs(rt.idle_timeout_secs),
        queue: match who {
            Participant::Agent { .. } => rt.agent_outbound_queue,
            Participant::Visitor { .. } => rt.outbound_queue,
        },
        frames_per_second: rt.frames_per_second,
        frame_burst: rt.frame_burst,
    };
    let ctx = Context {
        who,
        ip,
        limits,
        gateway: state.gateway.clone(),
    };
    upgrade
        // Tungstenite allocates its read buffer up front (128 KiB by default) and keeps it for
        // the connection's life; a node holds tens of thousands of mostly idle connections. A
        // larger frame reserves its own length when its header is read, so the buffer only
        // needs to hold a few of the small frames a client sends at once.
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(rt.max_frame_bytes)
        .max_frame_size(rt.max_frame_bytes)
        .on_upgrade(move |socket| connection::run(socket, ctx, ticket))
}

const READ_BUFFER_BYTES: usize = 1024;

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
}

/// A handshake over a cap: 429 for one client's caps, 503 when the process is full; both say
/// when to try again.
fn refused(r: Refusal) -> ApiError {
    crate::telemetry::metrics::connection_refused(r.reason());
    let (status, code, message, retry) = match r {
        Refusal::HandshakeRate => (
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many connection attempts from your address".to_string(),
            1,
        ),
        Refusal::PerParticipant(n) => (
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_connections",
            format!("at most {n} connections at once: close another tab first"),
            5,
        ),
        Refusal::PerAddress(n) => (
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_connections",
            format!("at most {n} connections from one address at once"),
            5,
        ),
        Refusal::Full => (
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "the server holds as many connections as it can; try again soon".to_string(),
            5,
        ),
    };
    let mut error = ApiError::new(status, code, message);
    error.retry_after = Some(retry);
    error
}

/// A stopping node takes no new connections: the client tries again and the balancer, which
/// already sees `/readyz` fail, sends it to another node.
fn refuse_if_draining(state: &AppState) -> ApiResult<()> {
    if !state.drain.is_draining() {
        return Ok(());
    }
    crate::telemetry::metrics::connection_refused("draining");
    let mut error = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "draining",
        "this node is stopping; connect again",
    );
    error.retry_after = Some(1);
    Err(error)
}

fn missing_token() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "pass ?token=<token>",
    )
}

impl From<WebSocketUpgradeRejection> for ApiError {
    fn from(r: WebSocketUpgradeRejection) -> Self {
        ApiError::new(r.status(), "websocket_required", r.body_text())
    }
}
