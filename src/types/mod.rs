//! Small shared value types.

pub mod ids;
