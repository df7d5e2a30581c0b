//! The server's resident memory, read from /proc/PID/status (Linux).

/// Resident set size in KiB, or None when the process cannot be read.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_this_process() {
        let kib = super::rss_kib(std::process::id()).expect("own /proc status");
        assert!(
            kib > 100,
            "a running test binary uses more than 100 KiB: {kib}"
        );
        assert_eq!(super::rss_kib(u32::MAX), None);
    }
}
