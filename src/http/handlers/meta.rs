use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::http::AppState;

/// Build and runtime facts an operator or another node may ask for.
pub async fn version(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "name": "uniqchat",
        "version": env!("CARGO_PKG_VERSION"),
        "profile": state.config.profile,
        "database": format!("{:?}", state.backend).to_lowercase(),
    }))
}
