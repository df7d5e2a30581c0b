//! `[mail]`: how the mail outbox worker sends e-mail (docs/mail.md). Each tenant's SMTP server
//! is set in the admin console, not here.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// Run the mail worker in this process.
    pub enabled: bool,
    /// How often the worker looks for due mail, in milliseconds.
    pub poll_ms: u64,
    /// Mails claimed (and sent side by side) in one round.
    pub batch: u64,
    /// Time limit for one SMTP conversation, in seconds.
    pub timeout_secs: u64,
    /// The first retry waits this long; each further one twice as long (±20 % jitter).
    pub backoff_base_ms: u64,
    /// Longest wait between two attempts, in seconds.
    pub backoff_max_secs: u64,
    /// A mail that failed this many times is dead.
    pub max_attempts: u32,
    /// A reply to an absent visitor waits this long, so a burst of answers makes one mail.
    pub reply_delay_secs: u64,
    /// How long the link that reopens the widget works, in seconds.
    pub link_ttl_secs: u64,
    /// Every this many seconds, agents who are offline get a digest of the conversations
    /// that started in that period and still wait for an answer. 0: no digest.
    pub digest_every_secs: u64,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            enabled: true,
            poll_ms: 1000,
            batch: 16,
            timeout_secs: 30,
            backoff_base_ms: 30_000,
            backoff_max_secs: 3600,
            max_attempts: 12,
            reply_delay_secs: 120,
            link_ttl_secs: 7 * 24 * 3600,
            digest_every_secs: 3600,
        }
    }
}

impl MailConfig {
    /// The first setting that does not make sense, with the reason.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if self.poll_ms == 0 {
            return Some(("mail.poll_ms", "must be above 0"));
        }
        if self.batch == 0 || self.batch > 1000 {
            return Some(("mail.batch", "must be 1 to 1000"));
        }
        if self.timeout_secs == 0 || self.timeout_secs > 600 {
            return Some(("mail.timeout_secs", "must be 1 to 600"));
        }
        if self.backoff_base_ms == 0 || self.backoff_max_secs == 0 {
            return Some((
                "mail.backoff_base_ms",
                "backoff_base_ms and backoff_max_secs must be above 0",
            ));
        }
        if self.max_attempts == 0 {
            return Some(("mail.max_attempts", "must be above 0"));
        }
        if self.link_ttl_secs == 0 {
            return Some(("mail.link_ttl_secs", "must be above 0"));
        }
        None
    }
}
