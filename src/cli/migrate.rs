use clap::Args;

use super::{connect, load_config, CliError, GlobalArgs};

#[derive(Args)]
pub struct MigrateArgs {
    /// Only list the pending migrations; change nothing
    #[arg(long)]
    print: bool,
}

pub async fn run(global: &GlobalArgs, args: MigrateArgs) -> Result<(), CliError> {
    crate::telemetry::init_cli();
    let config = load_config(global, Vec::new())?;
    let store = connect(&config).await?;
    let pending = store.pending_migrations().await?;
    if args.print {
        if pending.is_empty() {
            println!("no pending migrations");
        }
        for name in &pending {
            println!("pending: {name}");
        }
    } else {
        let applied = store.migrate().await?;
        if applied.is_empty() {
            println!("schema is up to date");
        }
        for name in &applied {
            println!("applied: {name}");
        }
    }
    store.close().await?;
    Ok(())
}
