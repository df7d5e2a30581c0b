//! The browser tests (tests/e2e/*.test.mjs): the widget, the agent workspace and the admin
//! console driven in headless Chromium by Playwright, against the real server binary.
//!
//! They need Node.js, `npm ci` in tests/e2e and Debian's chromium; `.ci/run` installs them. On a
//! machine without them this test says so and passes, except under `CI=true`, where a missing
//! piece fails the run.

use std::path::Path;
use std::process::Command;

#[test]
fn browser_end_to_end() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing: Vec<&str> = [
        (
            Command::new("node").arg("--version").output().is_err(),
            "node",
        ),
        (
            !dir.join("node_modules/playwright-core").exists(),
            "tests/e2e/node_modules (npm ci)",
        ),
        (
            !dir.join("../oidc/node_modules/oidc-provider").exists(),
            "tests/oidc/node_modules (npm ci)",
        ),
        (!Path::new(&chromium).exists(), "chromium"),
    ]
    .into_iter()
    .filter_map(|(absent, what)| absent.then_some(what))
    .collect();
    if !missing.is_empty() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "browser tests cannot run, missing: {missing:?}"
        );
        eprintln!("browser tests skipped, missing: {missing:?} (see .ci/run)");
        return;
    }
    let status = Command::new("node")
        .args(["--test", "--test-concurrency=1", "."])
        .current_dir(&dir)
        .env("UNIQCHAT_BIN", env!("CARGO_BIN_EXE_uniqchat"))
        .env("CHROMIUM_PATH", &chromium)
        .status()
        .expect("run node --test");
    assert!(status.success(), "browser tests failed: {status}");
}
