//! Several real server processes on one shared database and one Redis, for tests/cluster.rs.
//!
//! Needs PostgreSQL (UNIQCHAT_TEST_POSTGRES_URL, or MySQL) and Redis (REDIS_URL, as .ci/run
//! exports it). Without them the tests are skipped on a developer machine and fail in CI.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use uniqchat::store::Backend;

use super::api::API_ENV;
use super::db::TestDb;
use super::server::{free_port, TestServer};

pub const REDIS_ENV: &str = "REDIS_URL";

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The Redis the tests share, or None when this run should skip them.
pub fn redis_url() -> Option<String> {
    match std::env::var(REDIS_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if in_ci() => panic!("{REDIS_ENV} is not set: CI must run the cluster tests"),
        _ => {
            eprintln!("skipped: {REDIS_ENV} is not set (cluster tests need Redis)");
            None
        }
    }
}

/// The settings every node of one test's cluster shares; each test its own key prefix.
pub struct ClusterEnv {
    pub database_url: String,
    pub redis_url: String,
    pub prefix: String,
    pub extra: Vec<(String, String)>,
}

impl ClusterEnv {
    /// A fresh database on `backend` and a fresh prefix on the shared Redis; None: skipped.
    pub async fn new(backend: Backend) -> Option<ClusterEnv> {
        let redis_url = redis_url()?;
        let db = TestDb::create(backend).await?;
        Some(ClusterEnv {
            database_url: db.url.clone(),
            redis_url,
            prefix: format!(
                "uct-{}",
                uniqchat::types::ids::random_token(10).to_lowercase()
            ),
            extra: Vec::new(),
        })
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.extra.push((key.to_string(), value.to_string()));
    }

    /// Starts one more node and waits until it answers.
    pub async fn node(&self) -> TestServer {
        self.node_at(free_port()).await
    }

    /// Starts a node on `port` (again, after a stop) and waits until it answers.
    pub async fn node_at(&self, port: u16) -> TestServer {
        let mut env: Vec<(&str, &str)> = API_ENV.to_vec();
        let fixed = [
            ("UNIQCHAT__DATABASE__URL", self.database_url.as_str()),
            ("UNIQCHAT__CLUSTER__REDIS_URL", self.redis_url.as_str()),
            ("UNIQCHAT__CLUSTER__PREFIX", self.prefix.as_str()),
            ("UNIQCHAT__CLUSTER__HEARTBEAT_MS", "200"),
            ("UNIQCHAT__CLUSTER__PRESENCE_TTL_MS", "1500"),
            ("UNIQCHAT__CLUSTER__LEASE_TTL_MS", "1500"),
            // Every node must sign and check the same tokens.
            (
                "UNIQCHAT__AUTH__JWT_SECRET",
                "cluster-test-jwt-secret-0123456789abcdef0123456789",
            ),
            (
                "UNIQCHAT__AUTH__SECRET_KEY",
                "cluster-test-sealing-key-0123456789abcdef012345678",
            ),
        ];
        env.extend_from_slice(&fixed);
        for (k, v) in &self.extra {
            env.push((k.as_str(), v.as_str()));
        }
        let workdir = tempfile::tempdir().expect("tempdir");
        TestServer::start_in_on(workdir, &env, port).await
    }
}

/// A `redis-server` of the test's own, on a free port, that the test may kill and restart.
pub struct OwnRedis {
    pub port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    /// None (skipped) when redis-server is not installed outside CI.
    pub fn start() -> Option<OwnRedis> {
        let mut r = OwnRedis {
            port: free_port(),
            child: None,
        };
        if !r.restart() {
            assert!(
                !in_ci(),
                "redis-server is not installed: CI must run this test"
            );
            eprintln!("skipped: redis-server is not installed");
            return None;
        }
        Some(r)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts it (again) on its port and waits until it accepts connections.
    pub fn restart(&mut self) -> bool {
        let Ok(child) = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        else {
            return false;
        };
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    /// kill -9: gone at once, as when the machine under it dies.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// HAProxy in front of the nodes, as deploy/haproxy.cfg but on free loopback ports with fast
/// health checks; None (skipped) when haproxy is not installed outside CI.
pub struct Haproxy {
    pub base: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Haproxy {
    /// Balances over `nodes` (their `http://127.0.0.1:port` bases), checking `/readyz`.
    pub fn start(nodes: &[&str]) -> Option<Haproxy> {
        let port = free_port();
        let servers: String = nodes
            .iter()
            .enumerate()
            .map(|(i, base)| {
                let addr = base.trim_start_matches("http://");
                format!("    server n{i} {addr} check\n")
            })
            .collect();
        let config = [
            "global",
            "    maxconn 4096",
            "defaults",
            "    mode http",
            "    timeout connect 1s",
            "    timeout client 30s",
            "    timeout server 30s",
            "    timeout tunnel 1h",
            "    timeout client-fin 1s",
            "    retries 3",
            "    option redispatch",
            "frontend web",
            &format!("    bind 127.0.0.1:{port}"),
            "    default_backend nodes",
            "backend nodes",
            "    balance roundrobin",
            "    option httpchk GET /readyz",
            "    http-check expect status 200",
            "    default-server inter 100ms fall 2 rise 2",
            &servers,
        ]
        .join("\n");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("haproxy.cfg");
        std::fs::write(&path, config).expect("write haproxy.cfg");
        let spawned = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(child) = spawned else {
            assert!(!in_ci(), "haproxy is not installed: CI must run this test");
            eprintln!("skipped: haproxy is not installed");
            return None;
        };
        let mut proxy = Haproxy {
            base: format!("http://127.0.0.1:{port}"),
            child,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = proxy.child.try_wait() {
                panic!("haproxy exited with {status}");
            }
            assert!(Instant::now() < deadline, "haproxy did not listen in time");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(proxy)
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
