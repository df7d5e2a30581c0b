//! Property tests of the realtime frame parser (`ws::protocol::parse`): arbitrary text, arbitrary
//! JSON and frame-shaped objects with random fields never panic it, and a refused frame that is a
//! JSON object with a string `id` carries that `id` back (docs/protocol.md §2); anything else is
//! refused without one.

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Number, Value};
use uniqchat::ws::protocol::{parse, CLIENT_TYPES};

/// Every field name a client frame has, so random objects often hit real fields.
const FIELDS: [&str; 16] = [
    "type",
    "id",
    "conversation_id",
    "client_msg_id",
    "body",
    "conversations",
    "seq",
    "on",
    "rating",
    "comment",
    "to_agent_id",
    "to_group_id",
    "note",
    "reason",
    "status",
    "extra",
];

/// Text with control characters, quotes, escapes, non-BMP and invalid-looking surrogate escapes.
fn junk_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\\x00-\\x1f\\x7f\"\\\\a-z0-9 ]{0,16}",
        any::<String>(),
        Just("\u{0}".to_string()),
        Just("\u{202e}\u{feff}\u{10ffff}".to_string()),
        Just("x".repeat(5000)),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        Just(Value::from(i64::MIN)),
        Just(Value::from(u64::MAX)),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        Just(Value::from(1e308)),
        Just(Value::from(-0.0)),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        junk_text().prop_map(Value::String),
        prop::sample::select(CLIENT_TYPES.to_vec()).prop_map(Value::from),
        prop::sample::select(vec!["online", "away", "busy", "visitor", "agent"])
            .prop_map(Value::from),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(FIELDS.to_vec()).prop_map(str::to_string),
        1 => junk_text(),
    ]
}

/// Arbitrary JSON, nested up to a few levels.
fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An object shaped like a client frame: a real (or random) `type`, an `id` that is usually a
/// string, and random fields with random values.
fn frame_like() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        4 => prop::sample::select(CLIENT_TYPES.to_vec()).prop_map(Value::from),
        1 => json(),
    ];
    let id = prop_oneof![
        3 => junk_text().prop_map(Value::String),
        1 => json(),
    ];
    (
        prop::option::of(kind),
        prop::option::of(id),
        prop::collection::btree_map(key(), json(), 0..6),
    )
        .prop_map(|(kind, id, fields)| {
            let mut m: Map<String, Value> = fields.into_iter().collect();
            if let Some(k) = kind {
                m.insert("type".into(), k);
            }
            if let Some(i) = id {
                m.insert("id".into(), i);
            }
            Value::Object(m)
        })
}

/// Text that is almost a frame: a valid-looking frame cut short or with bytes spliced in, or a
/// number no integer type holds.
fn mangled_text() -> impl Strategy<Value = String> {
    (
        frame_like(),
        any::<prop::sample::Index>(),
        "[\\x00-\\x20{}\\[\\]\",:0-9e.+-]{0,8}",
        "-?[0-9]{1,400}(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,4})?",
    )
        .prop_flat_map(|(frame, at, splice, big)| {
            let text = frame.to_string();
            let cut = at.index(text.len() + 1);
            let cut = (0..=cut)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            prop_oneof![
                Just(text[..cut].to_string()),
                Just(format!("{}{splice}{}", &text[..cut], &text[cut..])),
                Just(format!(
                    r#"{{"type":"read","id":"n","conversation_id":"c","seq":{big}}}"#
                )),
                Just(format!(r#"{{"type":"rate","id":{big},"rating":{big}}}"#)),
            ]
        })
}

/// The parser's answer to `text` agrees with what the text is: a refusal carries the `id` exactly
/// when the text is a JSON object with a string `id`.
fn check(text: &str) -> Result<(), TestCaseError> {
    let expected_id = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string));
    match parse(text) {
        Ok(_) => {}
        Err(e) => {
            prop_assert!(
                ["invalid_frame", "unknown_type", "validation_failed"].contains(&e.code()),
                "unexpected code {} for {text:?}",
                e.code()
            );
            prop_assert!(!e.message().is_empty());
            prop_assert_eq!(e.id, expected_id, "for {:?}", text);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn arbitrary_json_never_panics(value in json()) {
        check(&value.to_string())?;
    }

    #[test]
    fn frame_like_objects_keep_their_id(value in frame_like()) {
        check(&value.to_string())?;
    }

    #[test]
    fn mangled_frames_never_panic(text in mangled_text()) {
        check(&text)?;
    }
}

/// Deep nesting (beyond serde_json's recursion limit) is refused, not a stack overflow.
#[test]
fn deep_nesting_is_refused() {
    for depth in [100, 127, 128, 129, 10_000] {
        let text = format!(
            r#"{{"type":"ping","id":"d","x":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        check(&text).expect("deep nesting");
    }
}
