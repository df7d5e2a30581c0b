//! When the bots hand over, and the note the agent who takes the conversation reads.

/// English words that ask for a person.
const ASK_WORDS: &[&str] = &["human", "agent", "person", "operator", "representative"];

/// Chinese phrases that ask for a person.
const ASK_PHRASES: &[&str] = &["人工", "转人工", "真人", "人工客服"];

/// Whether the visitor asks for a person ("human", "agent", "人工", "转人工", …).
pub fn asked_for_human(text: &str) -> bool {
    if ASK_PHRASES.iter().any(|p| text.contains(p)) {
        return true;
    }
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| ASK_WORDS.contains(&w) || ASK_WORDS.contains(&w.trim_end_matches('s')))
}

/// Why the bots hand a conversation over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    VisitorAsked,
    /// The visitor's message reads as upset (its sentiment is under the tenant's threshold).
    Upset,
    LowConfidence,
    TurnLimit,
    BotsOff,
    Busy,
    /// The node answering stopped mid-turn.
    Interrupted,
    /// A bot failed (its failure code).
    Failed(&'static str),
}

impl Why {
    pub fn code(self) -> &'static str {
        match self {
            Why::VisitorAsked => "visitor_asked",
            Why::Upset => "negative_sentiment",
            Why::LowConfidence => "low_confidence",
            Why::TurnLimit => "turn_limit",
            Why::BotsOff => "bots_off",
            Why::Busy => "busy",
            Why::Interrupted => "interrupted",
            Why::Failed(code) => code,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Why::VisitorAsked => "the visitor asked for a person",
            Why::Upset => "the visitor seems upset",
            Why::LowConfidence => "no bot was confident of an answer",
            Why::TurnLimit => "the bots answered as many times as the tenant allows",
            Why::BotsOff => "the bots were turned off",
            Why::Busy => "the bots were too busy to answer",
            Why::Interrupted => "the bot's answer was interrupted (a server stopped)",
            Why::Failed("model_timeout") => "the language model did not answer in time",
            Why::Failed("token_cap") => "the monthly token cap is reached",
            Why::Failed(_) => "the language model failed",
        }
    }
}

/// The internal note for the agent: why, how far the bots got, and the last question.
pub fn summary(why: Why, answered: u64, question: &str) -> String {
    let mut note = format!(
        "Handed over by the bot: {}. Bot answers so far: {answered}.",
        why.describe()
    );
    let question: String = question.trim().chars().take(500).collect();
    if !question.is_empty() {
        note.push_str(&format!(" Last question: «{question}»"));
    }
    note
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asking_for_a_person_is_heard_in_both_languages() {
        for ask in [
            "human",
            "Can I talk to an agent?",
            "人工",
            "转人工",
            "我要人工客服",
            "HUMAN please",
        ] {
            assert!(asked_for_human(ask), "{ask}");
        }
        for not in [
            "How do I reset my password?",
            "怎么退货",
            "humane treatment",
            "management",
        ] {
            assert!(!asked_for_human(not), "{not}");
        }
    }
}
