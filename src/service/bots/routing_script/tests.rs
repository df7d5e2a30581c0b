//! The sandbox's promises: scripts decide, and whatever else they try ends in an error.

use std::time::Duration;

use super::sandbox::{
    check_syntax, run, AgentInfo, Decision, GroupInfo, Limits, ScriptError, VisitorInfo, LIMITS,
};

fn visitor() -> VisitorInfo {
    VisitorInfo {
        page: Some("https://shop.example/pricing".into()),
        language: Some("zh".into()),
        visits: 3,
        sentiment: Some(-0.6),
        attributes: serde_json::json!({"plan": "gold", "seats": 12})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        ..VisitorInfo::default()
    }
}

fn agents() -> Vec<AgentInfo> {
    vec![
        AgentInfo {
            id: "a1".into(),
            name: "Ann".into(),
            groups: vec!["g1".into()],
        },
        AgentInfo {
            id: "a2".into(),
            name: "Bo".into(),
            groups: vec![],
        },
    ]
}

fn groups() -> Vec<GroupInfo> {
    vec![
        GroupInfo {
            id: "g1".into(),
            name: "Sales".into(),
        },
        GroupInfo {
            id: "g2".into(),
            name: "中文".into(),
        },
    ]
}

fn route(source: &str) -> Result<Option<Decision>, ScriptError> {
    run(source, &visitor(), &agents(), &groups(), LIMITS)
}

#[test]
fn a_script_routes_by_what_it_knows_of_the_visitor() {
    let script = r#"
        function route(visitor, agents, groups)
          if visitor.language == "zh" then return {group = "中文", priority = 2} end
          if string.find(visitor.page or "", "/pricing", 1, true) then return {group = "g1"} end
          return nil
        end"#;
    assert_eq!(
        route(script),
        Ok(Some(Decision {
            group: Some("g2".into()),
            agent: None,
            priority: Some(2)
        }))
    );
    let by_attrs = r#"
        function route(v, agents)
          if v.attributes.plan == "gold" and v.attributes.seats > 10 and v.sentiment < 0
             and v.visits == 3 and v.country == nil then
            for _, a in ipairs(agents) do
              if a.name == "Bo" then return {agent = a.id} end
            end
          end
        end"#;
    assert_eq!(
        route(by_attrs),
        Ok(Some(Decision {
            agent: Some("a2".into()),
            ..Decision::default()
        }))
    );
    assert_eq!(route("function route() return nil end"), Ok(None));
}

#[test]
fn nonsense_answers_are_errors() {
    for (script, what) in [
        ("function route() return 42 end", "a integer"),
        ("function route() return {} end", "neither"),
        (
            "function route() return {group = 'nope'} end",
            "not one of the groups",
        ),
        (
            "function route() return {agent = 'zed'} end",
            "not one of the available",
        ),
        (
            "function route() return {group = 'g1', colour = 'red'} end",
            "unknown field",
        ),
        (
            "function route() return {priority = 'high', group = 'g1'} end",
            "priority is a string",
        ),
        ("function route() return {[1] = 'g1'} end", "not a name"),
    ] {
        match route(script) {
            Err(ScriptError::BadReturn(m)) => assert!(m.contains(what), "{script}: {m}"),
            other => panic!("{script}: {other:?}"),
        }
    }
}

#[test]
fn errors_and_missing_route_are_errors() {
    assert!(matches!(
        route("function route() error('boom') end"),
        Err(ScriptError::Runtime(m)) if m == "route:1: boom"
    ));
    assert!(
        matches!(route("x = 1"), Err(ScriptError::Runtime(m)) if m.contains("no function route"))
    );
    assert!(matches!(
        route("function route( end"),
        Err(ScriptError::Syntax(_))
    ));
    assert!(check_syntax("function route( end").is_err());
    assert!(check_syntax("function route() return nil end").is_ok());
}

#[test]
fn an_endless_loop_runs_out_of_instructions() {
    assert_eq!(
        route("function route() while true do end end"),
        Err(ScriptError::Budget(LIMITS.instructions))
    );
    // Also at load time, outside route().
    assert_eq!(
        route("while true do end"),
        Err(ScriptError::Budget(LIMITS.instructions))
    );
}

#[test]
fn a_slow_script_runs_out_of_time() {
    let limits = Limits {
        instructions: u64::MAX,
        wall: Duration::from_millis(30),
        ..LIMITS
    };
    let started = std::time::Instant::now();
    let r = run(
        "function route() while true do end end",
        &visitor(),
        &agents(),
        &groups(),
        limits,
    );
    assert_eq!(r, Err(ScriptError::Timeout(30)));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_memory_bomb_runs_out_of_memory() {
    let bomb = r#"
        function route()
          local s = "xxxxxxxxxxxxxxxx"
          for i = 1, 40 do s = s .. s end
          return {group = s}
        end"#;
    assert_eq!(route(bomb), Err(ScriptError::Memory(LIMITS.memory)));
    let tables = r#"
        function route()
          local t = {}
          for i = 1, 100 do t[i] = {} for j = 1, 100000 do t[i][j] = j end end
        end"#;
    assert!(matches!(
        route(tables),
        Err(ScriptError::Memory(_) | ScriptError::Budget(_))
    ));
}

#[test]
fn the_outside_world_is_out_of_reach() {
    for call in [
        "os.execute('touch /tmp/pwned')",
        "io.open('/etc/passwd')",
        "require('os')",
        "load('return 1')",
        "loadstring('return 1')",
        "dofile('/etc/passwd')",
        "loadfile('/etc/passwd')",
        "debug.getinfo(1)",
        "string.rep('x', 1e9)",
        "('x'):rep(1e9)",
        "string.dump(route)",
        "collectgarbage('stop')",
        "setmetatable({}, {__gc = function() while true do end end})",
        "package.loadlib('libc.so.6', 'system')",
        "pcall(function() while true do end end)",
        "xpcall(function() while true do end end, print)",
        "warn('@on')",
    ] {
        let script = format!("function route() {call} return nil end");
        match route(&script) {
            Err(ScriptError::Runtime(m)) => assert!(m.contains("nil"), "{call}: {m}"),
            other => panic!("{call}: {other:?}"),
        }
    }
}

#[test]
fn each_run_starts_afresh() {
    let counter = r#"
        n = (n or 0) + 1
        function route() return {group = "g1", priority = n} end"#;
    for _ in 0..2 {
        assert_eq!(
            route(counter).map(|d| d.and_then(|d| d.priority)),
            Ok(Some(1))
        );
    }
}

#[test]
fn a_backtracking_pattern_is_refused_before_it_runs() {
    let evil = r#"
        function route()
          local s = "a"
          for i = 1, 16 do s = s .. s end
          return string.find(s, ".-.-.-.-.-.-b")
        end"#;
    let started = std::time::Instant::now();
    assert!(
        matches!(route(evil), Err(ScriptError::Runtime(m)) if m.contains("pattern too costly"))
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // Ordinary matching, and plain finds on long subjects, still work.
    let fine = r#"
        function route(v)
          local s = string.rep and "" or ("x"):sub(1, 0)
          for i = 1, 12 do s = s .. "abcdefgh" end
          assert(string.find(s .. "/pricing", "/pricing", 1, true))
          local host = string.match(v.page, "^https?://([^/]+)")
          local n = 0
          for w in string.gmatch("a,b,c", "[^,]+") do n = n + 1 end
          local t = string.gsub("a-b", "%-", "+")
          if host == "shop.example" and n == 3 and t == "a+b" then return {group = "g1"} end
        end"#;
    assert_eq!(
        route(fine).map(|d| d.and_then(|d| d.group)),
        Ok(Some("g1".into()))
    );
}
