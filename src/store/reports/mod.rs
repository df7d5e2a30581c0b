//! The rows reports are computed from (service/reports/ does the arithmetic): conversations by
//! start time, message counts, agents' status history, and the live monitor's counts. Only plain
//! selects and GROUP BY counts, so every backend answers the same.

mod availability;
mod conversations;
mod monitor;

pub use availability::StatusChange;
