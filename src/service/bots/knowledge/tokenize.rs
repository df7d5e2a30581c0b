//! Words for matching: English (and other Latin-script text) as lowercase words without common
//! stop words and plural `s`; Chinese segmented into words by jieba, without particles.

use std::sync::LazyLock;

use jieba_rs::Jieba;

/// The segmenter and its dictionary, loaded once, on first use.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

const ENGLISH_STOP: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "but", "by", "can", "could",
    "did", "do", "does", "for", "from", "get", "had", "has", "have", "hello", "hi", "how", "i",
    "if", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "please", "so", "some",
    "that", "the", "their", "them", "then", "there", "this", "to", "us", "was", "we", "what",
    "when", "where", "which", "who", "why", "will", "with", "would", "you", "your",
];

const CHINESE_STOP: &[&str] = &[
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "我",
    "你",
    "您",
    "他",
    "她",
    "它",
    "我们",
    "你们",
    "是",
    "在",
    "有",
    "和",
    "与",
    "就",
    "都",
    "也",
    "要",
    "想",
    "请",
    "请问",
    "一下",
    "这",
    "那",
    "这个",
    "那个",
    "怎么",
    "怎样",
    "如何",
    "什么",
    "可以",
    "能",
    "么",
    "你好",
    "您好",
    "谢谢",
    "怎么办",
    "办",
];

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// The words of `text` that carry meaning, in order.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    let mut han = false;
    for c in text.chars() {
        let this_han = is_han(c);
        if !run.is_empty() && this_han != han {
            flush(&run, han, &mut out);
            run.clear();
        }
        han = this_han;
        run.push(c);
    }
    if !run.is_empty() {
        flush(&run, han, &mut out);
    }
    out
}

fn flush(run: &str, han: bool, out: &mut Vec<String>) {
    if han {
        for word in JIEBA.cut(run, false) {
            if !CHINESE_STOP.contains(&word) {
                out.push(word.to_string());
            }
        }
        return;
    }
    for word in run
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let lower = word.to_lowercase();
        if ENGLISH_STOP.contains(&lower.as_str()) {
            continue;
        }
        out.push(singular(lower));
    }
}

/// `orders` → `order`, leaving `address`, `status`, `is` alone.
fn singular(word: String) -> String {
    if word.chars().count() > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        let mut w = word;
        w.pop();
        return w;
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_are_lowercase_without_stop_words_or_plurals() {
        assert_eq!(
            tokenize("How do I reset my Passwords?"),
            vec!["reset".to_string(), "password".to_string()]
        );
        assert_eq!(
            tokenize("shipping address status"),
            vec!["shipping", "address", "status"]
        );
    }

    #[test]
    fn chinese_is_segmented_into_words() {
        let words = tokenize("我想退货怎么办");
        assert!(words.contains(&"退货".to_string()), "{words:?}");
        assert!(!words.contains(&"我".to_string()));
        let mixed = tokenize("如何修改密码 password");
        assert!(mixed.contains(&"密码".to_string()), "{mixed:?}");
        assert!(mixed.contains(&"password".to_string()), "{mixed:?}");
    }
}
