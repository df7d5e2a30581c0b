//! Asking the operator for a value that was not given as a flag.

use std::io::{BufRead, IsTerminal, Write};

use super::CliError;

/// Returns `given`, or asks for it on the terminal; without a terminal it is a usage error.
pub fn value_or_ask(given: Option<String>, flag: &str, question: &str) -> Result<String, CliError> {
    if let Some(v) = given {
        return Ok(v);
    }
    ensure_terminal(flag)?;
    eprint!("{question}: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Runtime(format!("cannot read the answer: {e}")))?;
    Ok(line.trim().to_string())
}

/// Like `value_or_ask`, without echoing what is typed, and asked twice to catch typos.
pub fn password_or_ask(given: Option<String>, flag: &str) -> Result<String, CliError> {
    if let Some(v) = given {
        return Ok(v);
    }
    ensure_terminal(flag)?;
    let read = |q: &str| {
        rpassword::prompt_password(q)
            .map_err(|e| CliError::Runtime(format!("cannot read the password: {e}")))
    };
    let first = read("Password: ")?;
    let second = read("Repeat password: ")?;
    if first != second {
        return Err(CliError::Usage("the two passwords differ".into()));
    }
    Ok(first)
}

fn ensure_terminal(flag: &str) -> Result<(), CliError> {
    if std::io::stdin().is_terminal() {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "missing {flag} (stdin is not a terminal, so it cannot be asked for)"
        )))
    }
}
