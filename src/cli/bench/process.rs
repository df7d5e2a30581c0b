//! The server process (and the bench's own) as Linux's /proc shows it: resident memory, and
//! CPU time, so a run can say how much of the machine each side used.

use std::time::Instant;

use serde::Serialize;

/// The kernel reports CPU times in USER_HZ ticks, which is 100 on every Linux ABI.
const TICKS_PER_SECOND: f64 = 100.0;

/// Resident set size in KiB, or None when the process cannot be read.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// CPU time (user + system, all threads) the process has used so far, in seconds.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    cpu_seconds_of(&stat)
}

/// Parses `/proc/PID/stat`: the command name may hold spaces and parentheses, so fields are
/// counted from its closing parenthesis; utime and stime are fields 14 and 15.
fn cpu_seconds_of(stat: &str) -> Option<f64> {
    let (_, after_name) = stat.rsplit_once(')')?;
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) as f64 / TICKS_PER_SECOND)
}

/// Cores used on average over a measured phase: CPU seconds / wall seconds.
#[derive(Debug, Serialize, Clone, Copy, PartialEq)]
pub struct CpuUse {
    /// The server's, when its `--pid` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_cores: Option<f64>,
    /// The load generator's own: on one machine, what it takes is not the server's.
    pub bench_cores: f64,
    /// Server CPU seconds over the phase (to divide by what the phase did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_cpu_seconds: Option<f64>,
}

/// Started at the beginning of a measured phase, read at its end.
pub struct CpuMeter {
    server: Option<(u32, f64)>,
    own: f64,
    wall: Instant,
}

impl CpuMeter {
    pub fn start(server_pid: Option<u32>) -> CpuMeter {
        CpuMeter {
            server: server_pid.and_then(|pid| Some((pid, cpu_seconds(pid)?))),
            own: cpu_seconds(std::process::id()).unwrap_or(0.0),
            wall: Instant::now(),
        }
    }

    pub fn stop(&self) -> CpuUse {
        let wall = self.wall.elapsed().as_secs_f64().max(1e-9);
        let own = cpu_seconds(std::process::id()).unwrap_or(self.own) - self.own;
        let server = self
            .server
            .and_then(|(pid, before)| Some(cpu_seconds(pid)? - before));
        CpuUse {
            server_cores: server.map(|s| s / wall),
            bench_cores: own / wall,
            server_cpu_seconds: server,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let kib = rss_kib(std::process::id()).expect("own /proc status");
        assert!(
            kib > 100,
            "a running test binary uses more than 100 KiB: {kib}"
        );
        assert_eq!(rss_kib(u32::MAX), None);
        assert_eq!(cpu_seconds(u32::MAX), None);
    }

    #[test]
    fn stat_fields_are_counted_after_the_name() {
        // A name with spaces and a parenthesis, utime 250 ticks, stime 50.
        let stat = "4242 (a) b (c) R 1 4242 4242 0 -1 4194304 120 0 0 0 250 50 0 0 20 0 3 0";
        assert_eq!(cpu_seconds_of(stat), Some(3.0));
        assert_eq!(cpu_seconds_of("4242 (a) R 1"), None);
        assert_eq!(cpu_seconds_of("garbage"), None);
    }

    #[test]
    fn the_meter_sees_cpu_being_used() {
        let meter = CpuMeter::start(Some(std::process::id()));
        // Burn CPU until the tick counter moves; it must, however slow the machine is.
        let mut x = 0u64;
        let mut used = meter.stop();
        while used.bench_cores <= 0.0 && meter.wall.elapsed().as_secs() < 30 {
            for i in 0..100_000u64 {
                x = x.wrapping_mul(31).wrapping_add(i);
            }
            std::hint::black_box(x);
            used = meter.stop();
        }
        assert!(used.bench_cores > 0.0, "{used:?}");
        assert!(used.server_cpu_seconds.unwrap_or(0.0) > 0.0, "{used:?}");
    }
}
