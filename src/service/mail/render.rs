//! The mail templates, in English and Simplified Chinese, as plain text and HTML
//! (multipart/alternative), with the tenant's name and widget colour. Everything that comes
//! from users is HTML-escaped in the HTML part.

use crate::store::{Message, SenderKind};

/// What a mail says, ready to send.
pub struct Rendered {
    pub text: String,
    pub html: String,
}

/// One line of a conversation as a mail shows it.
pub struct Line {
    pub who: String,
    pub body: String,
    pub at: String,
}

/// What a template fills in.
pub struct Content<'a> {
    pub zh: bool,
    pub tenant: &'a str,
    pub color: &'a str,
    /// The first paragraph.
    pub intro: String,
    pub lines: Vec<Line>,
    /// A button: its label and URL.
    pub link: Option<(String, String)>,
}

pub fn is_zh(language: &str) -> bool {
    language.to_lowercase().starts_with("zh")
}

/// `en` or `zh` from a browser language tag; anything else is English.
pub fn language(tag: Option<&str>) -> &'static str {
    if tag.is_some_and(is_zh) {
        "zh"
    } else {
        "en"
    }
}

pub fn test_subject(tenant: &str) -> String {
    format!("[{tenant}] Test mail from uniqchat")
}

pub fn subject(kind: &str, zh: bool, tenant: &str) -> String {
    let s = match (kind, zh) {
        ("offline_alert", false) => "New message while nobody was available",
        ("offline_alert", true) => "无人在线时收到新消息",
        ("reply", false) => "New reply to your conversation",
        ("reply", true) => "您的会话有新回复",
        ("transcript", false) => "Transcript of your conversation",
        ("transcript", true) => "您的会话记录",
        ("digest", false) => "Conversations waiting for an answer",
        ("digest", true) => "等待回复的会话",
        _ => "Test mail from uniqchat",
    };
    format!("[{tenant}] {s}")
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A colour fit for a style attribute: `#rgb` or `#rrggbb`, else the default blue.
fn safe_color(c: &str) -> &str {
    let ok = c.starts_with('#')
        && matches!(c.len(), 4 | 7)
        && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    if ok {
        c
    } else {
        "#2563eb"
    }
}

/// Who wrote a message, in the mail's language.
pub fn who(m: &Message, zh: bool, visitor: &str) -> String {
    match m.sender_kind {
        SenderKind::Visitor => visitor.to_string(),
        SenderKind::Agent => m
            .sender_name
            .clone()
            .unwrap_or_else(|| if zh { "客服" } else { "Agent" }.into()),
        SenderKind::Bot | SenderKind::Integration => m
            .sender_name
            .clone()
            .unwrap_or_else(|| if zh { "机器人" } else { "Bot" }.into()),
        SenderKind::System => if zh { "系统" } else { "System" }.into(),
    }
}

pub fn render(c: &Content) -> Rendered {
    let footer = if c.zh {
        format!("此邮件由 {} 通过 uniqchat 发送。", c.tenant)
    } else {
        format!("Sent by {} with uniqchat.", c.tenant)
    };
    let mut text = format!("{}\n\n{}\n\n", c.tenant, c.intro);
    for l in &c.lines {
        text.push_str(&format!("{} ({}):\n{}\n\n", l.who, l.at, l.body));
    }
    if let Some((label, url)) = &c.link {
        text.push_str(&format!("{label}: {url}\n\n"));
    }
    text.push_str(&format!("-- \n{footer}\n"));

    let color = safe_color(c.color);
    let mut html = format!(
        "<!DOCTYPE html><html><body style=\"margin:0;font-family:Arial,sans-serif;color:#111\">\
<div style=\"background:{color};color:#fff;padding:16px 20px;font-size:18px;font-weight:bold\">{}</div>\
<div style=\"padding:20px\"><p>{}</p>",
        escape(c.tenant),
        escape(&c.intro)
    );
    for l in &c.lines {
        html.push_str(&format!(
            "<div style=\"margin:0 0 12px;padding:10px 12px;border-left:3px solid {color};background:#f6f7f9\">\
<div style=\"font-size:12px;color:#555\">{} · {}</div><div style=\"white-space:pre-wrap\">{}</div></div>",
            escape(&l.who),
            escape(&l.at),
            escape(&l.body)
        ));
    }
    if let Some((label, url)) = &c.link {
        html.push_str(&format!(
            "<p><a href=\"{}\" style=\"display:inline-block;background:{color};color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">{}</a></p>",
            escape(url),
            escape(label)
        ));
    }
    html.push_str(&format!(
        "<p style=\"font-size:12px;color:#777\">{}</p></div></body></html>",
        escape(&footer)
    ));
    Rendered { text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped_in_html_and_kept_in_text() {
        let r = render(&Content {
            zh: false,
            tenant: "A&B <shop>",
            color: "red\" onload=\"x",
            intro: "hi".into(),
            lines: vec![Line {
                who: "<b>eve</b>".into(),
                body: "<script>alert(1)</script>".into(),
                at: "now".into(),
            }],
            link: Some(("Open".into(), "https://x.test/?a=1&b=\"2\"".into())),
        });
        assert!(r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("A&amp;B &lt;shop&gt;"));
        assert!(r.html.contains("#2563eb"), "a bad colour falls back");
        assert!(r.html.contains("a=1&amp;b=&quot;2&quot;"));
        assert!(r.text.contains("<script>alert(1)</script>"));
    }

    #[test]
    fn languages_fall_back_to_english() {
        assert_eq!(language(Some("zh-CN")), "zh");
        assert_eq!(language(Some("fr")), "en");
        assert_eq!(language(None), "en");
        assert!(subject("reply", true, "T").contains("新回复"));
    }
}
