//! Controllers: validate input, call one service, shape the answer.

pub mod admin;
pub mod agent;
pub mod auth;
pub mod files;
pub mod health;
pub mod identify;
pub mod meta;
pub mod metrics;
pub mod prechat;
pub mod sso;
pub mod transcript;
pub mod two_factor;
pub mod v1;
pub mod views;
pub mod visitor;
pub mod visitor_bots;
pub mod web;
