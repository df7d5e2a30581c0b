//! Starting work at a steady rate: how many starts are due by now since the beginning, so a
//! late wake-up catches up instead of drifting below the asked rate.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinSet;

use tokio::time::{sleep_until, Instant};

pub struct Pacer {
    per_second: f64,
    start: Instant,
    released: u64,
}

impl Pacer {
    pub fn new(per_second: u32) -> Pacer {
        Pacer {
            per_second: f64::from(per_second.max(1)),
            start: Instant::now(),
            released: 0,
        }
    }

    /// Waits until at least one more start is due and returns how many are due now.
    pub async fn next(&mut self) -> u64 {
        loop {
            let due = (self.start.elapsed().as_secs_f64() * self.per_second) as u64;
            if due > self.released {
                let n = due - self.released;
                self.released = due;
                return n;
            }
            let at = Duration::from_secs_f64((self.released + 1) as f64 / self.per_second);
            sleep_until(self.start + at).await;
        }
    }
}

/// Spawns `task(i)` for `i` in `0..count`, `per_second` at a time, into one set.
pub async fn spawn_paced<T, F, Fut>(count: usize, per_second: u32, mut task: F) -> JoinSet<T>
where
    T: Send + 'static,
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let mut set = JoinSet::new();
    let mut pacer = Pacer::new(per_second);
    let mut next = 0;
    while next < count {
        let due = (pacer.next().await as usize).min(count - next);
        for i in next..next + due {
            set.spawn(task(i));
        }
        next += due;
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn releases_at_the_rate_and_catches_up() {
        let mut p = Pacer::new(1000);
        let mut total = 0;
        while total < 100 {
            total += p.next().await;
        }
        // With the clock paused, time only moves as far as the pacer sleeps: 100 starts at
        // 1000/s take 100 ms.
        assert_eq!(p.start.elapsed().as_millis(), 100);
        tokio::time::advance(Duration::from_millis(50)).await;
        assert_eq!(
            p.next().await,
            50,
            "a late wake-up releases what fell due meanwhile"
        );
    }
}
