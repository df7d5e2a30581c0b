//! Why the server ends a connection: one token fired for any reason, the first reason kept. A
//! connection's loop waits on this one token rather than one per reason, which it would set up
//! and tear down again for every frame it reads.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::connection::close;

/// What ends the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kick {
    /// It fell behind: its queue of events is full, or it read nothing while a reply waited.
    TooSlow = 1,
    /// The visitor or their address was blocked.
    Blocked = 2,
    /// The agent's sessions ended (signed out, password changed, disabled).
    SignedOut = 3,
    /// Events may have been missed (the link to the other nodes broke): the client reconnects
    /// and resumes from the database.
    Resync = 4,
}

impl Kick {
    fn from_u8(n: u8) -> Kick {
        match n {
            2 => Kick::Blocked,
            3 => Kick::SignedOut,
            4 => Kick::Resync,
            _ => Kick::TooSlow,
        }
    }

    /// The close frame it ends with.
    pub fn close(self) -> (u16, &'static str) {
        match self {
            Kick::TooSlow => (close::TOO_SLOW, "too slow: reconnect and resume"),
            Kick::Blocked => (close::BLOCKED, "blocked"),
            Kick::SignedOut => (close::SIGNED_OUT, "signed out"),
            Kick::Resync => (
                close::RESYNC,
                "events may have been missed: reconnect and resume",
            ),
        }
    }
}

/// Fired once, for the first reason given.
#[derive(Clone, Default)]
pub struct Kicker {
    token: CancellationToken,
    why: Arc<AtomicU8>,
}

impl Kicker {
    pub fn kick(&self, why: Kick) {
        let _ = self
            .why
            .compare_exchange(0, why as u8, Ordering::AcqRel, Ordering::Acquire);
        self.token.cancel();
    }

    /// Resolves, with the first reason, once the connection is kicked. Cancel-safe.
    pub async fn kicked(&self) -> Kick {
        self.token.cancelled().await;
        Kick::from_u8(self.why.load(Ordering::Acquire))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_reason_wins() {
        let kicker = Kicker::default();
        let waiting = kicker.clone();
        let seen = tokio::spawn(async move { waiting.kicked().await });
        kicker.kick(Kick::Blocked);
        kicker.kick(Kick::TooSlow);
        assert_eq!(seen.await.ok(), Some(Kick::Blocked));
        assert_eq!(kicker.kicked().await, Kick::Blocked);
        assert_eq!(Kick::Resync.close().0, close::RESYNC);
    }
}
