#![allow(dead_code)]

pub mod api;
pub mod cluster;
pub mod db;
pub mod moto;
pub mod oidc;
pub mod server;
pub mod steady;
pub mod totp;
pub mod uploads;
pub mod ws;
