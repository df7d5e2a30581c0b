//! The language-model bot: any OpenAI-compatible chat-completions API the admin points it at
//! (a hosted provider, or Ollama, vLLM, llama.cpp's server on the customer's own network).
//! Tokens are counted per tenant per month; over the cap the conversation goes to a human.

mod client;
mod prompt;

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::bot::{Bot, BotFailure, Reply, Turn};
use super::knowledge::Matcher;
use super::settings::ModelConfig;
use crate::store::Store;

/// Knowledge-base entries given to the model with the question.
const PASSAGES: usize = 3;

/// Hears the answer's text so far while it streams in.
pub type Partial = Arc<dyn Fn(&str) + Send + Sync>;

pub struct ModelBot {
    pub store: Store,
    pub http: reqwest::Client,
    pub config: ModelConfig,
    /// The API key, opened.
    pub key: Option<String>,
    pub partial: Partial,
}

/// The month a use of tokens counts in (`YYYY-MM`, UTC).
pub fn month_now() -> String {
    chrono::Utc::now().format("%Y-%m").to_string()
}

impl ModelBot {
    async fn answer(&self, turn: &Turn) -> Result<Reply, BotFailure> {
        let matcher = Matcher::load(&self.store, &turn.tenant_id).await?;
        let passages = matcher.passages(&turn.question, PASSAGES);
        let messages = prompt::messages(&self.config.instructions, &passages, &turn.history);
        self.ask(&turn.tenant_id, messages).await
    }

    /// One request with these prompt messages, counted against the tenant's monthly cap.
    pub async fn ask(&self, tenant_id: &str, messages: Vec<Value>) -> Result<Reply, BotFailure> {
        let month = month_now();
        if self.config.monthly_token_cap > 0 {
            let used = self
                .store
                .bot_tokens(tenant_id, &month)
                .await
                .map_err(|e| BotFailure::Internal(e.to_string()))?;
            if used >= i64::try_from(self.config.monthly_token_cap).unwrap_or(i64::MAX) {
                return Err(BotFailure::OverCap);
            }
        }
        let request = client::Request {
            base_url: &self.config.base_url,
            key: self.key.as_deref(),
            model: &self.config.model,
            messages,
            max_tokens: self.config.max_tokens,
            stream: self.config.stream,
        };
        let wait = Duration::from_millis(self.config.timeout_ms);
        let done = tokio::time::timeout(
            wait,
            client::complete(&self.http, request, self.partial.as_ref()),
        )
        .await
        .map_err(|_| BotFailure::Timeout)??;
        if let Err(e) = self
            .store
            .add_bot_tokens(tenant_id, &month, done.tokens)
            .await
        {
            tracing::warn!(error = %e, tenant = %tenant_id, "cannot record token use");
        }
        let mut reply = Reply::text(done.text, 1.0);
        reply.tokens = done.tokens;
        Ok(reply)
    }
}

impl Bot for ModelBot {
    fn name(&self) -> &'static str {
        "model"
    }

    fn respond<'a>(&'a self, turn: &'a Turn) -> BoxFuture<'a, Result<Option<Reply>, BotFailure>> {
        Box::pin(async move {
            if self.config.base_url.is_empty() || self.config.model.is_empty() {
                return Err(BotFailure::NotSetUp("model.base_url and model.model"));
            }
            self.answer(turn).await.map(Some)
        })
    }
}
