//! moto's S3-compatible server on a free port (installed by scripts/moto.sh), with the
//! bucket `uniqchat-files` made, killed when dropped.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::server::free_port;

pub const BUCKET: &str = "uniqchat-files";

pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// The server settings that point file storage at this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("UNIQCHAT__STORAGE__KIND", "s3".into()),
            ("UNIQCHAT__STORAGE__S3_BUCKET", BUCKET.into()),
            ("UNIQCHAT__STORAGE__S3_ENDPOINT", self.endpoint.clone()),
            ("UNIQCHAT__STORAGE__S3_ACCESS_KEY_ID", "testing".into()),
            ("UNIQCHAT__STORAGE__S3_SECRET_ACCESS_KEY", "testing".into()),
            ("UNIQCHAT__STORAGE__S3_ALLOW_HTTP", "true".into()),
        ]
    }

    /// The keys in the bucket (one listing page, enough for a test).
    pub async fn keys(&self) -> String {
        reqwest::get(format!("{}/{BUCKET}?list-type=2", self.endpoint))
            .await
            .expect("list moto's bucket")
            .text()
            .await
            .expect("listing body")
    }
}

/// The `moto_server` command, installed once per test process.
fn moto_bin() -> String {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let root = env!("CARGO_MANIFEST_DIR");
        let out = Command::new(format!("{root}/scripts/moto.sh"))
            .output()
            .expect("scripts/moto.sh");
        assert!(
            out.status.success(),
            "moto.sh: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    })
    .clone()
}

pub async fn start() -> Moto {
    let port = free_port();
    let child = Command::new(moto_bin())
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    // Creating the bucket is also the sign that the server is up.
    loop {
        if let Ok(r) = client
            .put(format!("{}/{BUCKET}", moto.endpoint))
            .send()
            .await
        {
            assert!(r.status().is_success(), "create bucket: {}", r.status());
            break;
        }
        assert!(Instant::now() < deadline, "moto did not start in 60 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    moto
}
