//! uniqchat: self-hosted live customer-support chat.
//!
//! Layers, top to bottom: `cli` → `http`/`ws` → `service` → `store`/`cluster`. Each depends only
//! on those below.

pub mod cli;
pub mod cluster;
pub mod config;
pub mod http;
pub mod service;
pub mod storage;
pub mod store;
pub mod telemetry;
pub mod types;
pub mod ws;
