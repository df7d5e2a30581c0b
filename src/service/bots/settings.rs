//! A tenant's bot settings: the chain, each bot's settings and the handover rules. Stored as
//! JSON beside the sealed model key; checked here.

use serde::{Deserialize, Serialize};

use crate::service::{Checks, ServiceResult};

/// The bots a chain may name.
pub const BOTS: &[&str] = &["knowledge", "model"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BotConfig {
    /// The bots asked in order, e.g. `["knowledge", "model"]`.
    pub chain: Vec<String>,
    /// The name visitors see on bot messages.
    pub display_name: String,
    /// Answers the bots may give in a conversation before it goes to a human.
    pub max_turns: u32,
    /// What the visitor is told when the conversation goes to a human.
    pub handover_message: String,
    /// A visitor message whose sentiment scores below this (−1 to 1, see docs/bots.md) goes to
    /// a human instead of the bots; −1 turns the rule off.
    pub handover_below: f64,
    pub knowledge: KnowledgeConfig,
    pub model: ModelConfig,
    /// Hybrid mode: the model drafts a reply to each visitor message in a conversation an
    /// agent holds; the agent approves (edited or not) or dismisses it. Works whether the
    /// chain is on or not.
    pub hybrid: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct KnowledgeConfig {
    /// Lowest confidence (0 to 1) at which an entry answers.
    pub threshold: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ModelConfig {
    /// The OpenAI-compatible API's base, e.g. `http://127.0.0.1:11434/v1`; the request goes
    /// to `<base_url>/chat/completions`.
    pub base_url: String,
    pub model: String,
    /// The tenant's instructions, first in every prompt.
    pub instructions: String,
    /// How long a whole answer may take.
    pub timeout_ms: u64,
    pub max_tokens: u32,
    /// Tokens a month; 0 means no cap.
    pub monthly_token_cap: u64,
    /// Messages of the conversation in the prompt.
    pub history: u32,
    /// Stream the answer (`stream: true`).
    pub stream: bool,
}

impl Default for BotConfig {
    fn default() -> Self {
        BotConfig {
            chain: Vec::new(),
            display_name: "Assistant".into(),
            max_turns: 5,
            handover_message: "Let me connect you with a person who can help.".into(),
            handover_below: -0.5,
            knowledge: KnowledgeConfig::default(),
            model: ModelConfig::default(),
            hybrid: false,
        }
    }
}

impl Default for KnowledgeConfig {
    fn default() -> Self {
        KnowledgeConfig { threshold: 0.5 }
    }
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            base_url: String::new(),
            model: String::new(),
            instructions: "You are a helpful customer-support assistant. Answer briefly.".into(),
            timeout_ms: 15_000,
            max_tokens: 400,
            monthly_token_cap: 0,
            history: 20,
            stream: true,
        }
    }
}

impl BotConfig {
    /// The stored form; unreadable JSON counts as the defaults (the chain off).
    pub fn parse(json: &str) -> BotConfig {
        serde_json::from_str(json).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unreadable bot settings: using the defaults");
            BotConfig::default()
        })
    }

    pub fn check(&self, enabled: bool) -> ServiceResult<()> {
        let mut c = Checks::default();
        if self.chain.len() > BOTS.len() {
            c.fail("chain", "names each bot at most once");
        }
        for (i, name) in self.chain.iter().enumerate() {
            if !BOTS.contains(&name.as_str()) {
                c.fail(
                    "chain",
                    format!("unknown bot {name:?}; known: {}", BOTS.join(", ")),
                );
            } else if self.chain[..i].contains(name) {
                c.fail("chain", format!("{name} is named twice"));
            }
        }
        if enabled && self.chain.is_empty() {
            c.fail("chain", "an enabled chain needs at least one bot");
        }
        let name = self.display_name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            c.fail("display_name", "must be 1 to 60 characters");
        }
        if self.max_turns == 0 || self.max_turns > 100 {
            c.fail("max_turns", "must be 1 to 100");
        }
        if self.handover_message.chars().count() > 1000 {
            c.fail("handover_message", "at most 1000 characters");
        }
        if !(-1.0..=1.0).contains(&self.handover_below) {
            c.fail("handover_below", "must be -1 to 1");
        }
        if !(0.0..=1.0).contains(&self.knowledge.threshold) {
            c.fail("knowledge.threshold", "must be 0 to 1");
        }
        let m = &self.model;
        if self.hybrid || self.chain.iter().any(|b| b == "model") {
            match url::Url::parse(&m.base_url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => c.fail("model.base_url", "must be an http(s) URL"),
            }
            if m.model.trim().is_empty() {
                c.fail(
                    "model.model",
                    "is required when the chain has the model or hybrid mode is on",
                );
            }
        }
        if m.model.chars().count() > 200 {
            c.fail("model.model", "at most 200 characters");
        }
        if m.instructions.chars().count() > 8000 {
            c.fail("model.instructions", "at most 8000 characters");
        }
        if !(500..=120_000).contains(&m.timeout_ms) {
            c.fail("model.timeout_ms", "must be 500 to 120000");
        }
        if !(1..=8192).contains(&m.max_tokens) {
            c.fail("model.max_tokens", "must be 1 to 8192");
        }
        // Token counts are kept as signed 64-bit numbers (as the API document says).
        if i64::try_from(m.monthly_token_cap).is_err() {
            c.fail("model.monthly_token_cap", "at most 9223372036854775807");
        }
        if m.history > 100 {
            c.fail("model.history", "at most 100");
        }
        c.finish()
    }
}
