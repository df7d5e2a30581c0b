//! BM25 over a small collection of short documents (the question variants of the tenant's
//! entries), and a confidence in 0..1 that does not depend on the collection's size.

use std::collections::HashMap;

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// The weight of a question word that no document has.
const UNKNOWN_WEIGHT: f64 = 0.5;

pub struct Index {
    docs: Vec<Vec<String>>,
    df: HashMap<String, usize>,
    avg_len: f64,
}

impl Index {
    pub fn new(docs: Vec<Vec<String>>) -> Index {
        let mut df: HashMap<String, usize> = HashMap::new();
        for d in &docs {
            let mut seen: Vec<&String> = d.iter().collect();
            seen.sort();
            seen.dedup();
            for t in seen {
                *df.entry(t.clone()).or_default() += 1;
            }
        }
        let total: usize = docs.iter().map(Vec::len).sum();
        let avg_len = if docs.is_empty() {
            1.0
        } else {
            (total as f64 / docs.len() as f64).max(1.0)
        };
        Index { docs, df, avg_len }
    }

    fn idf(&self, term: &str) -> f64 {
        let n = self.docs.len() as f64;
        let df = self.df.get(term).copied().unwrap_or(0) as f64;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    fn score(&self, query: &[String], doc: &[String]) -> f64 {
        let len = doc.len() as f64;
        let mut s = 0.0;
        let mut terms: Vec<&String> = query.iter().collect();
        terms.sort();
        terms.dedup();
        for t in terms {
            let tf = doc.iter().filter(|w| *w == t).count() as f64;
            if tf == 0.0 {
                continue;
            }
            s += self.idf(t) * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / self.avg_len));
        }
        s
    }

    /// The best document for `query` and the confidence of the match.
    pub fn best(&self, query: &[String]) -> Option<(usize, f64)> {
        self.ranked(query).into_iter().next()
    }

    /// The documents that share a word with `query`, best first, with the confidence of each:
    /// the geometric mean of how much of the document the query covers (its score against the
    /// document's own) and how much of the query the document covers (by idf weight).
    pub fn ranked(&self, query: &[String]) -> Vec<(usize, f64)> {
        let mut terms: Vec<&String> = query.iter().collect();
        terms.sort();
        terms.dedup();
        // A word no document has (a greeting, a filler) counts less than any word that tells
        // the documents apart.
        let weight = |t: &String| {
            if self.df.contains_key(t.as_str()) {
                self.idf(t).max(0.1)
            } else {
                UNKNOWN_WEIGHT
            }
        };
        let all: f64 = terms.iter().map(|t| weight(t)).sum();
        let mut out = Vec::new();
        for (i, doc) in self.docs.iter().enumerate() {
            let s = self.score(query, doc);
            if s <= 0.0 || all <= 0.0 {
                continue;
            }
            let own = self.score(doc, doc);
            let doc_cover = if own > 0.0 { (s / own).min(1.0) } else { 0.0 };
            let hit: f64 = terms
                .iter()
                .filter(|t| doc.contains(t))
                .map(|t| weight(t))
                .sum();
            out.push((i, (doc_cover * hit / all).sqrt()));
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn the_matching_document_wins_with_high_confidence() {
        let index = Index::new(vec![
            words("reset password"),
            words("shipping time"),
            words("refund order"),
        ]);
        let (i, c) = index.best(&words("reset password")).unwrap();
        assert_eq!(i, 0);
        assert!(c > 0.99, "{c}");
        let (i, c) = index.best(&words("refund")).unwrap();
        assert_eq!(i, 2);
        assert!(c > 0.3 && c < 0.9, "{c}");
        let (_, c) = index
            .best(&words("password weather forecast tomorrow"))
            .unwrap();
        assert!(c < 0.5, "{c}");
        assert!(index.best(&words("unrelated")).is_none());
    }
}
