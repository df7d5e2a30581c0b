//! An OpenAI-compatible chat-completions server for the bot tests, on 127.0.0.1: the request's
//! `model` picks how it answers (`normal`, `stream`, `slow`, `500`, `garbage`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

pub const NORMAL_ANSWER: &str = "Our opening hours are 9 to 5.";
pub const STREAM_PIECES: [&str; 3] = ["Once ", "upon ", "a time."];

#[derive(Clone, Default)]
pub struct Seen {
    pub calls: Arc<AtomicUsize>,
    /// The last request: its Authorization header and JSON body.
    pub last: Arc<Mutex<Option<(String, Value)>>>,
}

impl Seen {
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn last(&self) -> (String, Value) {
        self.last.lock().unwrap().clone().expect("a request")
    }
}

pub struct ModelServer {
    /// `http://127.0.0.1:<port>/v1`
    pub base_url: String,
    pub seen: Seen,
}

pub async fn start() -> ModelServer {
    let seen = Seen::default();
    let app = Router::new()
        .route("/v1/chat/completions", post(complete))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    ModelServer {
        base_url: format!("http://{addr}/v1"),
        seen,
    }
}

async fn complete(
    State(seen): State<Seen>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    seen.calls.fetch_add(1, Ordering::SeqCst);
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    *seen.last.lock().unwrap() = Some((auth, body.clone()));
    match body["model"].as_str().unwrap_or("") {
        "normal" => Json(json!({
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": NORMAL_ANSWER}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42}
        }))
        .into_response(),
        "stream" => {
            assert_eq!(body["stream"], true, "a streamed model is asked to stream");
            let mut events: Vec<String> = STREAM_PIECES
                .iter()
                .map(|p| {
                    format!(
                        "data: {}\n\n",
                        json!({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": p}}]})
                    )
                })
                .collect();
            events.push(format!(
                "data: {}\n\n",
                json!({"object": "chat.completion.chunk", "choices": [], "usage": {"total_tokens": 17}})
            ));
            events.push("data: [DONE]\n\n".into());
            let stream = futures_util::stream::unfold(events.into_iter(), |mut it| async move {
                let next = it.next()?;
                tokio::time::sleep(Duration::from_millis(200)).await;
                Some((Ok::<_, std::io::Error>(next), it))
            });
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(stream))
                .unwrap()
        }
        "slow" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Json(json!({"choices": [{"message": {"content": "too late"}}]})).into_response()
        }
        "500" => (StatusCode::INTERNAL_SERVER_ERROR, "upstream exploded").into_response(),
        _ => (StatusCode::OK, "<html>this is not JSON</html>").into_response(),
    }
}
