//! The one interface every bot implements, and what a bot sees and answers.

use futures_util::future::BoxFuture;

use crate::store::Message;

/// What a bot is asked: one visitor message, in its conversation's context.
pub struct Turn {
    pub tenant_id: String,
    pub conversation_id: String,
    /// The visitor's message.
    pub question: String,
    /// The conversation so far (bounded), oldest first, the question last.
    pub history: Vec<Message>,
}

/// A bot's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub text: String,
    /// 0.0 to 1.0: how sure the bot is. Below the bot's threshold the next bot is asked.
    pub confidence: f64,
    /// The bot asks to hand the conversation to a human (with why).
    pub handover: Option<String>,
    /// The knowledge-base entry behind the answer, if any.
    pub entry_id: Option<String>,
    /// Language-model tokens used.
    pub tokens: i64,
}

impl Reply {
    pub fn text(text: impl Into<String>, confidence: f64) -> Reply {
        Reply {
            text: text.into(),
            confidence,
            handover: None,
            entry_id: None,
            tokens: 0,
        }
    }
}

/// Why a bot could not answer. Every failure hands the conversation over at once.
#[derive(Debug, thiserror::Error)]
pub enum BotFailure {
    #[error("the model did not answer in time")]
    Timeout,
    #[error("the model is unreachable: {0}")]
    Unreachable(String),
    #[error("the model answered HTTP {0}")]
    Status(u16),
    #[error("the model's answer is unusable: {0}")]
    Garbage(String),
    #[error("the monthly token cap is reached")]
    OverCap,
    #[error("the bot is not set up: {0}")]
    NotSetUp(&'static str),
    #[error("{0}")]
    Internal(String),
}

impl BotFailure {
    /// A short stable name, recorded with the turn.
    pub fn code(&self) -> &'static str {
        match self {
            BotFailure::Timeout => "model_timeout",
            BotFailure::Unreachable(_) => "model_unreachable",
            BotFailure::Status(_) => "model_error",
            BotFailure::Garbage(_) => "model_garbage",
            BotFailure::OverCap => "token_cap",
            BotFailure::NotSetUp(_) => "not_set_up",
            BotFailure::Internal(_) => "internal",
        }
    }
}

/// A bot of the chain. Adding a bot means adding a module that implements this and naming it
/// in `chain::build`.
pub trait Bot: Send + Sync {
    /// The name the chain setting uses, e.g. `knowledge`.
    fn name(&self) -> &'static str;

    /// Answers the turn; `Ok(None)` when the bot has nothing to say (the next bot is asked).
    fn respond<'a>(&'a self, turn: &'a Turn) -> BoxFuture<'a, Result<Option<Reply>, BotFailure>>;
}
