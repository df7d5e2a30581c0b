//! A real OpenID provider for the single sign-on tests (tests/oidc/provider.mjs, the
//! `oidc-provider` npm package) and a minimal browser: cookies kept, redirects by hand.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::Method;
use serde_json::Value;

/// The provider process; killed when dropped.
pub struct OidcProvider {
    child: Child,
    pub issuer: String,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn oidc_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Installs the provider's packages (`npm ci` in tests/oidc) once, if they are not there yet.
fn install_provider() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        if oidc_dir().join("node_modules/oidc-provider").is_dir() {
            return;
        }
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(oidc_dir())
            .status()
            .expect("the single sign-on tests need Node.js and npm");
        assert!(status.success(), "npm ci in tests/oidc: {status}");
    });
}

/// Starts the provider with `config` (clients and accounts, see provider.mjs).
pub fn start_provider(config: &Value) -> OidcProvider {
    install_provider();
    let mut child = Command::new("node")
        .arg("provider.mjs")
        .arg(config.to_string())
        .current_dir(oidc_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start node tests/oidc/provider.mjs");
    let stdout = child.stdout.take().expect("provider stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("provider output");
    // Keep reading: the provider logs notices to stdout, and a closed pipe would stop it.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let issuer = line
        .trim()
        .strip_prefix("READY ")
        .unwrap_or_else(|| panic!("provider did not start: {line:?}"))
        .to_string();
    OidcProvider { child, issuer }
}

/// A browser: cookies by name (every server here is 127.0.0.1), redirects by hand.
pub struct Browser {
    http: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    pub async fn send(
        &mut self,
        method: Method,
        url: &str,
        form: Option<&[(&str, &str)]>,
    ) -> reqwest::Response {
        let mut req = self.http.request(method, url);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header(COOKIE, jar.join("; "));
        }
        if let Some(form) = form {
            req = req.form(form);
        }
        let resp = req.send().await.expect("request");
        for v in resp.headers().get_all(SET_COOKIE) {
            let pair = v.to_str().unwrap().split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        resp
    }
}

/// Where one sign-in ended: the app URL the callback sent the browser to, and the callback
/// URL itself (to replay it).
pub struct Ended {
    pub location: String,
    pub callback: String,
}

impl Ended {
    pub fn fragment(&self) -> HashMap<String, String> {
        let (_, fragment) = self.location.split_once('#').expect("a fragment");
        url::form_urlencoded::parse(fragment.as_bytes())
            .into_owned()
            .collect()
    }

    pub fn code(&self) -> String {
        let f = self.fragment();
        assert!(
            self.location.starts_with("/agent#sso="),
            "{}",
            self.location
        );
        f["sso"].clone()
    }

    pub fn error(&self) -> (String, String) {
        let f = self.fragment();
        let code = f
            .get("sso_error")
            .unwrap_or_else(|| panic!("no error in {}", self.location));
        (code.clone(), f["sso_message"].clone())
    }
}
