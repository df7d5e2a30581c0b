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

/// One `--pid` process over a measured phase.
#[derive(Debug, Serialize, Clone, Copy, PartialEq)]
pub struct ProcessCpu {
    pub pid: u32,
    /// CPU seconds over the phase; None when the process could not be read at its start or end.
    pub cpu_seconds: Option<f64>,
    pub cores: Option<f64>,
}

/// Cores used on average over a measured phase: CPU seconds / wall seconds.
#[derive(Debug, Serialize, Clone, PartialEq)]
pub struct CpuUse {
    /// The `--pid` processes together (those that could be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_cores: Option<f64>,
    /// The load generator's own: on one machine, what it takes is not the server's.
    pub bench_cores: f64,
    /// The `--pid` processes' CPU seconds over the phase, summed (to divide by what it did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_cpu_seconds: Option<f64>,
    pub bench_cpu_seconds: f64,
    /// Each `--pid` process.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<ProcessCpu>,
    /// Worker threads of the bench (it cannot use more cores than these).
    pub bench_threads: usize,
    /// The bench used nearly a core per worker thread: the run measured the bench's limit,
    /// not the server's.
    pub bench_saturated: bool,
    /// Cores of the machine; `machine_saturated` when the bench and the `--pid` processes
    /// together used nearly all of them (the server's figures then include waiting for a core).
    pub machine_cores: usize,
    pub machine_saturated: bool,
}

/// Share of a core per thread (or of the machine) above which a side counts as saturated.
const SATURATED: f64 = 0.85;

/// Started at the beginning of a measured phase, read at its end.
pub struct CpuMeter {
    processes: Vec<(u32, Option<f64>)>,
    own: f64,
    wall: Instant,
}

impl CpuMeter {
    pub fn start(pids: &[u32]) -> CpuMeter {
        CpuMeter {
            processes: pids.iter().map(|&pid| (pid, cpu_seconds(pid))).collect(),
            own: cpu_seconds(std::process::id()).unwrap_or(0.0),
            wall: Instant::now(),
        }
    }

    pub fn stop(&self) -> CpuUse {
        let wall = self.wall.elapsed().as_secs_f64().max(1e-9);
        let own = (cpu_seconds(std::process::id()).unwrap_or(self.own) - self.own).max(0.0);
        let processes: Vec<ProcessCpu> = self
            .processes
            .iter()
            .map(|&(pid, before)| {
                let used = before.and_then(|b| Some(cpu_seconds(pid)? - b));
                ProcessCpu {
                    pid,
                    cpu_seconds: used,
                    cores: used.map(|s| s / wall),
                }
            })
            .collect();
        let read: Vec<f64> = processes.iter().filter_map(|p| p.cpu_seconds).collect();
        let server = (!read.is_empty()).then(|| read.iter().sum::<f64>());
        let bench_threads = tokio::runtime::Handle::try_current()
            .map(|h| h.metrics().num_workers())
            .unwrap_or(1)
            .max(1);
        let machine_cores = std::thread::available_parallelism().map_or(1, usize::from);
        let bench_cores = own / wall;
        let server_cores = server.map(|s| s / wall);
        CpuUse {
            server_cores,
            bench_cores,
            server_cpu_seconds: server,
            bench_cpu_seconds: own,
            processes,
            bench_threads,
            bench_saturated: bench_cores >= SATURATED * bench_threads as f64,
            machine_cores,
            machine_saturated: bench_cores + server_cores.unwrap_or(0.0)
                >= SATURATED * machine_cores as f64,
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
        let meter = CpuMeter::start(&[std::process::id(), u32::MAX]);
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
        // A process that cannot be read is listed without figures and left out of the sum.
        assert_eq!(used.processes.len(), 2);
        assert_eq!(used.processes[1].cpu_seconds, None);
        assert_eq!(used.server_cpu_seconds, used.processes[0].cpu_seconds);
        assert!(used.bench_threads >= 1 && used.machine_cores >= 1);
    }
}
