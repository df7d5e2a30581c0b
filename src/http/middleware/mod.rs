//! Request processing shared by every route: client address, rate limit, error shape,
//! control characters in paths and query strings.

pub mod body_limit;
pub mod client_ip;
pub mod error_shape;
pub mod rate_limit;
pub mod request_metrics;
pub mod text_input;
