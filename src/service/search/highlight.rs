//! Where a search text occurs in a field, as a short snippet with marked ranges. Offsets count
//! Unicode code points (not bytes, not UTF-16 units) of the snippet's text, so a client marks
//! them without parsing anything as HTML.

/// Characters of context kept before the first match.
const BEFORE: usize = 40;
/// Longest snippet, in characters, not counting the "…" marks.
const SNIPPET_CHARS: usize = 160;

/// A piece of a field with the matches marked: `[start, end)` in code points of `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    pub marks: Vec<(usize, usize)>,
}

/// One character folded for comparison (its first lower-case form).
fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Non-overlapping occurrences of `needle` in `field`, compared in lower case, as code point
/// ranges of `field`.
pub fn occurrences(field: &str, needle: &str) -> Vec<(usize, usize)> {
    let hay: Vec<char> = field.chars().map(fold).collect();
    let pin: Vec<char> = needle.chars().map(fold).collect();
    let mut found = Vec::new();
    if pin.is_empty() || pin.len() > hay.len() {
        return found;
    }
    let mut at = 0;
    while at + pin.len() <= hay.len() {
        if hay[at..at + pin.len()] == pin[..] {
            found.push((at, at + pin.len()));
            at += pin.len();
        } else {
            at += 1;
        }
    }
    found
}

/// The snippet of `field` around the first occurrence of `needle`; None when it does not occur.
pub fn snippet(field: &str, needle: &str) -> Option<Snippet> {
    let all = occurrences(field, needle);
    let first = all.first()?;
    let chars: Vec<char> = field.chars().collect();
    let start = first.0.saturating_sub(BEFORE);
    let end = (start + SNIPPET_CHARS).min(chars.len());
    let lead = usize::from(start > 0);
    let mut text: String = if start > 0 {
        "…".into()
    } else {
        String::new()
    };
    text.extend(&chars[start..end]);
    if end < chars.len() {
        text.push('…');
    }
    let marks = all
        .into_iter()
        .filter(|(s, _)| *s >= start && *s < end)
        .map(|(s, e)| (s - start + lead, e.min(end) - start + lead))
        .collect();
    Some(Snippet { text, marks })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_every_match_case_insensitively() {
        let s = snippet("Parcel? my parcel", "PARCEL").unwrap();
        assert_eq!(s.text, "Parcel? my parcel");
        assert_eq!(s.marks, vec![(0, 6), (11, 17)]);
    }

    #[test]
    fn offsets_count_code_points_and_cuts_are_marked() {
        let body = format!("{}我的包裹在哪里", "x".repeat(50));
        let s = snippet(&body, "包裹").unwrap();
        assert!(s.text.starts_with('…'));
        let chars: Vec<char> = s.text.chars().collect();
        let (a, b) = s.marks[0];
        assert_eq!(chars[a..b].iter().collect::<String>(), "包裹");
    }

    #[test]
    fn absent_text_has_no_snippet() {
        assert_eq!(snippet("hello", "bye"), None);
    }
}
