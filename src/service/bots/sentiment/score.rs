//! The scorer: a text → a mood from −1 (angry) to 1 (happy), 0 when nothing in it carries one.
//!
//! English is split into words; Chinese, which has no spaces, is cut by longest match against
//! the lexicon (up to four characters). A negator ("not", "不") turns the next mood word around
//! and weakens it; an intensifier ("very", "非常") scales it; punctuation ends their reach.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::lexicon;

/// How much of a mood survives a negation ("not great" is less bad than "terrible").
const NEGATION: f32 = 0.74;
/// Words between a modifier and the mood word it still reaches.
const REACH: u8 = 3;
/// Longest Chinese lexicon entry, in characters.
const CJK_LONGEST: usize = 4;
/// Softness of the squashing into −1..1: a sum of ±√15 scores ±0.71.
const SQUASH: f32 = 15.0;

/// What one token can mean; a token such as "no" or "好" may be a mood word or a modifier,
/// decided by what follows it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Token {
    mood: Option<f32>,
    negator: bool,
    boost: Option<f32>,
    /// Punctuation: negation and intensity stop here.
    stop: bool,
}

struct Lexicon {
    words: HashMap<&'static str, Token>,
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut words: HashMap<&'static str, Token> = HashMap::new();
        for (w, v) in lexicon::ENGLISH.iter().chain(lexicon::CHINESE) {
            words.entry(*w).or_default().mood = Some(*v);
        }
        for w in lexicon::ENGLISH_NEGATORS
            .iter()
            .chain(lexicon::CHINESE_NEGATORS)
        {
            words.entry(*w).or_default().negator = true;
        }
        for (w, b) in lexicon::ENGLISH_INTENSIFIERS
            .iter()
            .chain(lexicon::CHINESE_INTENSIFIERS)
        {
            words.entry(*w).or_default().boost = Some(*b);
        }
        for w in lexicon::CHINESE_NEUTRAL {
            words.entry(*w).or_default();
        }
        Lexicon { words }
    })
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

fn is_stop(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | '!' | '?' | ';' | ':' | '\n' | '。' | '，' | '！' | '？' | '；' | '：' | '、'
    )
}

/// The text as tokens; words outside the lexicon count as plain tokens (they end a modifier's
/// reach after `REACH` of them).
fn tokens(text: &str) -> Vec<Token> {
    let lex = lexicon();
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_cjk(c) {
            let mut end = i;
            while end < chars.len() && is_cjk(chars[end]) {
                end += 1;
            }
            cut_chinese(lex, &chars[i..end], &mut out);
            i = end;
        } else if c.is_alphanumeric() {
            let mut word = String::new();
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '\'' | '’'))
                && !is_cjk(chars[i])
            {
                if chars[i].is_alphanumeric() {
                    word.extend(chars[i].to_lowercase());
                }
                i += 1;
            }
            out.push(lex.words.get(word.as_str()).copied().unwrap_or_default());
        } else {
            if is_stop(c) {
                out.push(Token {
                    stop: true,
                    ..Token::default()
                });
            }
            i += 1;
        }
    }
    out
}

/// Longest match first against the lexicon; a character that starts no entry is a plain token.
fn cut_chinese(lex: &Lexicon, run: &[char], out: &mut Vec<Token>) {
    let mut i = 0;
    let mut buf = String::new();
    while i < run.len() {
        let mut taken = 1;
        let mut token = Token::default();
        for len in (1..=CJK_LONGEST.min(run.len() - i)).rev() {
            buf.clear();
            buf.extend(&run[i..i + len]);
            if let Some(t) = lex.words.get(buf.as_str()) {
                taken = len;
                token = *t;
                break;
            }
        }
        out.push(token);
        i += taken;
    }
}

/// The mood of `text`, from −1 to 1 (three decimals).
pub fn score(text: &str) -> f32 {
    let toks = tokens(text);
    let mut sum = 0.0f32;
    let mut negate = false;
    let mut boost = 1.0f32;
    let mut since = 0u8;
    for (i, t) in toks.iter().enumerate() {
        if t.stop {
            (negate, boost, since) = (false, 1.0, 0);
            continue;
        }
        // A word that is both (e.g. "no", "好") modifies when a mood word comes next.
        let next_is_mood = toks.get(i + 1).is_some_and(|n| n.mood.is_some() && !n.stop);
        let modifies = (t.negator || t.boost.is_some()) && (t.mood.is_none() || next_is_mood);
        if modifies {
            if t.negator {
                negate = !negate;
            }
            if let Some(b) = t.boost {
                boost *= b;
            }
            since = 0;
        } else if let Some(v) = t.mood {
            let mut s = v * boost;
            if negate {
                s = -s * NEGATION;
            }
            sum += s;
            (negate, boost, since) = (false, 1.0, 0);
        } else {
            since += 1;
            if since > REACH {
                (negate, boost, since) = (false, 1.0, 0);
            }
        }
    }
    if sum != 0.0 && text.contains(['!', '！']) {
        sum *= 1.15;
    }
    let squashed = (sum / (sum * sum + SQUASH).sqrt()).clamp(-1.0, 1.0);
    (squashed * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::score;

    #[test]
    fn english_moods_have_their_sign() {
        assert!(score("I love this, great service!") > 0.5);
        assert!(score("Thanks, that was really helpful") > 0.3);
        assert!(score("This is terrible, the worst support ever") < -0.5);
        assert!(score("I am so frustrated and angry") < -0.5);
    }

    #[test]
    fn english_negation_turns_a_mood_around() {
        assert!(score("good") > 0.0);
        assert!(score("not good") < 0.0);
        assert!(score("bad") < 0.0);
        assert!(score("not bad at all") > 0.0);
        assert!(score("It doesn't work, this isn't helpful") < 0.0);
        assert!(score("no problem") > 0.0);
        // Punctuation ends a negation's reach.
        assert!(score("not now. great") > 0.0);
    }

    #[test]
    fn intensifiers_scale_and_negation_weakens() {
        assert!(score("very good") > score("good"));
        assert!(score("slightly bad") > score("bad"));
        assert!(score("not terrible") > score("terrible"));
        assert!(score("not terrible") < score("great"));
    }

    #[test]
    fn chinese_moods_have_their_sign() {
        assert!(score("服务很好，谢谢！") > 0.5);
        assert!(score("太差了，我要投诉") < -0.5);
        assert!(score("非常满意") > score("满意"));
        assert!(score("这个产品真垃圾") < -0.5);
    }

    #[test]
    fn chinese_negation_and_fixed_phrases() {
        assert!(score("好") > 0.0);
        assert!(score("不好") < 0.0);
        assert!(score("不满意") < 0.0);
        // "不错" (not wrong) and "没问题" (no problem) are good.
        assert!(score("不错") > 0.0);
        assert!(score("没问题") > 0.0);
        assert!(score("没有问题") > 0.0);
        // "好" before a mood word intensifies it: "好慢" is "so slow".
        assert!(score("好慢") < 0.0);
        assert!(score("好慢") < score("慢"));
    }

    #[test]
    fn mixed_languages_and_nothing_to_score() {
        assert_eq!(score(""), 0.0);
        assert_eq!(score("hello, my order number is 12345"), 0.0);
        assert_eq!(score("你好，我想问一下订单"), score("我想问一下订单"));
        assert!(score("the app 很好用 thanks") > 0.3);
        let s = score("😡😡 !!! ???");
        assert!((-1.0..=1.0).contains(&s));
    }

    #[test]
    fn scores_stay_within_bounds() {
        let rave = "great ".repeat(500);
        let rant = "垃圾".repeat(500);
        assert!(score(&rave) <= 1.0 && score(&rave) > 0.9);
        assert!(score(&rant) >= -1.0 && score(&rant) < -0.9);
    }
}
