//! One call to an OpenAI-compatible chat-completions endpoint, whole or streamed (SSE
//! `data:` lines up to `data: [DONE]`). Whatever the server answers is only ever text.

use serde_json::{json, Value};

use crate::service::bots::bot::BotFailure;

/// Longest answer body read, in bytes: a server that sends more is not answering sensibly.
const BODY_MAX: usize = 1 << 20;

/// The model's answer and the tokens it cost.
pub struct Completion {
    pub text: String,
    pub tokens: i64,
}

pub struct Request<'a> {
    pub base_url: &'a str,
    pub key: Option<&'a str>,
    pub model: &'a str,
    pub messages: Vec<Value>,
    pub max_tokens: u32,
    pub stream: bool,
}

/// Calls the endpoint; `partial` hears the text so far while a streamed answer arrives.
pub async fn complete(
    http: &reqwest::Client,
    req: Request<'_>,
    partial: &(dyn Fn(&str) + Send + Sync),
) -> Result<Completion, BotFailure> {
    let url = format!("{}/chat/completions", req.base_url.trim_end_matches('/'));
    let prompt_chars: usize = req
        .messages
        .iter()
        .filter_map(|m| m["content"].as_str())
        .map(str::len)
        .sum();
    let mut body = json!({
        "model": req.model,
        "messages": req.messages,
        "max_tokens": req.max_tokens,
        "stream": req.stream,
    });
    if req.stream {
        body["stream_options"] = json!({"include_usage": true});
    }
    let mut call = http.post(&url).json(&body);
    if let Some(key) = req.key.filter(|k| !k.is_empty()) {
        call = call.bearer_auth(key);
    }
    let mut resp = call.send().await.map_err(|e| {
        if e.is_timeout() {
            BotFailure::Timeout
        } else {
            BotFailure::Unreachable(e.without_url().to_string())
        }
    })?;
    if !resp.status().is_success() {
        return Err(BotFailure::Status(resp.status().as_u16()));
    }
    let mut raw = Vec::new();
    let mut stream = SseText::default();
    while let Some(chunk) = resp.chunk().await.map_err(|e| {
        if e.is_timeout() {
            BotFailure::Timeout
        } else {
            BotFailure::Unreachable(e.without_url().to_string())
        }
    })? {
        if raw.len() + chunk.len() > BODY_MAX {
            return Err(BotFailure::Garbage("the answer is too long".into()));
        }
        raw.extend_from_slice(&chunk);
        if req.stream {
            if stream.feed(&chunk)? {
                partial(&stream.text);
            }
            if stream.done {
                break;
            }
        }
    }
    let (text, tokens) = if req.stream {
        if !stream.done && stream.text.is_empty() {
            return Err(BotFailure::Garbage("no data: lines in the stream".into()));
        }
        (stream.text, stream.tokens)
    } else {
        whole(&raw)?
    };
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(BotFailure::Garbage("an empty answer".into()));
    }
    // Servers that do not report usage: about four characters a token.
    let tokens = tokens.unwrap_or(((prompt_chars + text.len()) / 4) as i64);
    Ok(Completion { text, tokens })
}

/// A whole (non-streamed) answer: `choices[0].message.content` and `usage.total_tokens`.
fn whole(raw: &[u8]) -> Result<(String, Option<i64>), BotFailure> {
    let v: Value = serde_json::from_slice(raw)
        .map_err(|_| BotFailure::Garbage("the answer is not JSON".into()))?;
    let text = v["choices"][0]["message"]["content"]
        .as_str()
        .ok_or_else(|| BotFailure::Garbage("no choices[0].message.content".into()))?;
    Ok((text.to_string(), v["usage"]["total_tokens"].as_i64()))
}

/// The text of a server-sent event stream, put together as it arrives.
#[derive(Default)]
struct SseText {
    pending: Vec<u8>,
    text: String,
    tokens: Option<i64>,
    done: bool,
}

impl SseText {
    /// Takes a chunk; true when the text grew.
    fn feed(&mut self, chunk: &[u8]) -> Result<bool, BotFailure> {
        self.pending.extend_from_slice(chunk);
        let mut grew = false;
        while let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim();
            let Some(data) = line.strip_prefix("data:") else {
                // Comments, `event:` and `id:` lines, and the blank line between events.
                continue;
            };
            let data = data.trim();
            if data == "[DONE]" {
                self.done = true;
                break;
            }
            let v: Value = serde_json::from_str(data)
                .map_err(|_| BotFailure::Garbage("a data: line is not JSON".into()))?;
            if let Some(total) = v["usage"]["total_tokens"].as_i64() {
                self.tokens = Some(total);
            }
            if let Some(piece) = v["choices"][0]["delta"]["content"].as_str() {
                if !piece.is_empty() {
                    self.text.push_str(piece);
                    grew = true;
                }
            }
        }
        Ok(grew)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_put_together_across_chunks() {
        let mut s = SseText::default();
        assert!(s
            .feed(b"data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\ndata: {\"choi")
            .unwrap());
        assert!(s
            .feed(b"ces\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n")
            .unwrap());
        s.feed(b"data: {\"choices\":[],\"usage\":{\"total_tokens\":12}}\n\ndata: [DONE]\n\n")
            .unwrap();
        assert_eq!(s.text, "Hello");
        assert_eq!(s.tokens, Some(12));
        assert!(s.done);
    }

    #[test]
    fn garbage_is_refused() {
        assert!(SseText::default().feed(b"data: <html>\n").is_err());
        assert!(whole(b"<html>oops</html>").is_err());
        assert!(whole(b"{\"choices\":[]}").is_err());
        assert_eq!(
            whole(b"{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"total_tokens\":3}}")
                .unwrap(),
            ("hi".to_string(), Some(3))
        );
    }
}
