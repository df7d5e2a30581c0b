//! The command line of `uniqchat bench`, and its checks before anything is contacted.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use clap::{Args, ValueEnum};
use reqwest::Url;

use crate::cli::CliError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// Open visitor connections and hold them; reports server memory per connection
    Idle,
    /// Visitors write to agents at --rate messages per second (or --max); reports throughput and latency
    Chat,
    /// Visitors reconnect at --connect-rate per second (connect, greeting, close)
    Storm,
    /// `POST /api/visitor/session` as fast as --visitors concurrent clients can
    Http,
}

/// How connections are spread over several `--url`s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Spread {
    /// Visitor i and agent i on URL i mod n
    RoundRobin,
    /// Visitors on the first URL, agents round-robin on the others
    Split,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// What to measure
    #[arg(value_enum)]
    pub scenario: Scenario,
    /// The server to drive, e.g. http://127.0.0.1:8080; nothing else is ever contacted.
    /// Chat: repeat it for the nodes of a cluster (--spread says who goes where; accounts,
    /// look-ups and the read-back use the first)
    #[arg(long = "url", required = true)]
    pub urls: Vec<String>,
    /// Chat with several --url: `round-robin` puts visitor i and agent i on URL i mod n;
    /// `split` puts every visitor on the first URL and the agents round-robin on the others
    /// (visitors on one node, agents on another)
    #[arg(long, value_enum, default_value_t = Spread::RoundRobin)]
    pub spread: Spread,
    /// An owner or admin of the tenant to use (chat creates its agents with it)
    #[arg(long, env = "UNIQCHAT_BENCH_EMAIL")]
    pub email: Option<String>,
    #[arg(long, env = "UNIQCHAT_BENCH_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// The tenant's site key (default: the tenant of --email)
    #[arg(long)]
    pub site_key: Option<String>,
    /// Visitor connections (chat, idle, storm's pool) or concurrent clients (http)
    #[arg(long, default_value_t = 100)]
    pub visitors: u32,
    /// Agent connections (chat); each takes up to 100 conversations
    #[arg(long, default_value_t = 2)]
    pub agents: u32,
    /// New connections per second while setting up, and the storm's target
    #[arg(long, default_value_t = 1000)]
    pub connect_rate: u32,
    /// Chat: messages per second from all visitors together
    #[arg(long, default_value_t = 1000)]
    pub rate: u32,
    /// Chat: every visitor sends as soon as an ack returns (keeping --window in flight), to find
    /// the highest sustainable rate
    #[arg(long)]
    pub max: bool,
    /// Chat with --max: messages each visitor keeps in flight
    #[arg(long, default_value_t = 4)]
    pub window: u32,
    /// Seconds the measured phase lasts; the run stops by itself after it
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Loopback source addresses to spread connections over (127.0.0.2, 127.0.0.3, …), so more
    /// than one address's ephemeral ports are used; 0 lets the system choose
    #[arg(long, default_value_t = 4)]
    pub sources: u8,
    /// A process to measure, repeatable: the server first (its memory is reported too), then
    /// any other (PostgreSQL's backends, Redis); their CPU is reported each and summed
    #[arg(long = "pid")]
    pub pids: Vec<u32>,
    /// Chat: seconds to wait after the measured phase for acks and deliveries still on their
    /// way; what has not come by then is missing
    #[arg(long, default_value_t = 10)]
    pub drain: u64,
    /// Chat: begin the measured phase at this Unix time (seconds) once set up, so that several
    /// bench processes (e.g. on several machines) measure the same seconds and their rates add up
    #[arg(long)]
    pub start_at: Option<u64>,
    /// Chat: when the server closes a connection (1001 going away, 4012) or it is reset, the
    /// client reconnects to the same --url, resumes and sends its unacknowledged messages
    /// again; this many tries per loss, with a backoff from 0.1 s doubling up to 2 s (0: a lost
    /// connection ends its client, counted under errors)
    #[arg(long, default_value_t = 30)]
    pub reconnect_tries: u32,
    /// Chat: conversations to read back over the REST API after the run and compare with what
    /// was acked (0: none)
    #[arg(long, default_value_t = 20)]
    pub verify: u32,
    /// Print the report as JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

/// The checked plan of a run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub scenario: Scenario,
    /// Every `--url`. The first serves accounts, look-ups, the read-back, and every
    /// connection of the scenarios other than chat.
    pub bases: Vec<Url>,
    pub spread: Spread,
    pub credentials: Option<(String, String)>,
    pub site_key: Option<String>,
    pub visitors: usize,
    pub agents: usize,
    pub connect_rate: u32,
    pub rate: u32,
    pub max: bool,
    pub window: usize,
    pub duration: Duration,
    /// Local addresses to bind client sockets to; empty: the system chooses.
    pub sources: Vec<IpAddr>,
    /// `--pid`: the server first.
    pub pids: Vec<u32>,
    pub drain: Duration,
    pub start_at: Option<u64>,
    pub verify: usize,
    /// Tries to reconnect after a lost connection (0: none).
    pub reconnect_tries: u32,
    pub json: bool,
}

/// Conversations one agent takes at most (the server's limit for `max_chats`).
pub const AGENT_MAX_CHATS: usize = 100;

fn usage(msg: impl Into<String>) -> CliError {
    CliError::Usage(msg.into())
}

impl BenchArgs {
    pub fn plan(self) -> Result<Plan, CliError> {
        let bases = self
            .urls
            .iter()
            .map(|u| parse_url(u))
            .collect::<Result<Vec<Url>, CliError>>()?;
        if bases.is_empty() {
            return Err(usage("--url: give the server's address"));
        }
        if bases.len() > 1 && self.scenario != Scenario::Chat {
            return Err(usage(
                "several --url: only the chat scenario spreads over nodes",
            ));
        }
        if self.spread == Spread::Split && bases.len() < 2 {
            return Err(usage(
                "--spread split: give two --url or more (visitors on the first, agents on the others)",
            ));
        }
        if !(1..=3600).contains(&self.duration) {
            return Err(usage("--duration: 1 to 3600 seconds"));
        }
        if self.visitors == 0 {
            return Err(usage("--visitors: at least 1"));
        }
        if self.connect_rate == 0 || self.rate == 0 {
            return Err(usage("--connect-rate and --rate: at least 1 per second"));
        }
        if !(1..=600).contains(&self.drain) {
            return Err(usage("--drain: 1 to 600 seconds"));
        }
        if self.reconnect_tries > 1000 {
            return Err(usage("--reconnect-tries: 0 to 1000"));
        }
        if !(1..=1024).contains(&self.window) {
            return Err(usage("--window: 1 to 1024"));
        }
        let credentials = match (self.email, self.password) {
            (Some(e), Some(p)) => Some((e, p)),
            (None, None) => None,
            _ => return Err(usage("--email and --password go together")),
        };
        let visitors = self.visitors as usize;
        let agents = self.agents as usize;
        if self.scenario == Scenario::Chat {
            if credentials.is_none() {
                return Err(usage(
                    "chat needs --email and --password of an owner or admin (to create its agents)",
                ));
            }
            if agents == 0 || visitors > agents * AGENT_MAX_CHATS {
                return Err(usage(format!(
                    "chat: {visitors} visitors need at least {} agents (each takes up to {AGENT_MAX_CHATS})",
                    visitors.div_ceil(AGENT_MAX_CHATS)
                )));
            }
        }
        if credentials.is_none() && self.site_key.is_none() {
            return Err(usage(
                "give --site-key, or --email and --password to look it up",
            ));
        }
        let sources = if self.sources > 0 && bases.iter().all(is_loopback) {
            (0..self.sources.min(250))
                .map(|i| IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + i)))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Plan {
            scenario: self.scenario,
            bases,
            spread: self.spread,
            credentials,
            site_key: self.site_key,
            visitors,
            agents,
            connect_rate: self.connect_rate,
            rate: self.rate,
            max: self.max,
            window: self.window as usize,
            duration: Duration::from_secs(self.duration),
            sources,
            pids: self.pids,
            drain: Duration::from_secs(self.drain),
            start_at: self.start_at,
            verify: self.verify as usize,
            reconnect_tries: self.reconnect_tries,
            json: self.json,
        })
    }
}

fn parse_url(url: &str) -> Result<Url, CliError> {
    let base = Url::parse(url).map_err(|e| usage(format!("--url {url}: {e}")))?;
    if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
        return Err(usage(format!(
            "--url {url}: give the server's http:// or https:// address"
        )));
    }
    Ok(base)
}

impl Plan {
    /// Which `--url` (index into `bases`) visitor `i` connects to.
    pub fn visitor_node(&self, i: usize) -> usize {
        match self.spread {
            Spread::RoundRobin => i % self.bases.len(),
            Spread::Split => 0,
        }
    }

    /// Which `--url` agent `i` connects to.
    pub fn agent_node(&self, i: usize) -> usize {
        match self.spread {
            Spread::RoundRobin => i % self.bases.len(),
            Spread::Split => 1 + i % (self.bases.len() - 1).max(1),
        }
    }
}

/// Extra source addresses only exist on the loopback interface.
fn is_loopback(url: &Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}
