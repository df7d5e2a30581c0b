use clap::Args;

use super::{connect, load_config, CliError, GlobalArgs};

#[derive(Args)]
pub struct ResetArgs {
    /// Confirm that every table and all data are to be dropped
    #[arg(long)]
    yes: bool,
}

pub async fn run(global: &GlobalArgs, args: ResetArgs) -> Result<(), CliError> {
    crate::telemetry::init_cli();
    if !args.yes {
        return Err(CliError::Usage(
            "reset drops every table and all data; run `uniqchat reset --yes` to confirm".into(),
        ));
    }
    let config = load_config(global, Vec::new())?;
    let store = connect(&config).await?;
    store.reset().await?;
    store.close().await?;
    println!("schema dropped and recreated");
    Ok(())
}
