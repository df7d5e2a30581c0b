//! Every command of the binary, its output and its exit codes (0 ok, 2 usage, 1 runtime).

mod common;

use std::path::Path;
use std::process::Output;

use common::server::{cli, free_port, run};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code and, for failures, a single line on stderr that contains `needle`.
fn assert_fails(out: &Output, code: i32, needle: &str) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr: {err}\nstdout: {}",
        stdout(out)
    );
    assert_eq!(
        err.trim().lines().count(),
        1,
        "one line on stderr, got: {err}"
    );
    assert!(
        err.to_lowercase().contains(&needle.to_lowercase()),
        "stderr should mention {needle:?}: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

fn db_url(dir: &Path) -> String {
    format!("sqlite://{}/data/cli.db?mode=rwc", dir.display())
}

fn uniqchat(dir: &Path, args: &[&str]) -> Output {
    let url = db_url(dir);
    run(cli(dir).arg("--database-url").arg(&url).args(args))
}

#[test]
fn help_and_version_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    let help = run(cli(dir.path()).arg("--help"));
    assert_eq!(help.status.code(), Some(0));
    for cmd in [
        "serve", "migrate", "init", "reset", "user", "config", "archive",
    ] {
        assert!(stdout(&help).contains(cmd), "help lists {cmd}");
    }
    let version = run(cli(dir.path()).arg("--version"));
    assert_eq!(version.status.code(), Some(0));
    assert!(stdout(&version).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    assert_fails(&run(cli(dir.path()).arg("frobnicate")), 2, "frobnicate");
    assert_fails(
        &run(cli(dir.path()).args(["serve", "--no-such-flag"])),
        2,
        "--no-such-flag",
    );
    assert_fails(
        &uniqchat(
            dir.path(),
            &[
                "user",
                "create",
                "--email",
                "a@b.io",
                "--role",
                "king",
                "--password",
                "x",
            ],
        ),
        2,
        "king",
    );
}

#[test]
fn reset_requires_yes() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        uniqchat(
            dir.path(),
            &[
                "init",
                "--tenant",
                "Acme",
                "--email",
                "o@acme.test",
                "--password",
                "secret-pass"
            ]
        )
        .status
        .code(),
        Some(0)
    );
    assert_fails(&uniqchat(dir.path(), &["reset"]), 2, "--yes");
    // Refused: the account is still there.
    assert_fails(
        &uniqchat(
            dir.path(),
            &[
                "user",
                "create",
                "--email",
                "o@acme.test",
                "--password",
                "secret-pass",
            ],
        ),
        1,
        "already exists",
    );

    let out = uniqchat(dir.path(), &["reset", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        uniqchat(
            dir.path(),
            &[
                "init",
                "--tenant",
                "Acme",
                "--email",
                "o@acme.test",
                "--password",
                "secret-pass"
            ]
        )
        .status
        .code(),
        Some(0),
        "data is gone after reset"
    );
}

#[test]
fn migrate_prints_then_applies() {
    let dir = tempfile::tempdir().unwrap();
    let print = uniqchat(dir.path(), &["migrate", "--print"]);
    assert_eq!(print.status.code(), Some(0), "{}", stderr(&print));
    assert!(
        stdout(&print).contains("pending: m0001_initial"),
        "{}",
        stdout(&print)
    );
    let again = uniqchat(dir.path(), &["migrate", "--print"]);
    assert!(
        stdout(&again).contains("pending: m0001_initial"),
        "--print applies nothing"
    );

    let apply = uniqchat(dir.path(), &["migrate"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert!(stdout(&apply).contains("applied: m0001_initial"));
    assert!(
        stdout(&uniqchat(dir.path(), &["migrate", "--print"])).contains("no pending migrations")
    );
    assert!(stdout(&uniqchat(dir.path(), &["migrate"])).contains("up to date"));
}

#[test]
fn init_prints_login_and_snippet_once_per_email() {
    let dir = tempfile::tempdir().unwrap();
    let out = uniqchat(
        dir.path(),
        &[
            "init",
            "--tenant",
            "Acme Shop",
            "--email",
            "Owner@Acme.test",
            "--password",
            "correct horse",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Acme Shop"), "{text}");
    assert!(
        text.contains("owner@acme.test (owner)"),
        "e-mail is normalised: {text}"
    );
    assert!(text.contains("http://127.0.0.1:8080/agent"), "{text}");
    assert!(
        text.contains(r#"<script src="http://127.0.0.1:8080/widget.js" data-site-key="sk_"#),
        "{text}"
    );
    assert!(
        !text.contains("correct horse"),
        "the given password is not echoed"
    );

    // An e-mail is unique per tenant: the same person may own a second tenant.
    let other = uniqchat(
        dir.path(),
        &[
            "init",
            "--tenant",
            "Other",
            "--email",
            "owner@acme.test",
            "--password",
            "another-pass",
            "--json",
        ],
    );
    assert_eq!(other.status.code(), Some(0), "{}", stderr(&other));
    let other: serde_json::Value = serde_json::from_slice(&other.stdout).expect("JSON output");
    // Now the e-mail alone no longer says which account is meant.
    assert_fails(
        &uniqchat(
            dir.path(),
            &[
                "user",
                "passwd",
                "--email",
                "owner@acme.test",
                "--password",
                "third-password",
            ],
        ),
        2,
        "--tenant",
    );
    let passwd = uniqchat(
        dir.path(),
        &[
            "user",
            "passwd",
            "--email",
            "owner@acme.test",
            "--password",
            "third-password",
            "--tenant",
            other["tenant"]["site_key"].as_str().unwrap(),
        ],
    );
    assert_eq!(passwd.status.code(), Some(0), "{}", stderr(&passwd));

    let json = uniqchat(
        dir.path(),
        &[
            "init",
            "--tenant",
            "Globex",
            "--email",
            "boss@globex.test",
            "--password",
            "secret-pass",
            "--json",
        ],
    );
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON output");
    assert_eq!(v["tenant"]["name"], "Globex");
    assert_eq!(v["account"]["role"], "owner");
    let key = v["tenant"]["site_key"].as_str().unwrap();
    assert!(v["widget_snippet"].as_str().unwrap().contains(key));
}

#[test]
fn init_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    assert_fails(
        &uniqchat(
            dir.path(),
            &[
                "init",
                "--tenant",
                "Acme",
                "--email",
                "not-an-email",
                "--password",
                "secret-pass",
            ],
        ),
        2,
        "email",
    );
    assert_fails(
        &uniqchat(
            dir.path(),
            &[
                "init",
                "--tenant",
                "Acme",
                "--email",
                "a@acme.test",
                "--password",
                "short",
            ],
        ),
        2,
        "password",
    );
    assert_fails(
        &uniqchat(
            dir.path(),
            &[
                "init",
                "--tenant",
                "  ",
                "--email",
                "a@acme.test",
                "--password",
                "secret-pass",
            ],
        ),
        2,
        "tenant",
    );
    // No terminal to ask on: the missing flag is named.
    assert_fails(
        &uniqchat(
            dir.path(),
            &["init", "--tenant", "Acme", "--email", "a@acme.test"],
        ),
        2,
        "--password",
    );
    assert_fails(&uniqchat(dir.path(), &["init"]), 2, "--tenant");
}

#[test]
fn user_commands() {
    let dir = tempfile::tempdir().unwrap();
    assert_fails(
        &uniqchat(
            dir.path(),
            &[
                "user",
                "create",
                "--email",
                "ann@acme.test",
                "--password",
                "secret-pass",
            ],
        ),
        1,
        "init",
    );
    uniqchat(
        dir.path(),
        &[
            "init",
            "--tenant",
            "Acme",
            "--email",
            "o@acme.test",
            "--password",
            "secret-pass",
        ],
    );

    let created = uniqchat(
        dir.path(),
        &[
            "user",
            "create",
            "--email",
            "ann@acme.test",
            "--name",
            "Ann",
            "--role",
            "admin",
            "--password",
            "secret-pass",
        ],
    );
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    assert!(stdout(&created).contains("created ann@acme.test (admin) in Acme"));
    assert_fails(
        &uniqchat(
            dir.path(),
            &[
                "user",
                "create",
                "--email",
                "ann@acme.test",
                "--password",
                "secret-pass",
            ],
        ),
        1,
        "already exists",
    );

    let passwd = uniqchat(
        dir.path(),
        &[
            "user",
            "passwd",
            "--email",
            "ann@acme.test",
            "--password",
            "new-secret",
        ],
    );
    assert_eq!(passwd.status.code(), Some(0), "{}", stderr(&passwd));
    assert!(stdout(&passwd).contains("password changed"));
    assert_fails(
        &uniqchat(
            dir.path(),
            &[
                "user",
                "passwd",
                "--email",
                "ann@acme.test",
                "--password",
                "short",
            ],
        ),
        2,
        "password",
    );
    assert_fails(
        &uniqchat(
            dir.path(),
            &[
                "user",
                "passwd",
                "--email",
                "nobody@acme.test",
                "--password",
                "new-secret",
            ],
        ),
        1,
        "not found",
    );

    assert!(stdout(&uniqchat(
        dir.path(),
        &["user", "disable", "--email", "ann@acme.test"]
    ))
    .contains("disabled ann@acme.test"));
    assert!(stdout(&uniqchat(
        dir.path(),
        &["user", "enable", "--email", "ann@acme.test"]
    ))
    .contains("enabled ann@acme.test"));
    assert_fails(
        &uniqchat(
            dir.path(),
            &["user", "disable", "--email", "nobody@acme.test"],
        ),
        1,
        "not found",
    );

    // With two tenants, `create` must be told which.
    uniqchat(
        dir.path(),
        &[
            "init",
            "--tenant",
            "Globex",
            "--email",
            "o@globex.test",
            "--password",
            "secret-pass",
            "--json",
        ],
    );
    assert_fails(
        &uniqchat(
            dir.path(),
            &[
                "user",
                "create",
                "--email",
                "bob@x.test",
                "--password",
                "secret-pass",
            ],
        ),
        2,
        "--tenant",
    );
    assert_fails(
        &uniqchat(
            dir.path(),
            &[
                "user",
                "create",
                "--email",
                "bob@x.test",
                "--password",
                "secret-pass",
                "--tenant",
                "sk_unknown",
            ],
        ),
        1,
        "not found",
    );
}

#[test]
fn config_shows_effective_settings_with_secrets_masked() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(cli(dir.path())
        .arg("config")
        .env(
            "UNIQCHAT__DATABASE__URL",
            "postgres://app:hunter2@db.internal/uniqchat",
        )
        .env(
            "UNIQCHAT__AUTH__JWT_SECRET",
            "a-very-secret-signing-key-of-48-characters-long",
        )
        .env(
            "UNIQCHAT__AUTH__SECRET_KEY",
            "a-very-secret-sealing-key-of-48-characters-long",
        ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("profile: test"), "{text}");
    assert!(
        text.contains("postgres://app:********@db.internal/uniqchat"),
        "{text}"
    );
    assert!(
        !text.contains("hunter2") && !text.contains("a-very-secret"),
        "{text}"
    );
    let parsed: toml::Value = toml::from_str(text.split_once('\n').unwrap().1).expect("TOML");
    assert_eq!(parsed["server"]["bind"].as_str(), Some("127.0.0.1:8080"));
}

fn effective(out: &Output) -> toml::Value {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    toml::from_str(stdout(out).split_once('\n').unwrap().1).expect("TOML")
}

#[test]
fn configuration_layers_in_order() {
    let dir = tempfile::tempdir().unwrap();
    // default.toml alone says info; test.toml says warn.
    let v = effective(&run(cli(dir.path()).arg("config")));
    assert_eq!(v["log"]["level"].as_str(), Some("warn"));
    assert_eq!(
        v["server"]["request_timeout_secs"].as_integer(),
        Some(30),
        "from default.toml"
    );

    let file = dir.path().join("extra.toml");
    std::fs::write(&file, "[log]\nlevel = \"debug\"\n[server]\nbind = \"127.0.0.1:9000\"\n[database]\nurl = \"sqlite://from-file.db\"\n").unwrap();
    let v = effective(&run(cli(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("config")));
    assert_eq!(
        v["log"]["level"].as_str(),
        Some("debug"),
        "--config file beats the profile"
    );
    assert_eq!(v["server"]["bind"].as_str(), Some("127.0.0.1:9000"));

    let v = effective(&run(cli(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("config")
        .env("UNIQCHAT__LOG__LEVEL", "trace")
        .env("UNIQCHAT__DATABASE__URL", "sqlite://from-env.db")));
    assert_eq!(
        v["log"]["level"].as_str(),
        Some("trace"),
        "environment beats the file"
    );
    assert_eq!(
        v["server"]["bind"].as_str(),
        Some("127.0.0.1:9000"),
        "untouched keys keep the file's value"
    );
    assert_eq!(v["database"]["url"].as_str(), Some("sqlite://from-env.db"));

    let v = effective(&run(cli(dir.path())
        .arg("--config")
        .arg(&file)
        .args(["--database-url", "sqlite://from-flag.db", "config"])
        .env("UNIQCHAT__DATABASE__URL", "sqlite://from-env.db")));
    assert_eq!(
        v["database"]["url"].as_str(),
        Some("sqlite://from-flag.db"),
        "flags beat the environment"
    );

    let v = effective(&run(cli(dir.path()).args(["--profile", "dev", "config"])));
    assert_eq!(
        v["bootstrap"]["enabled"].as_bool(),
        Some(true),
        "the dev profile bootstraps"
    );
}

#[test]
fn bad_configuration_names_key_and_source() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    std::fs::write(&file, "[server\nbind = ").unwrap();
    assert_fails(
        &run(cli(dir.path()).arg("--config").arg(&file).arg("config")),
        1,
        "broken.toml",
    );

    std::fs::write(&file, "[server]\nbind = \"nonsense\"\n").unwrap();
    let out = run(cli(dir.path()).arg("--config").arg(&file).arg("config"));
    assert_fails(&out, 1, "server.bind");
    assert!(
        stderr(&out).contains("broken.toml"),
        "names the file: {}",
        stderr(&out)
    );

    std::fs::write(&file, "[server]\nbindd = \"127.0.0.1:1\"\n").unwrap();
    assert_fails(
        &run(cli(dir.path()).arg("--config").arg(&file).arg("config")),
        1,
        "bindd",
    );

    let out = run(cli(dir.path())
        .arg("config")
        .env("UNIQCHAT__SERVER__SHUTDOWN_TIMEOUT_SECS", "soon"));
    assert_fails(&out, 1, "shutdown_timeout_secs");

    let out = run(cli(dir.path())
        .arg("config")
        .env("UNIQCHAT__DATABASE__URL", "oracle://db/x"));
    assert_fails(&out, 1, "database.url");
    assert!(
        stderr(&out).contains("environment"),
        "names the source: {}",
        stderr(&out)
    );

    assert_fails(
        &run(cli(dir.path())
            .arg("--config")
            .arg(dir.path().join("missing.toml"))
            .arg("config")),
        1,
        "missing.toml",
    );
    assert_fails(
        &run(cli(dir.path()).args(["--profile", "staging", "config"])),
        1,
        "staging",
    );
}

#[test]
fn prod_refuses_the_shipped_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(cli(dir.path()).args(["--profile", "prod", "config"]));
    assert_fails(&out, 1, "auth.jwt_secret");
    // Every node must share the sealing key too.
    let no_key = run(cli(dir.path()).args(["--profile", "prod", "config"]).env(
        "UNIQCHAT__AUTH__JWT_SECRET",
        "a-production-secret-that-is-long-enough-1234",
    ));
    assert_fails(&no_key, 1, "auth.secret_key");
    let short_key = run(cli(dir.path())
        .args(["--profile", "prod", "config"])
        .env(
            "UNIQCHAT__AUTH__JWT_SECRET",
            "a-production-secret-that-is-long-enough-1234",
        )
        .env("UNIQCHAT__AUTH__SECRET_KEY", "too-short"));
    assert_fails(&short_key, 1, "auth.secret_key");
    let ok = run(cli(dir.path())
        .args(["--profile", "prod", "config"])
        .env(
            "UNIQCHAT__AUTH__JWT_SECRET",
            "a-production-secret-that-is-long-enough-1234",
        )
        .env(
            "UNIQCHAT__AUTH__SECRET_KEY",
            "a-production-sealing-key-that-is-long-enough",
        ));
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let v = effective(&ok);
    assert_eq!(v["log"]["format"].as_str(), Some("json"));
}

#[test]
fn unreachable_database_and_busy_port_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let dead = format!("postgres://nobody@127.0.0.1:{}/nothing", free_port());
    let out = run(cli(dir.path())
        .args(["--database-url", &dead, "migrate"])
        .env("UNIQCHAT__DATABASE__CONNECT_TIMEOUT_SECS", "2"));
    assert_fails(&out, 1, "cannot connect to the database");
    assert!(!stderr(&out).contains("nobody:"), "no secret printed");

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = uniqchat(dir.path(), &["serve", "--bind", &addr]);
    assert_fails(&out, 1, "cannot listen on");
}

/// The binary with the test profile and a config directory of the test's own.
fn cli_with_config_dir(dir: &Path, config_dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(common::server::BIN);
    cmd.current_dir(dir)
        .env("UNIQCHAT_PROFILE", "test")
        .env_remove("UNIQCHAT_CONFIG")
        .arg("--config-dir")
        .arg(config_dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("UNIQCHAT__") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// No figment or Rust internals in what a user reads.
fn assert_no_internals(out: &Output) {
    let err = stderr(out);
    for leak in [
        "src/",
        "alloc::",
        ".rs:",
        "\"default.",
        "\"test.",
        "TOML source string",
    ] {
        assert!(!err.contains(leak), "leaks {leak:?}: {err}");
    }
}

#[test]
fn a_bad_flag_value_names_the_flag_and_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = uniqchat(dir.path(), &["serve", "--bind", "nonsense"]);
    assert_fails(&out, 2, "server.bind: 'nonsense' is not an address");
    assert!(
        stderr(&out).contains("(from command-line flag --bind)"),
        "{}",
        stderr(&out)
    );
    assert_no_internals(&out);

    let out = run(cli(dir.path()).args(["--database-url", "oracle://db/x", "config"]));
    assert_fails(&out, 2, "database.url");
    assert!(stderr(&out).contains("--database-url"), "{}", stderr(&out));
    assert_no_internals(&out);
}

#[test]
fn a_bad_value_in_a_config_file_names_the_file_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("myconfig");
    std::fs::create_dir(&config).unwrap();
    std::fs::copy(
        common::server::config_dir().join("default.toml"),
        config.join("default.toml"),
    )
    .unwrap();
    let profile_file = config.join("test.toml");

    std::fs::write(&profile_file, "[server]\nbind = \"nonsense\"\n").unwrap();
    let out = run(cli_with_config_dir(dir.path(), &config).arg("config"));
    assert_fails(&out, 1, "server.bind");
    assert!(
        stderr(&out).contains(&format!("(from file {})", profile_file.display())),
        "{}",
        stderr(&out)
    );
    assert_no_internals(&out);

    // A value of the wrong type: the key without figment's profile prefix, and the file.
    std::fs::write(
        &profile_file,
        "[server]\nshutdown_timeout_secs = \"soon\"\n",
    )
    .unwrap();
    let out = run(cli_with_config_dir(dir.path(), &config).arg("config"));
    assert_fails(&out, 1, "server.shutdown_timeout_secs: ");
    assert!(
        stderr(&out).contains(&profile_file.display().to_string()),
        "{}",
        stderr(&out)
    );
    assert_no_internals(&out);

    // A misspelt key is named in full.
    std::fs::write(&profile_file, "[server]\nbindd = \"127.0.0.1:1\"\n").unwrap();
    let out = run(cli_with_config_dir(dir.path(), &config).arg("config"));
    assert_fails(&out, 1, "server.bindd: unknown setting");
    assert_no_internals(&out);
}

#[test]
fn a_bad_environment_variable_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(cli(dir.path())
        .arg("config")
        .env("UNIQCHAT__SERVER__BIND", "nonsense"));
    assert_fails(&out, 1, "server.bind");
    assert!(
        stderr(&out).contains("(from environment variable UNIQCHAT__SERVER__BIND)"),
        "{}",
        stderr(&out)
    );
    assert_no_internals(&out);

    let out = run(cli(dir.path())
        .arg("config")
        .env("UNIQCHAT__SERVER__SHUTDOWN_TIMEOUT_SECS", "soon"));
    assert_fails(&out, 1, "server.shutdown_timeout_secs");
    assert!(
        stderr(&out).contains("environment variable UNIQCHAT__SERVER__SHUTDOWN_TIMEOUT_SECS"),
        "{}",
        stderr(&out)
    );
    assert_no_internals(&out);
}

#[test]
fn a_mistyped_command_or_flag_gets_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(cli(dir.path()).arg("serv"));
    assert_fails(&out, 2, "did you mean 'serve'?");
    assert!(!stderr(&out).contains("error: "), "{}", stderr(&out));

    let out = run(cli(dir.path()).args(["serve", "--bnd", "127.0.0.1:1"]));
    assert_fails(&out, 2, "did you mean '--bind'?");
}

#[test]
fn serve_into_a_file_is_plain_info_and_ends_with_the_banner() {
    let dir = tempfile::tempdir().unwrap();
    let stdout_path = dir.path().join("stdout.log");
    let port = free_port();
    let mut child = cli(dir.path())
        .args(["--database-url", &db_url(dir.path())])
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        // The dev profile a newcomer gets, with its stdout going to a file.
        .env("UNIQCHAT_PROFILE", "dev")
        .env("UNIQCHAT__LOG__FILE", "false")
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let text = loop {
        let text = std::fs::read_to_string(&stdout_path).unwrap_or_default();
        if text.contains("  demo:") {
            break text;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "serve exited early: {text}"
        );
        assert!(std::time::Instant::now() < deadline, "no banner: {text}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();

    assert!(
        !text.contains('\u{1b}'),
        "no colour codes in a file: {text}"
    );
    assert!(!text.contains("DEBUG"), "INFO by default: {text}");
    let listening = text.find("uniqchat listening").expect("listening line");
    let banner = text.find("uniqchat is ready").expect("banner");
    assert!(listening < banner, "the banner comes last: {text}");
    let migrations = text.find("applied migrations").expect("migration line");
    assert!(migrations < banner, "{text}");
    let after: Vec<&str> = text[banner..].lines().collect();
    assert!(after.iter().any(|l| l.contains("password:")), "{text}");
    assert!(
        after
            .iter()
            .any(|l| l.contains(&format!("demo:      http://127.0.0.1:{port}/demo?key=sk_"))),
        "the full demo link: {text}"
    );
}
