//! `uniqchat archive`: one run of the archive job (archive and delete closed conversations by
//! their tenant's settings) from the shell, then a line per tenant with what it did.

use clap::Args;

use super::{connect, load_config, CliError, GlobalArgs};
use crate::service::archive::{ArchiveService, RunOptions};
use crate::service::ServiceError;

#[derive(Args)]
pub struct ArchiveArgs {
    /// Count what would be archived and deleted; change nothing
    #[arg(long)]
    dry_run: bool,
    /// Only this tenant (its id)
    #[arg(long, value_name = "TENANT_ID")]
    tenant: Option<String>,
}

pub async fn run(global: &GlobalArgs, args: ArchiveArgs) -> Result<(), CliError> {
    crate::telemetry::init_cli();
    let config = load_config(global, Vec::new())?;
    let store = connect(&config).await?;
    if !store.pending_migrations().await?.is_empty() {
        return Err(CliError::Runtime(
            "the database schema is not up to date: run `uniqchat migrate` first".into(),
        ));
    }
    let storage = crate::storage::Storage::from_config(&config.storage)
        .map_err(|e| CliError::Runtime(format!("cannot open file storage: {e}")))?;
    let service = ArchiveService::new(store.clone(), storage);
    let options = RunOptions {
        dry_run: args.dry_run,
        tenant: args.tenant.clone(),
    };
    let runs = service.run(&options).await.map_err(|e| match e {
        ServiceError::NotFound(_) => CliError::Usage(format!(
            "--tenant: no tenant {}",
            args.tenant.as_deref().unwrap_or("")
        )),
        other => CliError::from(other),
    })?;
    let (verb_a, verb_d) = match args.dry_run {
        true => ("would archive", "would delete"),
        false => ("archived", "deleted"),
    };
    let (mut archived, mut deleted, mut skipped) = (0, 0, 0);
    for r in &runs {
        println!(
            "tenant {}: {verb_a} {}, {verb_d} {}, skipped {}",
            r.tenant_id, r.archived, r.deleted, r.skipped
        );
        archived += r.archived;
        deleted += r.deleted;
        skipped += r.skipped;
    }
    println!(
        "total: {verb_a} {archived}, {verb_d} {deleted}, skipped {skipped} ({} tenants)",
        runs.len()
    );
    store.close().await?;
    Ok(())
}
