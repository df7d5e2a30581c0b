//! A lost connection of the chat scenario: which losses a client comes back from, and coming
//! back. Only the server's own ends are resumed: a close with 1001 (going away: it is shutting
//! down) or 4012 (events may have been missed), and a connection that was reset or ended
//! without a close frame. Every other close (too slow, no heartbeat, signed out, blocked, frame
//! too large) ends the client and is counted as an error, as before reconnecting existed.

use std::time::Duration;

use super::super::client::{Failure, Target, Ws};

/// The first wait before a try; it doubles after each failed one, up to `MAX_DELAY`, and each
/// wait gets up to as much again at random so that a node's clients do not all come at once.
const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(2);

/// Close codes the server sends when the client should reconnect and resume.
const GOING_AWAY: u16 = 1001;
const RESYNC: u16 = 4012;

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lost {
    /// A close frame from the server, with its code (None: no code).
    Closed(Option<u16>),
    /// Reset, or ended without a close frame.
    Reset,
}

impl Lost {
    /// Whether the client reconnects and resumes after this end.
    pub fn may_resume(self) -> bool {
        matches!(self, Lost::Reset | Lost::Closed(Some(GOING_AWAY | RESYNC)))
    }

    /// The error this end is counted as when the client does not come back from it.
    pub fn error(self) -> String {
        match self {
            Lost::Closed(code) => format!("closed by server: {}", code.unwrap_or(0)),
            Lost::Reset => "connection lost".into(),
        }
    }

    /// The server said it may have missed events (4012): gaps the resume fills are expected.
    pub fn missed_events(self) -> bool {
        self == Lost::Closed(Some(RESYNC))
    }

    /// An end the client comes back from but that is a fault of the run all the same: 4012
    /// says the server may have missed events (a broken link between nodes, a full publish
    /// queue), which a rolling restart should not cause.
    pub fn note(self) -> Option<String> {
        (self == Lost::Closed(Some(RESYNC)))
            .then(|| format!("closed by server: {RESYNC} (reconnected)"))
    }
}

/// Opens a new connection for client `i` with the same token, trying up to `tries` times;
/// returns it with its `hello`.
pub async fn connect_again(
    target: &Target,
    i: usize,
    role: &str,
    token: &str,
    tries: u32,
) -> Result<(Ws, String), Failure> {
    let mut delay = FIRST_DELAY;
    let mut last = Failure("no try".into());
    for _ in 0..tries {
        let jitter = delay.mul_f64(rand::random::<f64>());
        tokio::time::sleep(delay + jitter).await;
        match target.connect_hello(i, role, token).await {
            Ok(connected) => return Ok(connected),
            Err(failure) => last = failure,
        }
        delay = (delay * 2).min(MAX_DELAY);
    }
    Err(Failure(format!("reconnect failed ({})", last.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_servers_own_ends_are_resumed() {
        assert!(Lost::Reset.may_resume());
        assert!(Lost::Closed(Some(1001)).may_resume());
        assert!(Lost::Closed(Some(4012)).may_resume());
        for code in [1000, 1009, 4001, 4003, 4008, 4009] {
            assert!(!Lost::Closed(Some(code)).may_resume(), "{code}");
        }
        assert!(!Lost::Closed(None).may_resume());
        assert_eq!(Lost::Closed(Some(4008)).error(), "closed by server: 4008");
        assert_eq!(Lost::Reset.error(), "connection lost");
        assert!(Lost::Closed(Some(1001)).note().is_none());
        assert!(Lost::Closed(Some(4012)).note().is_some());
        assert!(Lost::Closed(Some(4012)).missed_events());
        assert!(!Lost::Closed(Some(1001)).missed_events());
    }
}
