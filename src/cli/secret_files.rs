//! The server's two secrets: the one that signs access and visitor tokens
//! (`auth.jwt_secret`) and the one that seals stored secrets such as two-factor keys and
//! client secrets (`auth.secret_key`). Unless set in the configuration, `serve` uses the one in
//! the matching `*_file`, generated there (readable by the owner only) on the first start, so
//! no two installations share a secret and both survive restarts.

use std::io::Write;
use std::path::Path;

use super::CliError;
use crate::config::Config;
use crate::types::ids::random_token;

/// Fills in `auth.jwt_secret` and `auth.secret_key` from their files, creating them if need be.
pub fn ensure(config: &mut Config) -> Result<(), CliError> {
    let auth = &mut config.auth;
    ensure_one(
        &mut auth.jwt_secret,
        &auth.jwt_secret_file,
        "auth.jwt_secret_file",
        "token signing secret",
    )?;
    ensure_one(
        &mut auth.secret_key,
        &auth.secret_key_file,
        "auth.secret_key_file",
        "secret sealing key",
    )
}

fn ensure_one(value: &mut String, file: &str, key: &str, what: &str) -> Result<(), CliError> {
    if !value.is_empty() {
        return Ok(());
    }
    let path = Path::new(file);
    let fail = |doing: &str, e: std::io::Error| {
        CliError::Runtime(format!("{key}: cannot {doing} {}: {e}", path.display()))
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let secret = text.trim();
            if secret.len() < 32 {
                return Err(CliError::Runtime(format!(
                    "{key}: {} holds fewer than 32 characters",
                    path.display()
                )));
            }
            *value = secret.to_string();
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| fail("create the directory of", e))?;
            }
            let secret = random_token(64);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(path).map_err(|e| fail("create", e))?;
            file.write_all(secret.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| fail("write", e))?;
            tracing::info!(file = %path.display(), "generated a {what}");
            *value = secret;
        }
        Err(e) => return Err(fail("read", e)),
    }
    Ok(())
}
