//! Admins manage the entries: checked drafts in, entries with their lists out.

use serde::Serialize;

use crate::service::{Checks, ServiceResult};
use crate::store::{KnowledgeEntry, KnowledgeInput};

const QUESTIONS_MAX: usize = 20;
const QUESTION_CHARS: usize = 500;
const ANSWER_CHARS: usize = 4000;
const TAGS_MAX: usize = 20;
const TAG_CHARS: usize = 40;

/// An entry as an admin writes it.
pub struct EntryDraft {
    pub questions: Vec<String>,
    pub answer: String,
    pub tags: Vec<String>,
    pub language: String,
}

/// An entry as the service hands it out.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: String,
    pub questions: Vec<String>,
    pub answer: String,
    pub tags: Vec<String>,
    pub language: String,
    pub helpful: i32,
    pub unhelpful: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn list_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

pub(super) fn questions_of(e: &KnowledgeEntry) -> Vec<String> {
    list_of(&e.questions)
}

impl From<KnowledgeEntry> for Entry {
    fn from(e: KnowledgeEntry) -> Self {
        Entry {
            questions: list_of(&e.questions),
            tags: list_of(&e.tags),
            id: e.id,
            answer: e.answer,
            language: e.language,
            helpful: e.helpful,
            unhelpful: e.unhelpful,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

fn trimmed(list: Vec<String>) -> Vec<String> {
    list.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl EntryDraft {
    /// The draft as stored, or every field that is wrong.
    pub fn checked(self) -> ServiceResult<KnowledgeInput> {
        let mut c = Checks::default();
        let questions = trimmed(self.questions);
        if questions.is_empty() || questions.len() > QUESTIONS_MAX {
            c.fail(
                "questions",
                format!("1 to {QUESTIONS_MAX} non-blank questions"),
            );
        }
        if questions.iter().any(|q| q.chars().count() > QUESTION_CHARS) {
            c.fail(
                "questions",
                format!("each at most {QUESTION_CHARS} characters"),
            );
        }
        let answer = self.answer.trim().to_string();
        if answer.is_empty() || answer.chars().count() > ANSWER_CHARS {
            c.fail("answer", format!("must be 1 to {ANSWER_CHARS} characters"));
        }
        let tags = trimmed(self.tags);
        if tags.len() > TAGS_MAX || tags.iter().any(|t| t.chars().count() > TAG_CHARS) {
            c.fail(
                "tags",
                format!("at most {TAGS_MAX} tags of {TAG_CHARS} characters"),
            );
        }
        let language = self.language.trim().to_string();
        let valid_language = !language.is_empty()
            && language.len() <= 16
            && language
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-');
        if !valid_language {
            c.fail("language", "a language tag such as en or zh-CN");
        }
        c.finish()?;
        Ok(KnowledgeInput {
            questions: serde_json::to_string(&questions).unwrap_or_else(|_| "[]".into()),
            answer,
            tags: serde_json::to_string(&tags).unwrap_or_else(|_| "[]".into()),
            language,
        })
    }
}
