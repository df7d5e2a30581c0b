//! The `uniqchat` command line: parsing, start-up order and exit codes.
//!
//! Exit codes: 0 success, 2 usage error, 1 runtime error; a failure prints one line on stderr.

mod archive;
mod bench;
mod config_cmd;
mod init;
mod migrate;
mod prompt;
mod reset;
mod secret_files;
mod serve;
mod usage;
mod user;
mod welcome;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Override, Sources};
use crate::service::ServiceError;
use crate::store::{ConnectSettings, Store, StoreError};

#[derive(Parser)]
#[command(
    name = "uniqchat",
    version,
    about = "Self-hosted live customer-support chat",
    long_about = "Self-hosted live customer-support chat: visitor widget, agent workspace and admin console in one binary.\nWithout a command, `uniqchat` runs `serve`."
)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Clone, Default)]
pub struct GlobalArgs {
    /// Configuration profile: dev, test or prod
    #[arg(long, global = true, env = "UNIQCHAT_PROFILE")]
    profile: Option<String>,
    /// An extra TOML file merged over the profile's settings
    #[arg(long, global = true, env = "UNIQCHAT_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Directory holding default.toml and the profile files (default: ./config, else built-in)
    #[arg(long, global = true, value_name = "DIR")]
    config_dir: Option<PathBuf>,
    /// Database URL (overrides database.url)
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default command)
    Serve(serve::ServeArgs),
    /// Apply pending database migrations
    Migrate(migrate::MigrateArgs),
    /// Create a tenant and its owner account; prints the login and the widget snippet
    Init(init::InitArgs),
    /// Drop every table and recreate the schema (destroys all data)
    Reset(reset::ResetArgs),
    /// Manage accounts from the shell
    #[command(subcommand)]
    User(user::UserCommand),
    /// Print the effective configuration, secrets masked
    Config,
    /// Archive and delete closed conversations by their tenants' settings, once
    Archive(archive::ArchiveArgs),
    /// Drive a running server as its clients do and report throughput, latency and memory
    Bench(bench::BenchCommand),
}

/// Why a command failed, and so which exit code it ends with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Runtime(String),
    /// The command ran to its end and found its subject at fault (a bench run that lost,
    /// duplicated or reordered messages): exit code 3.
    #[error("{0}")]
    Failed(String),
}

impl From<ServiceError> for CliError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Invalid(_) => CliError::Usage(err.to_string()),
            other => CliError::Runtime(other.to_string()),
        }
    }
}

impl From<StoreError> for CliError {
    fn from(err: StoreError) -> Self {
        CliError::Runtime(err.to_string())
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) {
                let _ = err.print();
                return ExitCode::SUCCESS;
            }
            eprintln!("uniqchat: {}", usage::one_line(&err));
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("uniqchat: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Usage(msg)) => {
            eprintln!("uniqchat: {msg}");
            ExitCode::from(2)
        }
        Err(CliError::Runtime(msg)) => {
            eprintln!("uniqchat: {}", msg.replace('\n', " "));
            ExitCode::from(1)
        }
        Err(CliError::Failed(msg)) => {
            eprintln!("uniqchat: {msg}");
            ExitCode::from(3)
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let global = cli.global;
    match cli
        .command
        .unwrap_or(Command::Serve(serve::ServeArgs::default()))
    {
        Command::Serve(args) => serve::run(&global, args).await,
        Command::Migrate(args) => migrate::run(&global, args).await,
        Command::Init(args) => init::run(&global, args).await,
        Command::Reset(args) => reset::run(&global, args).await,
        Command::Archive(args) => archive::run(&global, args).await,
        Command::User(cmd) => user::run(&global, cmd).await,
        Command::Config => config_cmd::run(&global),
        Command::Bench(cmd) => bench::dispatch(&global, cmd).await,
    }
}

/// Loads the configuration for this invocation, with `overrides` from subcommand flags.
fn load_config(global: &GlobalArgs, mut overrides: Vec<Override>) -> Result<Config, CliError> {
    if let Some(url) = &global.database_url {
        overrides.push(Override {
            key: "database.url",
            flag: "--database-url",
            value: url.clone(),
        });
    }
    let sources = Sources {
        profile: global.profile.clone(),
        config_dir: global.config_dir.clone(),
        config_file: global.config.clone(),
        overrides,
    };
    Config::load(&sources).map_err(|e| {
        let message = format!("configuration: {e}");
        // A bad flag is a usage error (exit 2); a bad file or variable is a bad setup (exit 1).
        if e.from_flag() {
            CliError::Usage(message)
        } else {
            CliError::Runtime(message)
        }
    })
}

async fn connect(config: &Config) -> Result<Store, CliError> {
    let settings = ConnectSettings {
        url: config.database.url.clone(),
        max_connections: config.database.max_connections,
        connect_timeout: std::time::Duration::from_secs(config.database.connect_timeout_secs),
    };
    Store::connect(&settings)
        .await
        .map_err(|e| CliError::Runtime(format!("{e} ({})", crate::config::mask_url(&settings.url))))
}

/// Connects and, unless the configuration disables it, brings the schema up to date.
async fn connect_migrated(config: &Config) -> Result<Store, CliError> {
    let store = connect(config).await?;
    if config.database.auto_migrate {
        let applied = store.migrate().await?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "applied migrations");
        }
    }
    Ok(store)
}
