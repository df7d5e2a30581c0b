//! moto's S3-compatible server (installed from PyPI by scripts/moto.sh), started on a free port
//! by a test and killed when dropped; and a World whose files go to it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::api::World;
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

/// The `moto_server` command, installed by scripts/moto.sh once per test process (the tests
/// of one binary run in parallel and must not install into the same venv at once).
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

/// A running moto with the bucket created.
pub async fn start_moto() -> Moto {
    let bin = moto_bin();
    let port = free_port();
    let child = Command::new(&bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let endpoint = format!("http://127.0.0.1:{port}");
    let moto = Moto { child, endpoint };
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

/// The settings that point a server's storage at `moto`.
pub fn s3_env(moto: &Moto) -> Vec<(&'static str, String)> {
    vec![
        ("UNIQCHAT__STORAGE__KIND", "s3".into()),
        ("UNIQCHAT__STORAGE__S3_BUCKET", BUCKET.into()),
        ("UNIQCHAT__STORAGE__S3_ENDPOINT", moto.endpoint.clone()),
        ("UNIQCHAT__STORAGE__S3_ACCESS_KEY_ID", "testing".into()),
        ("UNIQCHAT__STORAGE__S3_SECRET_ACCESS_KEY", "testing".into()),
        ("UNIQCHAT__STORAGE__S3_ALLOW_HTTP", "true".into()),
    ]
}

/// A World whose files go to `moto`, with `extra` settings.
pub async fn s3_world(moto: &Moto, extra: &[(&str, &str)]) -> World {
    let owned = s3_env(moto);
    let mut env: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend_from_slice(extra);
    World::with_env(&env).await
}

/// Every key in the bucket (moto answers one page of up to 1000, plenty for a test).
pub async fn keys(moto: &Moto) -> Vec<String> {
    let listing = reqwest::get(format!("{}/{BUCKET}?list-type=2", moto.endpoint))
        .await
        .expect("list the bucket")
        .text()
        .await
        .expect("listing");
    listing
        .split("<Key>")
        .skip(1)
        .filter_map(|k| k.split("</Key>").next())
        .map(str::to_string)
        .collect()
}

/// Puts an object straight into the bucket (e.g. an archive the server did not write).
pub async fn put(moto: &Moto, key: &str, bytes: &[u8]) {
    let r = reqwest::Client::new()
        .put(format!("{}/{BUCKET}/{key}", moto.endpoint))
        .body(bytes.to_vec())
        .send()
        .await
        .expect("put an object");
    assert!(r.status().is_success(), "put {key}: {}", r.status());
}
