//! Logging set-up: readable or JSON lines on stdout, plus daily-rolled JSON files.

pub mod metrics;

use std::io::IsTerminal;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

use crate::config::{LogConfig, LogFormat};

/// Keeps the file writer flushing until dropped; hold it for the life of the process.
pub struct LogGuard {
    _file: Option<WorkerGuard>,
}

pub fn init_server(cfg: &LogConfig) -> Result<LogGuard, String> {
    let filter = EnvFilter::try_new(&cfg.level).map_err(|e| format!("log.level: {e}"))?;
    let stdout = match cfg.format {
        LogFormat::Pretty => fmt::layer().with_ansi(colour_on_stdout()).boxed(),
        LogFormat::Json => fmt::layer().json().flatten_event(true).boxed(),
    };
    let (file, guard) = if cfg.file {
        let appender = RollingFileAppender::builder()
            .rotation(Rotation::DAILY)
            .filename_prefix("uniqchat")
            .filename_suffix("log")
            .build(&cfg.dir)
            .map_err(|e| format!("log.dir: cannot write logs under '{}': {e}", cfg.dir))?;
        let (writer, guard) = tracing_appender::non_blocking(appender);
        let layer = fmt::layer()
            .json()
            .flatten_event(true)
            .with_ansi(false)
            .with_writer(writer)
            .boxed();
        (Some(layer), Some(guard))
    } else {
        (None, None)
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(stdout)
        .with(file)
        .try_init()
        .map_err(|e| format!("cannot start logging: {e}"))?;
    Ok(LogGuard { _file: guard })
}

/// Colour only for a person at a terminal: not into a file or a pipe, not under `NO_COLOR`.
fn colour_on_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// For one-shot commands: warnings and errors on stderr only, so stdout stays for results.
pub fn init_cli() {
    let _ = tracing_subscriber::registry()
        .with(EnvFilter::new("warn"))
        .with(
            fmt::layer()
                .with_ansi(std::io::stderr().is_terminal())
                .with_writer(std::io::stderr),
        )
        .try_init();
}
