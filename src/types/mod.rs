//! Small shared value types.

pub mod ids;
pub mod widget_text;
