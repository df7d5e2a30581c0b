use super::{load_config, CliError, GlobalArgs};

pub fn run(global: &GlobalArgs) -> Result<(), CliError> {
    crate::telemetry::init_cli();
    let config = load_config(global, Vec::new())?;
    print!(
        "# effective configuration (profile: {})\n{}",
        config.profile,
        config.to_masked_toml()
    );
    Ok(())
}
