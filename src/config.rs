//! Typed settings, loaded once at start-up from layered sources and validated.
//!
//! Layers, lowest first: `config/default.toml` < `config/<profile>.toml` < `--config FILE`
//! < `UNIQCHAT__SECTION__KEY` environment variables < command-line flags. The files are read
//! from the config directory when present, otherwise the copies built into the binary are used,
//! so an installed binary runs without the repository around it.

mod cluster;
mod geoip;
mod mail;
mod metrics;
mod origin;
mod retention;
mod secrets;
mod sections;
mod storage;
mod webhooks;

pub use cluster::ClusterConfig;
pub use geoip::GeoipConfig;
pub use mail::MailConfig;
pub use metrics::MetricsConfig;
pub use retention::RetentionConfig;
pub use sections::{
    AuthConfig, BootstrapConfig, ConnectionsConfig, DatabaseConfig, LogConfig, LogFormat,
    RateLimitConfig, RealtimeConfig, ServerConfig,
};
pub use storage::{StorageConfig, StorageKind};
pub use webhooks::WebhooksConfig;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use origin::{source_of, Named, ENV_PREFIX};

/// The signing secret earlier versions shipped in `config/default.toml`: public, so refused.
pub const SHIPPED_JWT_SECRET: &str = "uniqchat-shipped-default-secret-change-me";

const EMBEDDED: [(&str, &str); 4] = [
    ("default", include_str!("../config/default.toml")),
    ("dev", include_str!("../config/dev.toml")),
    ("test", include_str!("../config/test.toml")),
    ("prod", include_str!("../config/prod.toml")),
];

pub const PROFILES: [&str; 3] = ["dev", "test", "prod"];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown profile '{0}' (expected one of: dev, test, prod)")]
    UnknownProfile(String),
    #[error("config file {0} not found")]
    MissingFile(PathBuf),
    /// A value that does not fit its setting, rendered with the key and where it came from.
    #[error("{message}")]
    Parse { message: String, from_flag: bool },
    #[error("{key}: {message} (from {source_name})")]
    Invalid {
        key: &'static str,
        message: String,
        source_name: String,
    },
}

impl ConfigError {
    /// Whether a command-line flag gave the bad value (a usage error rather than a bad setup).
    pub fn from_flag(&self) -> bool {
        match self {
            ConfigError::Parse { from_flag, .. } => *from_flag,
            ConfigError::Invalid { source_name, .. } => source_name.starts_with(FLAG_NAME),
            _ => false,
        }
    }
}

const FLAG_NAME: &str = "command-line flag";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub rate_limit: RateLimitConfig,
    pub database: DatabaseConfig,
    pub auth: AuthConfig,
    pub realtime: RealtimeConfig,
    pub connections: ConnectionsConfig,
    pub bootstrap: BootstrapConfig,
    pub storage: StorageConfig,
    pub log: LogConfig,
    pub webhooks: WebhooksConfig,
    pub metrics: MetricsConfig,
    pub retention: RetentionConfig,
    #[serde(default)]
    pub mail: MailConfig,
    pub cluster: ClusterConfig,
    /// GeoIP database for the visitor's country and city (absent: not shown).
    #[serde(default)]
    pub geoip: GeoipConfig,
    /// The profile these settings were loaded for (set by the loader, not by files).
    #[serde(default)]
    pub profile: String,
}

/// Where to load from and what the command line overrides.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    pub profile: Option<String>,
    pub config_dir: Option<PathBuf>,
    pub config_file: Option<PathBuf>,
    /// Values given by command-line flags, applied last.
    pub overrides: Vec<Override>,
}

/// One setting given on the command line.
#[derive(Debug, Clone)]
pub struct Override {
    /// The dotted key, e.g. `server.bind`.
    pub key: &'static str,
    /// The flag as the user typed it, e.g. `--bind`.
    pub flag: &'static str,
    pub value: String,
}

impl Config {
    pub fn load(sources: &Sources) -> Result<Config, ConfigError> {
        let profile = sources.profile.clone().unwrap_or_else(|| "dev".to_string());
        if !PROFILES.contains(&profile.as_str()) {
            return Err(ConfigError::UnknownProfile(profile));
        }
        let dir = sources
            .config_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("config"));

        let mut figment = Figment::new()
            .merge(layer(&dir, "default"))
            .merge(layer(&dir, &profile));
        if let Some(file) = &sources.config_file {
            if !file.is_file() {
                return Err(ConfigError::MissingFile(file.clone()));
            }
            figment = figment.merge(Named::new(
                Toml::file(file),
                format!("file {}", file.display()),
            ));
        }
        figment = figment.merge(Named::env(Env::prefixed(ENV_PREFIX).split("__")));
        for o in &sources.overrides {
            figment = figment.merge(Named::new(
                Serialized::default(o.key, &o.value),
                format!("{FLAG_NAME} {}", o.flag),
            ));
        }
        figment = figment.merge(Serialized::default("profile", &profile));

        let config: Config = figment.extract().map_err(|e| ConfigError::Parse {
            message: origin::render(&e),
            from_flag: e
                .clone()
                .into_iter()
                .any(|e| e.metadata.is_some_and(|md| md.name.starts_with(FLAG_NAME))),
        })?;
        config.validate(&figment)?;
        Ok(config)
    }

    fn validate(&self, figment: &Figment) -> Result<(), ConfigError> {
        let invalid = |key: &'static str, message: String| ConfigError::Invalid {
            key,
            message,
            source_name: source_of(figment, key),
        };
        if self.server.bind.parse::<SocketAddr>().is_err() {
            return Err(invalid(
                "server.bind",
                format!(
                    "'{}' is not an address like 127.0.0.1:8080",
                    self.server.bind
                ),
            ));
        }
        let url = &self.server.public_url;
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            return Err(invalid(
                "server.public_url",
                format!("'{url}' must start with http:// or https://"),
            ));
        }
        if self.server.header_read_timeout_secs == 0 {
            return Err(invalid(
                "server.header_read_timeout_secs",
                "must be above 0".into(),
            ));
        }
        if self.server.body_limit_bytes < 1024 {
            return Err(invalid(
                "server.body_limit_bytes",
                "must be at least 1024".into(),
            ));
        }
        if self.rate_limit.enabled
            && (self.rate_limit.per_second == 0 || self.rate_limit.burst == 0)
        {
            return Err(invalid(
                "rate_limit.per_second",
                "per_second and burst must be above 0 when rate limiting is enabled".into(),
            ));
        }
        if crate::store::Backend::from_url(&self.database.url).is_none() {
            return Err(invalid(
                "database.url",
                format!(
                    "unsupported scheme in '{}' (expected sqlite://, postgres:// or mysql://)",
                    mask_url(&self.database.url)
                ),
            ));
        }
        if self.database.max_connections == 0 {
            return Err(invalid(
                "database.max_connections",
                "must be above 0".into(),
            ));
        }
        self.validate_secrets(&invalid)?;
        if self.auth.access_token_ttl_secs == 0 || self.auth.refresh_token_ttl_secs == 0 {
            return Err(invalid(
                "auth.access_token_ttl_secs",
                "token lifetimes must be above 0".into(),
            ));
        }
        if self.auth.one_time_password_ttl_secs == 0 {
            return Err(invalid(
                "auth.one_time_password_ttl_secs",
                "must be above 0".into(),
            ));
        }
        if self.auth.login_per_minute_account == 0 || self.auth.login_per_minute_ip == 0 {
            return Err(invalid(
                "auth.login_per_minute_account",
                "login limits must be above 0".into(),
            ));
        }
        let rt = &self.realtime;
        if rt.heartbeat_secs == 0 || rt.idle_timeout_secs <= rt.heartbeat_secs {
            return Err(invalid(
                "realtime.idle_timeout_secs",
                "heartbeat_secs must be above 0 and idle_timeout_secs above heartbeat_secs".into(),
            ));
        }
        if rt.max_frame_bytes < 1024
            || rt.outbound_queue == 0
            || rt.agent_outbound_queue == 0
            || rt.writer_batch == 0
        {
            return Err(invalid(
                "realtime.max_frame_bytes",
                "max_frame_bytes must be at least 1024, outbound_queue, agent_outbound_queue and writer_batch above 0"
                    .into(),
            ));
        }
        if rt.frames_per_second == 0 || rt.frame_burst == 0 || rt.max_message_chars == 0 {
            return Err(invalid(
                "realtime.frames_per_second",
                "frames_per_second, frame_burst and max_message_chars must be above 0".into(),
            ));
        }
        if let Some((key, message)) = self.webhooks.problem() {
            return Err(invalid(key, message.into()));
        }
        if let Some((key, message)) = self.metrics.problem() {
            return Err(invalid(key, message.into()));
        }
        if let Some((key, message)) = self.retention.problem() {
            return Err(invalid(key, message.into()));
        }
        if let Some((key, message)) = self.mail.problem() {
            return Err(invalid(key, message.into()));
        }
        if let Some((key, message)) = self.cluster.problem() {
            return Err(invalid(key, message));
        }
        if self.cluster.enabled()
            && crate::store::Backend::from_url(&self.database.url)
                == Some(crate::store::Backend::Sqlite)
        {
            return Err(invalid(
                "cluster.redis_url",
                "cluster mode needs PostgreSQL or MySQL: SQLite cannot be shared by several nodes \
                 (set database.url to a postgres:// or mysql:// URL, or leave cluster.redis_url empty)"
                    .into(),
            ));
        }
        if let Some((key, message)) = self.storage.problem() {
            return Err(invalid(key, message));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err(invalid(
                "log.level",
                format!("'{}' is not a valid tracing filter", self.log.level),
            ));
        }
        Ok(())
    }

    pub fn bind_addr(&self) -> SocketAddr {
        // validate() has checked that it parses; fall back to the documented default otherwise.
        self.server
            .bind
            .parse()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080)))
    }

    /// The URL browsers use to reach this server, without a trailing slash.
    pub fn public_url(&self) -> String {
        if !self.server.public_url.is_empty() {
            return self.server.public_url.trim_end_matches('/').to_string();
        }
        let addr = self.bind_addr();
        let host = if addr.ip().is_unspecified() {
            "localhost".to_string()
        } else {
            addr.ip().to_string()
        };
        format!("http://{host}:{}", addr.port())
    }

    /// The effective settings as TOML with every secret masked.
    pub fn to_masked_toml(&self) -> String {
        let mut masked = self.clone();
        masked.auth.jwt_secret = "********".into();
        if !masked.auth.secret_key.is_empty() {
            masked.auth.secret_key = "********".into();
        }
        masked.database.url = mask_url(&masked.database.url);
        masked.cluster.redis_url = mask_url(&masked.cluster.redis_url);
        if !masked.storage.s3_secret_access_key.is_empty() {
            masked.storage.s3_secret_access_key = "********".into();
        }
        if !masked.bootstrap.password.is_empty() {
            masked.bootstrap.password = "********".into();
        }
        toml::to_string_pretty(&masked).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
}

fn layer(dir: &Path, name: &str) -> Figment {
    let path = dir.join(format!("{name}.toml"));
    if path.is_file() {
        let label = format!("file {}", path.display());
        return Figment::from(Named::new(Toml::file(path), label));
    }
    let embedded = EMBEDDED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .unwrap_or("");
    Figment::from(Named::new(
        Toml::string(embedded),
        format!("the built-in config/{name}.toml"),
    ))
}

/// Replaces the password in a database URL with asterisks.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:********@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords_in_urls() {
        assert_eq!(
            mask_url("postgres://u:secret@db/x"),
            "postgres://u:********@db/x"
        );
        assert_eq!(mask_url("sqlite://data/x.db"), "sqlite://data/x.db");
        assert_eq!(mask_url("mysql://root@h/x"), "mysql://root@h/x");
    }
}
