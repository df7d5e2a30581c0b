//! The secret that signs access and visitor tokens. Unless `auth.jwt_secret` is set, `serve`
//! uses the one in `auth.jwt_secret_file`, generated there (readable by the owner only) on the
//! first start, so no two installations share a secret and tokens survive restarts.

use std::io::Write;
use std::path::Path;

use super::CliError;
use crate::config::Config;
use crate::types::ids::random_token;

/// Fills in `config.auth.jwt_secret` from the secret file, creating the file if need be.
pub fn ensure(config: &mut Config) -> Result<(), CliError> {
    if !config.auth.jwt_secret.is_empty() {
        return Ok(());
    }
    let path = Path::new(&config.auth.jwt_secret_file);
    let fail = |what: &str, e: std::io::Error| {
        CliError::Runtime(format!(
            "auth.jwt_secret_file: cannot {what} {}: {e}",
            path.display()
        ))
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let secret = text.trim();
            if secret.len() < 32 {
                return Err(CliError::Runtime(format!(
                    "auth.jwt_secret_file: {} holds fewer than 32 characters",
                    path.display()
                )));
            }
            config.auth.jwt_secret = secret.to_string();
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
            tracing::info!(file = %path.display(), "generated a token signing secret");
            config.auth.jwt_secret = secret;
        }
        Err(e) => return Err(fail("read", e)),
    }
    Ok(())
}
