//! Request processing shared by every route: client address, rate limit, error shape.

pub mod client_ip;
pub mod error_shape;
pub mod rate_limit;
