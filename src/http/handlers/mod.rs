//! Controllers: validate input, call one service, shape the answer.

pub mod health;
pub mod meta;
