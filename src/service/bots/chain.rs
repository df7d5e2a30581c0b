//! The tenant's chain: its bots in order, built from the settings for one turn.

use super::bot::Bot;
use super::knowledge::KnowledgeBot;
use super::model::{ModelBot, Partial};
use super::settings::BotConfig;
use crate::store::Store;

/// What the bots of a chain may need.
pub struct Parts {
    pub store: Store,
    pub http: reqwest::Client,
    /// The model's API key, opened.
    pub model_key: Option<String>,
    pub partial: Partial,
}

/// The bots the settings name, in their order.
pub fn build(config: &BotConfig, parts: Parts) -> Vec<Box<dyn Bot>> {
    let mut chain: Vec<Box<dyn Bot>> = Vec::new();
    for name in &config.chain {
        match name.as_str() {
            "knowledge" => chain.push(Box::new(KnowledgeBot {
                store: parts.store.clone(),
                threshold: config.knowledge.threshold,
            })),
            "model" => chain.push(Box::new(ModelBot {
                store: parts.store.clone(),
                http: parts.http.clone(),
                config: config.model.clone(),
                key: parts.model_key.clone(),
                partial: parts.partial.clone(),
            })),
            other => tracing::warn!(bot = other, "unknown bot in a chain: skipped"),
        }
    }
    chain
}
