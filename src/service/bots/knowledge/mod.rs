//! The knowledge base: admin-managed question-and-answer entries, matched locally (no model
//! call) by BM25 over the entries' question variants, English and Chinese alike.

mod bm25;
mod entries;
mod tokenize;

use futures_util::future::BoxFuture;

pub use entries::{Entry, EntryDraft};
pub use tokenize::tokenize;

use super::bot::{Bot, BotFailure, Reply, Turn};
use crate::store::{KnowledgeEntry, Store};

/// Least confidence for an entry to be given to the model as a passage.
const PASSAGE_MIN: f64 = 0.2;

/// The tenant's entries, indexed by question variant.
pub struct Matcher {
    entries: Vec<KnowledgeEntry>,
    /// The entry of each indexed question variant.
    owner: Vec<usize>,
    index: bm25::Index,
}

impl Matcher {
    pub async fn load(store: &Store, tenant_id: &str) -> Result<Matcher, BotFailure> {
        let entries = store
            .list_knowledge_entries(tenant_id)
            .await
            .map_err(|e| BotFailure::Internal(e.to_string()))?;
        let mut owner = Vec::new();
        let mut docs = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            for q in entries::questions_of(e) {
                owner.push(i);
                docs.push(tokenize(&q));
            }
        }
        Ok(Matcher {
            entries,
            owner,
            index: bm25::Index::new(docs),
        })
    }

    /// The best entry for the question and the confidence of the match.
    pub fn best(&self, question: &str) -> Option<(&KnowledgeEntry, f64)> {
        let (doc, confidence) = self.index.best(&tokenize(question))?;
        Some((&self.entries[self.owner[doc]], confidence))
    }

    /// Up to `n` distinct entries that bear on the question, best first.
    pub fn passages(&self, question: &str, n: usize) -> Vec<&KnowledgeEntry> {
        let mut seen = Vec::new();
        for (doc, confidence) in self.index.ranked(&tokenize(question)) {
            if confidence < PASSAGE_MIN || seen.len() == n {
                break;
            }
            if !seen.contains(&self.owner[doc]) {
                seen.push(self.owner[doc]);
            }
        }
        seen.into_iter().map(|i| &self.entries[i]).collect()
    }
}

/// Answers from the knowledge base when an entry matches with at least `threshold`.
pub struct KnowledgeBot {
    pub store: Store,
    pub threshold: f64,
}

impl Bot for KnowledgeBot {
    fn name(&self) -> &'static str {
        "knowledge"
    }

    fn respond<'a>(&'a self, turn: &'a Turn) -> BoxFuture<'a, Result<Option<Reply>, BotFailure>> {
        Box::pin(async move {
            let matcher = Matcher::load(&self.store, &turn.tenant_id).await?;
            let Some((entry, confidence)) = matcher.best(&turn.question) else {
                return Ok(None);
            };
            tracing::debug!(entry = %entry.id, confidence, "knowledge match");
            if confidence < self.threshold {
                return Ok(None);
            }
            let mut reply = Reply::text(entry.answer.clone(), confidence);
            reply.entry_id = Some(entry.id.clone());
            Ok(Some(reply))
        })
    }
}
