//! One run of a routing script: a fresh Lua state with only `string` (less `rep` and `dump`),
//! `table`, `math` and `utf8`, an instruction budget and a wall-time limit checked by a hook,
//! and a memory limit. Nothing from one run reaches the next.

use std::cell::Cell;
use std::time::{Duration, Instant};

use mlua::{
    ChunkMode, HookTriggers, Lua, LuaOptions, LuaSerdeExt, SerializeOptions, StdLib, Value, VmState,
};
use serde::{Deserialize, Serialize};

/// How far a script may go in one run.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Lua VM instructions (counted in steps of `HOOK_EVERY`).
    pub instructions: u64,
    /// Bytes the Lua state may hold.
    pub memory: usize,
    pub wall: Duration,
}

pub const LIMITS: Limits = Limits {
    instructions: 1_000_000,
    memory: 4 * 1024 * 1024,
    wall: Duration::from_millis(100),
};

/// Instructions between two checks of the budget and the clock.
const HOOK_EVERY: u32 = 1000;

/// Globals a routing script has no business with (loading code, files, processes, the
/// collector, metatables whose finalizers would outlive the budget, writing to stderr), and
/// `pcall`/`xpcall`, which would catch the hook's stop and carry on.
const REMOVED_GLOBALS: &[&str] = &[
    "pcall",
    "xpcall",
    "warn",
    "dofile",
    "loadfile",
    "load",
    "loadstring",
    "require",
    "collectgarbage",
    "print",
    "setmetatable",
    "getmetatable",
    "io",
    "os",
    "debug",
    "package",
    "coroutine",
];

/// The visitor as a script sees it (`visitor` in `route(visitor, agents, groups)`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitorInfo {
    /// The page the visitor is on (the latest one seen).
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub referrer: Option<String>,
    /// The widget's language, e.g. `en`, `zh`.
    #[serde(default)]
    pub language: Option<String>,
    /// ISO country code from the visitor's address, when a GeoIP database is set.
    #[serde(default)]
    pub country: Option<String>,
    /// Attributes set through identity verification (a JSON object).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub visits: i64,
    /// The conversation's mood, −1..1, when scored.
    #[serde(default)]
    pub sentiment: Option<f64>,
    /// Id of the agent of the visitor's previous conversation.
    #[serde(default)]
    pub previous_agent: Option<String>,
}

/// An agent who can take the conversation now.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentInfo {
    pub id: String,
    pub name: String,
    /// Ids of the groups the agent belongs to.
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInfo {
    pub id: String,
    pub name: String,
}

/// What a script decided, checked against the agents and groups it was given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Decision {
    /// The group's id.
    pub group: Option<String>,
    /// The agent's id.
    pub agent: Option<String>,
    pub priority: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    #[error("syntax error: {0}")]
    Syntax(String),
    #[error("runtime error: {0}")]
    Runtime(String),
    #[error("the script ran past its budget of {0} instructions")]
    Budget(u64),
    #[error("the script ran past its time limit of {0} ms")]
    Timeout(u128),
    #[error("the script ran past its memory limit of {0} bytes")]
    Memory(usize),
    #[error("the script returned something that is not a decision: {0}")]
    BadReturn(String),
}

/// Why the hook stopped the script.
#[derive(Clone, Copy)]
enum Stop {
    Budget,
    Time,
}

fn sandboxed(limits: Limits) -> mlua::Result<(Lua, std::rc::Rc<Cell<Option<Stop>>>)> {
    let lua = Lua::new_with(
        StdLib::STRING | StdLib::TABLE | StdLib::MATH | StdLib::UTF8,
        LuaOptions::default(),
    )?;
    let globals = lua.globals();
    for name in REMOVED_GLOBALS {
        globals.raw_set(*name, Value::Nil)?;
    }
    let string: mlua::Table = globals.get("string")?;
    string.raw_set("rep", Value::Nil)?;
    string.raw_set("dump", Value::Nil)?;
    super::patterns::guard(&lua, &string)?;
    lua.set_memory_limit(limits.memory)?;
    let stopped = std::rc::Rc::new(Cell::new(None));
    let seen = stopped.clone();
    let start = Instant::now();
    let ran = Cell::new(0u64);
    lua.set_hook(
        HookTriggers::new().every_nth_instruction(HOOK_EVERY),
        move |_, _| {
            ran.set(ran.get() + u64::from(HOOK_EVERY));
            let stop = if ran.get() > limits.instructions {
                Some(Stop::Budget)
            } else if start.elapsed() > limits.wall {
                Some(Stop::Time)
            } else {
                None
            };
            match stop {
                Some(s) => {
                    seen.set(Some(s));
                    Err(mlua::Error::runtime("stopped"))
                }
                None => Ok(VmState::Continue),
            }
        },
    )?;
    Ok((lua, stopped))
}

/// Checks that `source` compiles (it is not run).
pub fn check_syntax(source: &str) -> Result<(), ScriptError> {
    let (lua, _) = sandboxed(LIMITS).map_err(|e| ScriptError::Runtime(e.to_string()))?;
    lua.load(source)
        .set_name("=route")
        .set_mode(ChunkMode::Text)
        .into_function()
        .map(|_| ())
        .map_err(|e| ScriptError::Syntax(message(&e)))
}

/// Runs `source` (which defines `route`) once for this visitor.
pub fn run(
    source: &str,
    visitor: &VisitorInfo,
    agents: &[AgentInfo],
    groups: &[GroupInfo],
    limits: Limits,
) -> Result<Option<Decision>, ScriptError> {
    let (lua, stopped) = sandboxed(limits).map_err(|e| ScriptError::Runtime(e.to_string()))?;
    let failed = |e: mlua::Error| match stopped.get() {
        Some(Stop::Budget) => ScriptError::Budget(limits.instructions),
        Some(Stop::Time) => ScriptError::Timeout(limits.wall.as_millis()),
        None if is_memory(&e) => ScriptError::Memory(limits.memory),
        None => ScriptError::Runtime(message(&e)),
    };
    let chunk = lua
        .load(source)
        .set_name("=route")
        .set_mode(ChunkMode::Text)
        .into_function()
        .map_err(|e| match is_memory(&e) {
            true => ScriptError::Memory(limits.memory),
            false => ScriptError::Syntax(message(&e)),
        })?;
    chunk.call::<()>(()).map_err(failed)?;
    let route: Value = lua.globals().get("route").map_err(failed)?;
    let Value::Function(route) = route else {
        return Err(ScriptError::Runtime(
            "the script defines no function route(visitor, agents, groups)".into(),
        ));
    };
    let options = SerializeOptions::new()
        .serialize_none_to_null(false)
        .serialize_unit_to_null(false);
    let args = (
        lua.to_value_with(visitor, options).map_err(failed)?,
        lua.to_value_with(agents, options).map_err(failed)?,
        lua.to_value_with(groups, options).map_err(failed)?,
    );
    let answer: Value = route.call(args).map_err(failed)?;
    decision(answer, agents, groups)
}

/// What went wrong in Lua's words, without mlua's wrapping and the stack traceback.
fn message(e: &mlua::Error) -> String {
    let text = match e {
        mlua::Error::CallbackError { cause, .. } | mlua::Error::WithContext { cause, .. } => {
            return message(cause)
        }
        mlua::Error::RuntimeError(m) => m.clone(),
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        other => other.to_string(),
    };
    match text.split_once("\nstack traceback:") {
        Some((head, _)) => head.to_string(),
        None => text,
    }
}

fn is_memory(e: &mlua::Error) -> bool {
    match e {
        mlua::Error::MemoryError(_) => true,
        mlua::Error::CallbackError { cause, .. } => is_memory(cause),
        mlua::Error::WithContext { cause, .. } => is_memory(cause),
        _ => false,
    }
}

/// The script's answer as a decision: nil is "default routing"; a table names a known group
/// and/or a known agent (by id or name) and may carry an integer priority.
fn decision(
    answer: Value,
    agents: &[AgentInfo],
    groups: &[GroupInfo],
) -> Result<Option<Decision>, ScriptError> {
    let bad = |m: &str| Err(ScriptError::BadReturn(m.to_string()));
    let table = match answer {
        Value::Nil => return Ok(None),
        Value::Table(t) => t,
        other => {
            return bad(&format!(
                "a {} (expected a table or nil)",
                other.type_name()
            ))
        }
    };
    let mut d = Decision::default();
    for pair in table.pairs::<Value, Value>() {
        let (key, value) = pair.map_err(|e| ScriptError::BadReturn(e.to_string()))?;
        let key = match &key {
            Value::String(s) => s.to_string_lossy(),
            _ => return bad("a key that is not a name"),
        };
        match (key.as_str(), value) {
            ("group", Value::String(s)) => {
                let s = s.to_string_lossy();
                let Some(g) = groups.iter().find(|g| g.id == s || g.name == s) else {
                    return bad(&format!("group {s:?} is not one of the groups"));
                };
                d.group = Some(g.id.clone());
            }
            ("agent", Value::String(s)) => {
                let s = s.to_string_lossy();
                let Some(a) = agents.iter().find(|a| a.id == s || a.name == s) else {
                    return bad(&format!("agent {s:?} is not one of the available agents"));
                };
                d.agent = Some(a.id.clone());
            }
            ("priority", Value::Integer(p)) => d.priority = Some(p),
            ("priority", Value::Number(p)) if p.fract() == 0.0 && p.abs() < 1e15 => {
                d.priority = Some(p as i64)
            }
            (k @ ("group" | "agent" | "priority"), v) => {
                return bad(&format!("{k} is a {}", v.type_name()))
            }
            (k, _) => return bad(&format!("unknown field {k:?}")),
        }
    }
    if d.group.is_none() && d.agent.is_none() {
        return bad("neither group nor agent");
    }
    Ok(Some(d))
}
