//! Checks of the two server secrets: the token signing secret and the sealing key.

use super::{Config, ConfigError, SHIPPED_JWT_SECRET};

/// Builds the error for a key, naming where its value came from.
type Invalid<'a> = &'a dyn Fn(&'static str, String) -> ConfigError;

impl Config {
    pub(super) fn validate_secrets(&self, invalid: Invalid<'_>) -> Result<(), ConfigError> {
        let auth = &self.auth;
        check_secret(
            self,
            invalid,
            &auth.jwt_secret,
            &auth.jwt_secret_file,
            (
                "auth.jwt_secret",
                "auth.jwt_secret_file",
                "UNIQCHAT__AUTH__JWT_SECRET",
            ),
        )?;
        if auth.jwt_secret == SHIPPED_JWT_SECRET {
            return Err(invalid(
                "auth.jwt_secret",
                "this is the secret earlier versions shipped, known to anyone; leave it empty or set your own"
                    .into(),
            ));
        }
        check_secret(
            self,
            invalid,
            &auth.secret_key,
            &auth.secret_key_file,
            (
                "auth.secret_key",
                "auth.secret_key_file",
                "UNIQCHAT__AUTH__SECRET_KEY",
            ),
        )
    }
}

/// A secret is set (32 characters or more), or read from its file; `prod` needs it set, as
/// every node of a cluster must share it.
fn check_secret(
    config: &Config,
    invalid: Invalid<'_>,
    value: &str,
    file: &str,
    (key, file_key, env): (&'static str, &'static str, &str),
) -> Result<(), ConfigError> {
    if value.is_empty() && config.profile == "prod" {
        return Err(invalid(
            key,
            format!("the prod profile needs a configured secret shared by every node; set {env}"),
        ));
    }
    if value.is_empty() && file.trim().is_empty() {
        return Err(invalid(
            file_key,
            format!("must name a file when {key} is empty"),
        ));
    }
    if !value.is_empty() && value.len() < 32 {
        return Err(invalid(key, "must be at least 32 characters long".into()));
    }
    Ok(())
}
