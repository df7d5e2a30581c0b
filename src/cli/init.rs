use clap::Args;

use super::welcome::Welcome;
use super::{connect_migrated, load_config, prompt, CliError, GlobalArgs};
use crate::service::AccountService;

#[derive(Args)]
pub struct InitArgs {
    /// Name of the company or site
    #[arg(long)]
    tenant: Option<String>,
    /// E-mail of the owner account (the login name)
    #[arg(long)]
    email: Option<String>,
    /// Password of the owner account (asked for when missing)
    #[arg(long)]
    password: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
}

pub async fn run(global: &GlobalArgs, args: InitArgs) -> Result<(), CliError> {
    crate::telemetry::init_cli();
    let config = load_config(global, Vec::new())?;
    let tenant = prompt::value_or_ask(args.tenant, "--tenant", "Company name")?;
    let email = prompt::value_or_ask(args.email, "--email", "Owner e-mail")?;
    let password = prompt::password_or_ask(args.password, "--password")?;

    let store = connect_migrated(&config).await?;
    let accounts = AccountService::new(store.clone());
    let result = accounts.create_tenant(&tenant, &email, &password).await;
    store.close().await?;
    let (tenant, owner) = result?;

    let welcome = Welcome {
        config: &config,
        tenant: &tenant,
        owner: &owner,
        password: None,
    };
    if args.json {
        println!("{}", welcome.json());
    } else {
        print!("{}", welcome.text());
    }
    Ok(())
}
