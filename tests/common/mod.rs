#![allow(dead_code)]

pub mod api;
pub mod db;
pub mod server;
pub mod totp;
pub mod ws;
