//! The plain sections of the configuration: each a struct the loader fills from the layers.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub bind: String,
    pub public_url: String,
    pub shutdown_timeout_secs: u64,
    /// After SIGTERM, how long the node keeps serving its open connections while `/readyz`
    /// answers 503 `draining`, before the shutdown proper (docs/cluster.md).
    pub drain_secs: u64,
    pub request_timeout_secs: u64,
    /// A connection must send a request's whole header within this long (also the most a
    /// keep-alive connection may sit idle between requests).
    pub header_read_timeout_secs: u64,
    pub body_limit_bytes: usize,
    pub cors_origins: Vec<String>,
    pub trust_proxy: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    pub enabled: bool,
    pub per_second: u32,
    pub burst: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
    pub auto_migrate: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Empty: the secret in `jwt_secret_file` (generated on the first start).
    pub jwt_secret: String,
    pub jwt_secret_file: String,
    /// Seals secrets kept in the database (two-factor keys, client secrets). Empty: the key
    /// in `secret_key_file` (generated on the first start).
    pub secret_key: String,
    pub secret_key_file: String,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    pub login_per_minute_account: u32,
    pub login_per_minute_ip: u32,
    /// How long an invite or reset (one-time) password works.
    pub one_time_password_ttl_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealtimeConfig {
    pub heartbeat_secs: u64,
    pub idle_timeout_secs: u64,
    pub max_frame_bytes: usize,
    pub outbound_queue: usize,
    /// An agent connection's queue: it carries every conversation the agent holds or watches,
    /// and a writer commit announces a whole batch at once.
    pub agent_outbound_queue: usize,
    pub frames_per_second: u32,
    pub frame_burst: u32,
    pub max_message_chars: usize,
    pub writer_batch: usize,
    /// Message writers side by side (0: as suits the database).
    pub writer_shards: usize,
    pub offline_grace_secs: u64,
    pub inactivity_close_secs: u64,
}

/// Limits on realtime connections, checked at the handshake before any work is done.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionsConfig {
    pub per_visitor: usize,
    pub per_agent: usize,
    pub per_address: usize,
    pub handshakes_per_second: u32,
    pub handshake_burst: u32,
    pub visitor_messages_per_second: u32,
    pub visitor_message_burst: u32,
    /// 0: 80 % of the process's open-file limit.
    pub max_total: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootstrapConfig {
    pub enabled: bool,
    pub tenant: String,
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub level: String,
    pub format: LogFormat,
    pub file: bool,
    pub dir: String,
}
