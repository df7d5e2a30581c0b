//! Where a setting came from, in the words a user knows: the file's path, the environment
//! variable's name, the command-line flag. Every layer is merged under such a name, and errors
//! are rendered from it rather than from figment's internals (profile prefixes, source-code
//! locations of the providers).

use figment::error::Kind;
use figment::value::{Dict, Map};
use figment::{Figment, Metadata, Profile, Provider};

/// The prefix of the environment variables that set keys (`UNIQCHAT__SERVER__BIND`).
pub const ENV_PREFIX: &str = "UNIQCHAT__";
const ENV_NAME: &str = "environment variable";

/// A provider under a name of our choosing.
pub struct Named<P> {
    inner: P,
    metadata: Metadata,
}

impl<P: Provider> Named<P> {
    /// `name` is what a user reads after "from": `file config/dev.toml`, `command-line flag --bind`.
    pub fn new(inner: P, name: String) -> Self {
        Named {
            inner,
            metadata: Metadata::named(name),
        }
    }

    /// The environment variables: an error names the one variable that set the key.
    pub fn env(inner: P) -> Self {
        Named {
            inner,
            metadata: Metadata::named(ENV_NAME).interpolater(|_: &Profile, keys: &[&str]| {
                format!("{ENV_PREFIX}{}", keys.join("__").to_ascii_uppercase())
            }),
        }
    }
}

impl<P: Provider> Provider for Named<P> {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        self.inner.data()
    }
}

/// Where `key` (dotted, e.g. `server.bind`) got its value.
pub fn source_of(figment: &Figment, key: &str) -> String {
    let path: Vec<&str> = key.split('.').collect();
    match figment.find_metadata(key) {
        Some(md) => describe(md, &path),
        None => "the built-in defaults".to_string(),
    }
}

fn describe<K: AsRef<str>>(md: &Metadata, path: &[K]) -> String {
    if md.name == ENV_NAME && !path.is_empty() {
        format!("{ENV_NAME} {}", md.interpolate(&Profile::Default, path))
    } else {
        md.name.to_string()
    }
}

/// Every problem figment found, one after the other on one line:
/// `server.shutdown_timeout_secs: expected u64, found string "soon" (from environment variable …)`.
pub fn render(error: &figment::Error) -> String {
    let parts: Vec<String> = error.clone().into_iter().map(|e| render_one(&e)).collect();
    parts.join("; ")
}

fn render_one(e: &figment::Error) -> String {
    let mut path = e.path.clone();
    let message = match &e.kind {
        Kind::UnknownField(name, expected) => {
            if path.last() != Some(name) {
                path.push(name.clone());
            }
            format!("unknown setting (expected one of: {})", expected.join(", "))
        }
        Kind::MissingField(name) => {
            path.push(name.to_string());
            "missing".to_string()
        }
        Kind::InvalidType(actual, expected) => format!("expected {expected}, found {actual}"),
        Kind::InvalidValue(actual, expected) => format!("expected {expected}, found {actual}"),
        Kind::UnknownVariant(actual, expected) => {
            format!("'{actual}' is not one of: {}", expected.join(", "))
        }
        other => one_line(&other.to_string()),
    };
    let source = e.metadata.as_ref().map(|md| describe(md, &path));
    match (path.is_empty(), source) {
        (false, Some(source)) => format!("{}: {message} (from {source})", path.join(".")),
        (false, None) => format!("{}: {message}", path.join(".")),
        (true, Some(source)) => format!("{source}: {message}"),
        (true, None) => message,
    }
}

/// A TOML parser's message without its source excerpt: `TOML parse error at line 1, column 8:
/// invalid table header, expected `.`, `]``.
fn one_line(message: &str) -> String {
    let is_excerpt = |line: &str| {
        let rest = line
            .trim_start()
            .trim_start_matches(|c: char| c.is_ascii_digit());
        rest.trim_start().starts_with('|')
    };
    let lines: Vec<&str> = message
        .lines()
        .filter(|l| !l.trim().is_empty() && !is_excerpt(l))
        .map(str::trim)
        .collect();
    match lines.split_first() {
        Some((first, [])) => first.to_string(),
        Some((first, rest)) => format!("{first}: {}", rest.join(", ")),
        None => message.trim().to_string(),
    }
}
