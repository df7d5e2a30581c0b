//! Lua's pattern matching runs in C, out of reach of the instruction hook, and a pattern such
//! as `.-.-.-.-b` backtracks for ages on a long subject. So `string.find` (unless plain),
//! `match`, `gmatch` and `gsub` are wrapped: each call is charged an upper bound of its work,
//! (subject length + 1) ^ (quantifiers + 1), against a budget for the whole run.

use std::cell::Cell;
use std::rc::Rc;

use mlua::{Function, Lua, MultiValue, Table, Value};

/// Pattern work allowed in one run (upper-bound units, about one step of the matcher each).
pub const PATTERN_BUDGET: u64 = 50_000_000;

/// Quantifiers (`*`, `+`, `-`, `?`) in a pattern, escapes (`%x`) skipped.
fn quantifiers(pattern: &[u8]) -> u32 {
    let mut n = 0;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'%' => i += 1,
            b'*' | b'+' | b'-' | b'?' => n += 1,
            _ => {}
        }
        i += 1;
    }
    n
}

fn len_of(v: Option<&Value>) -> u64 {
    match v {
        Some(Value::String(s)) => s.as_bytes().len() as u64,
        // A number is matched as its text: at most a few dozen bytes.
        Some(Value::Integer(_) | Value::Number(_)) => 32,
        _ => 0,
    }
}

/// The upper bound of one call's work, `u64::MAX` when it overflows.
pub fn cost(subject_len: u64, pattern: &[u8]) -> u64 {
    (subject_len + 1).saturating_pow(quantifiers(pattern) + 1)
}

/// Replaces the pattern functions of `string` with charged ones.
pub fn guard(lua: &Lua, string: &Table) -> mlua::Result<()> {
    let left = Rc::new(Cell::new(PATTERN_BUDGET));
    for name in ["find", "match", "gmatch", "gsub"] {
        // Kept in the registry, not in the closure: a callback holding a handle to its own
        // state would keep a cycle alive across the state's close.
        let original: Function = string.get(name)?;
        let key = format!("uniqchat.string.{name}");
        lua.set_named_registry_value(&key, original)?;
        let left = left.clone();
        let wrapped = lua.create_function(move |lua, args: MultiValue| {
            let plain = name == "find" && args.get(3).is_some_and(|v| v.as_boolean() != Some(false) && !v.is_nil());
            if !plain {
                let pattern = match args.get(1) {
                    Some(Value::String(p)) => p.as_bytes().to_vec(),
                    _ => Vec::new(),
                };
                let charge = cost(len_of(args.front()), &pattern);
                if charge > left.get() {
                    return Err(mlua::Error::runtime(format!(
                        "string.{name}: pattern too costly for this subject (use plain find, a shorter subject or fewer quantifiers)"
                    )));
                }
                left.set(left.get() - charge);
            }
            let original: Function = lua.named_registry_value(&key)?;
            original.call::<MultiValue>(args)
        })?;
        string.raw_set(name, wrapped)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{cost, quantifiers};

    #[test]
    fn quantifiers_are_counted_and_escapes_skipped() {
        assert_eq!(quantifiers(b"/pricing"), 0);
        assert_eq!(quantifiers(b"^/pricing%-page"), 0);
        assert_eq!(quantifiers(b"(%w+)@(.-)$"), 2);
        assert_eq!(cost(99, b"x.-y"), 10_000);
        assert_eq!(cost(1 << 20, b".-.-.-.-.-.-b"), u64::MAX);
    }
}
