//! The real `uniqchat` binary, run as a child process on a free port.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use uniqchat::store::Backend;

use super::db::TestDb;

pub const BIN: &str = env!("CARGO_BIN_EXE_uniqchat");

/// A command line for the binary with the test profile, run in an empty working directory.
pub fn cli(workdir: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(workdir)
        .env_remove("UNIQCHAT_PROFILE")
        .env_remove("UNIQCHAT_CONFIG")
        .env("UNIQCHAT_PROFILE", "test")
        // The repository's config/ directory, so tests read the files users edit.
        .arg("--config-dir")
        .arg(config_dir());
    for (key, _) in std::env::vars() {
        if key.starts_with("UNIQCHAT__") {
            cmd.env_remove(key);
        }
    }
    cmd
}

pub fn config_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config")
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("run uniqchat")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

pub struct TestServer {
    pub child: Child,
    pub base: String,
    pub workdir: tempfile::TempDir,
    /// The database URL the server uses.
    pub database_url: String,
}

/// The backend server tests run on: UNIQCHAT_TEST_BACKEND=sqlite (default), postgres or mysql.
pub fn test_backend() -> Backend {
    match std::env::var("UNIQCHAT_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("mysql") => Backend::MySql,
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("UNIQCHAT_TEST_BACKEND={other}: expected sqlite, postgres or mysql"),
    }
}

/// A fresh database for a server test on the selected backend.
pub async fn fresh_database_url(workdir: &std::path::Path) -> String {
    match test_backend() {
        Backend::Sqlite => format!("sqlite://{}/data/test.db?mode=rwc", workdir.display()),
        backend => {
            let db = TestDb::create(backend).await.unwrap_or_else(|| {
                panic!("UNIQCHAT_TEST_BACKEND asks for {backend:?} but its URL is not set")
            });
            // Left for .ci/run to sweep: a server may still hold connections when the test ends.
            db.url.clone()
        }
    }
}

impl TestServer {
    /// Starts `uniqchat serve` on SQLite in a temp dir with extra environment, and waits until
    /// /healthz answers.
    pub async fn start(env: &[(&str, &str)]) -> TestServer {
        let workdir = tempfile::tempdir().expect("tempdir");
        let url = fresh_database_url(workdir.path()).await;
        let mut all: Vec<(&str, &str)> = vec![("UNIQCHAT__DATABASE__URL", url.as_str())];
        all.extend_from_slice(env);
        Self::start_in(workdir, &all).await
    }

    /// Like `start`, on a port chosen by the caller (e.g. to put it in `server.public_url`).
    pub async fn start_on(port: u16, env: &[(&str, &str)]) -> TestServer {
        let workdir = tempfile::tempdir().expect("tempdir");
        let url = fresh_database_url(workdir.path()).await;
        let mut all: Vec<(&str, &str)> = vec![("UNIQCHAT__DATABASE__URL", url.as_str())];
        all.extend_from_slice(env);
        Self::start_in_on(workdir, &all, port).await
    }

    pub async fn start_in(workdir: tempfile::TempDir, env: &[(&str, &str)]) -> TestServer {
        Self::start_in_on(workdir, env, free_port()).await
    }

    pub async fn start_in_on(
        workdir: tempfile::TempDir,
        env: &[(&str, &str)],
        port: u16,
    ) -> TestServer {
        let mut cmd = cli(workdir.path());
        cmd.arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        // Files, not pipes: a pipe nobody reads would block the server once it fills.
        let stdout = std::fs::File::create(workdir.path().join("stdout.log")).expect("stdout file");
        let stderr = std::fs::File::create(workdir.path().join("stderr.log")).expect("stderr file");
        let child = cmd
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("spawn uniqchat serve");
        let database_url = env
            .iter()
            .find(|(k, _)| *k == "UNIQCHAT__DATABASE__URL")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        let mut server = TestServer {
            child,
            base: format!("http://127.0.0.1:{port}"),
            workdir,
            database_url,
        };
        server.wait_healthy().await;
        server
    }

    async fn wait_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = reqwest::Client::new();
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("server exited early with {status}: {}", self.stderr());
            }
            if let Ok(r) = client.get(format!("{}/healthz", self.base)).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server did not become healthy in 30 s");
    }

    pub fn stdout(&self) -> String {
        std::fs::read_to_string(self.workdir.path().join("stdout.log")).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.workdir.path().join("stderr.log")).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(ok.success());
        self.terminate_wait()
    }

    /// Waits for the process to exit after a signal was sent.
    pub fn terminate_wait(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit within 30 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
