//! A command line clap refused, told on one line: the cause and, when clap knows a near match,
//! "did you mean 'serve'?".

use clap::error::{ContextKind, ContextValue};

/// `unrecognized subcommand 'serv'; did you mean 'serve'? (see `uniqchat --help`)`
pub fn one_line(err: &clap::Error) -> String {
    // The cause is the first paragraph (a missing argument is named on its second line).
    let rendered = err.render().to_string();
    let cause: Vec<&str> = rendered
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let mut line = if cause.is_empty() {
        "invalid arguments".to_string()
    } else {
        let joined = cause.join(" ");
        joined
            .strip_prefix("error: ")
            .map(str::to_string)
            .unwrap_or(joined)
    };
    // clap lists near matches from the least to the most alike: name the closest.
    let best = [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .find_map(|kind| match err.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(all)) => all.last().cloned(),
        _ => None,
    });
    if let Some(best) = best {
        line.push_str(&format!("; did you mean '{best}'?"));
    }
    format!("{line} (see `uniqchat --help`)")
}
