use clap::{Args, Subcommand};

use super::{connect_migrated, load_config, prompt, CliError, GlobalArgs};
use crate::service::accounts::AccountRequest;
use crate::service::AccountService;
use crate::store::Role;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account in a tenant
    Create(CreateArgs),
    /// Set an account's password (signs it out everywhere)
    Passwd(EmailPassword),
    /// Disable an account: it can no longer log in
    Disable(Email),
    /// Enable a disabled account again
    Enable(Email),
}

#[derive(Args)]
pub struct CreateArgs {
    #[arg(long)]
    email: String,
    /// Display name (default: the part of the e-mail before @)
    #[arg(long)]
    name: Option<String>,
    /// owner, admin or agent
    #[arg(long, default_value = "agent")]
    role: Role,
    /// Password (asked for when missing)
    #[arg(long)]
    password: Option<String>,
    /// Tenant id or site key; may be left out when there is only one tenant
    #[arg(long)]
    tenant: Option<String>,
}

#[derive(Args)]
pub struct EmailPassword {
    #[arg(long)]
    email: String,
    /// Tenant id or site key; needed when the e-mail has accounts in several tenants
    #[arg(long)]
    tenant: Option<String>,
    /// New password (asked for when missing)
    #[arg(long)]
    password: Option<String>,
}

#[derive(Args)]
pub struct Email {
    #[arg(long)]
    email: String,
    /// Tenant id or site key; needed when the e-mail has accounts in several tenants
    #[arg(long)]
    tenant: Option<String>,
}

pub async fn run(global: &GlobalArgs, cmd: UserCommand) -> Result<(), CliError> {
    crate::telemetry::init_cli();
    let config = load_config(global, Vec::new())?;
    // Ask before connecting, so nobody waits on a database while typing.
    let password = match &cmd {
        UserCommand::Create(a) => Some(prompt::password_or_ask(a.password.clone(), "--password")?),
        UserCommand::Passwd(a) => Some(prompt::password_or_ask(a.password.clone(), "--password")?),
        _ => None,
    }
    .unwrap_or_default();

    let store = connect_migrated(&config).await?;
    let accounts = AccountService::new(store.clone());
    let result = execute(&accounts, cmd, &password).await;
    store.close().await?;
    println!("{}", result?);
    Ok(())
}

async fn execute(
    accounts: &AccountService,
    cmd: UserCommand,
    password: &str,
) -> Result<String, CliError> {
    Ok(match cmd {
        UserCommand::Create(a) => {
            let tenant = accounts.resolve_tenant(a.tenant.as_deref()).await?;
            let user = accounts
                .create_user(
                    &tenant.id,
                    AccountRequest {
                        email: &a.email,
                        name: a.name.as_deref(),
                        password,
                        role: a.role,
                    },
                )
                .await?;
            format!(
                "created {} ({}) in {} [id {}]",
                user.email, user.role, tenant.name, user.id
            )
        }
        UserCommand::Passwd(a) => {
            let user = accounts
                .set_password(&a.email, a.tenant.as_deref(), password)
                .await?;
            format!("password changed for {}", user.email)
        }
        UserCommand::Disable(a) => {
            let user = accounts
                .set_disabled(&a.email, a.tenant.as_deref(), true)
                .await?;
            format!("disabled {}", user.email)
        }
        UserCommand::Enable(a) => {
            let user = accounts
                .set_disabled(&a.email, a.tenant.as_deref(), false)
                .await?;
            format!("enabled {}", user.email)
        }
    })
}
