//! `uniqchat bench`: a load generator that drives a running server through its public HTTP and
//! WebSocket protocol only, as the widget and the agent workspace do, and reports what happened.
//! docs/performance.md holds the figures it produced and the commands behind them.

mod args;
mod chat;
mod client;
mod connections;
mod frames;
mod http;
mod ledger;
mod nodes;
mod pacer;
mod process;
mod readback;
mod report;
mod search;
mod seed;
mod seed_text;
mod table;

use std::sync::Arc;
use std::time::Instant;

pub use args::BenchArgs;
use args::{Plan, Scenario};
use client::Target;
use report::{Memory, Report};

use super::{CliError, GlobalArgs};

/// `uniqchat bench <scenario> …` (load against a running server), or one of the tools for
/// measuring at scale: `bench seed` and `bench search`.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BenchCommand {
    #[command(subcommand)]
    tool: Option<BenchTool>,
    #[command(flatten)]
    load: Option<BenchArgs>,
}

#[derive(clap::Subcommand, Debug)]
enum BenchTool {
    /// Write a generated history (visitors, conversations, messages in English and Chinese)
    /// straight into the configured database, for measuring at scale
    Seed(seed::SeedArgs),
    /// Measure the latency of search and of the conversation lists on a running server
    Search(search::SearchBenchArgs),
}

pub async fn dispatch(global: &GlobalArgs, cmd: BenchCommand) -> Result<(), CliError> {
    match (cmd.tool, cmd.load) {
        (Some(BenchTool::Seed(args)), _) => seed::run(global, args).await,
        (Some(BenchTool::Search(args)), _) => search::run(args).await,
        (None, Some(args)) => run(args).await,
        (None, None) => Err(CliError::Usage(
            "give a scenario (idle, chat, storm, http) with --url, or seed or search".into(),
        )),
    }
}

pub async fn run(args: BenchArgs) -> Result<(), CliError> {
    let plan = args.plan()?;
    let mut targets = Vec::with_capacity(plan.bases.len());
    for base in &plan.bases {
        let t = Target::at(&plan, base).await.map_err(CliError::Runtime)?;
        t.healthy().await.map_err(CliError::Runtime)?;
        targets.push(Arc::new(t));
    }
    let target = targets[0].clone();
    let admin = match &plan.credentials {
        Some((email, password)) => Some(
            target
                .login(0, email, password)
                .await
                .map_err(CliError::Runtime)?,
        ),
        None => None,
    };
    let site_key = match (&plan.site_key, &admin) {
        (Some(key), _) => key.clone(),
        (None, Some(token)) => target.site_key(token).await.map_err(CliError::Runtime)?,
        (None, None) => return Err(CliError::Usage("give --site-key".into())),
    };
    let server_pid = plan.pids.first().copied();
    let rss_before = server_pid.and_then(process::rss_kib);
    let span = tracing::info_span!("bench", scenario = ?plan.scenario);
    let _enter = span.enter();
    let mut report = match plan.scenario {
        Scenario::Idle => connections::idle(&plan, &target, &site_key).await,
        Scenario::Storm => connections::storm(&plan, &target, &site_key).await,
        Scenario::Http => http::run(&plan, &target, &site_key).await,
        Scenario::Chat => {
            let admin = admin.unwrap_or_default();
            chat::run(&plan, &targets, &admin, &site_key)
                .await
                .map_err(CliError::Runtime)?
        }
    };
    if let (Some(pid), Some(before)) = (server_pid, rss_before) {
        // Idle measures after the hold, before closing; the others at the end.
        let after = report
            .rss_after_kib
            .take()
            .or_else(|| process::rss_kib(pid));
        if let Some(after) = after {
            let held = report.connections.held;
            report.server_memory = Some(Memory {
                rss_before_mib: before as f64 / 1024.0,
                rss_after_mib: after as f64 / 1024.0,
                // Only idle connections are all the growth; in the other scenarios messages,
                // caches and allocator slack are too.
                per_connection_kib: (plan.scenario == Scenario::Idle && held > 0)
                    .then(|| (after.saturating_sub(before)) as f64 / held as f64),
            });
        }
    }
    println!(
        "{}",
        if plan.json {
            report.json()
        } else {
            report.table()
        }
    );
    // A run that lost, duplicated or reordered a message failed, whatever its rates.
    match &report.delivery {
        Some(d) if !d.ok => {
            let faults: Vec<String> = d
                .faults()
                .iter()
                .map(|(class, n)| format!("{class} {n}"))
                .collect();
            Err(CliError::Failed(format!(
                "the run found delivery faults: {}",
                faults.join(", ")
            )))
        }
        _ => Ok(()),
    }
}

/// Seconds since `start`, for rates.
fn seconds_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64().max(1e-9)
}

/// A report with the fields every scenario fills.
fn report_for(plan: &Plan, seconds: f64) -> Report {
    let urls: Vec<&str> = plan.bases.iter().map(|u| u.as_str()).collect();
    Report::new(plan.scenario, &urls.join(" "), seconds)
}
