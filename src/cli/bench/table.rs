//! The report as a table for people (`--json` prints the same fields for scripts).

use std::fmt::Write as _;

use super::ledger::Delivery;
use super::process::CpuUse;
use super::report::{Messages, Report};

impl Report {
    pub fn table(&self) -> String {
        let mut out = String::new();
        let scenario = serde_json::to_value(self.scenario).unwrap_or_default();
        let _ = writeln!(
            out,
            "uniqchat bench {} → {} ({:.1} s measured)",
            scenario.as_str().unwrap_or("?"),
            self.url,
            self.seconds
        );
        let c = &self.connections;
        let _ = writeln!(
            out,
            "  connections   attempted {}  opened {}  held {}",
            c.attempted, c.opened, c.held
        );
        if let Some(rate) = self.connections_per_sec {
            let _ = writeln!(out, "  connections/s {rate:.0}");
        }
        if let Some(m) = &self.messages {
            messages(&mut out, m);
        }
        if let Some(r) = &self.reconnects {
            let _ = writeln!(
                out,
                "  reconnects    visitors {}  agents {}  (resent {}, {} of them stored already; {} replayed copies)",
                r.visitors, r.agents, r.resent, r.resent_stored, r.replayed
            );
        }
        if let Some(cpu) = &self.cpu {
            cores(&mut out, cpu, self.messages.as_ref());
        }
        if let (Some(n), Some(rate)) = (self.requests, self.requests_per_sec) {
            let _ = writeln!(out, "  requests      {n}  ({rate:.0}/s)");
        }
        self.latency_lines(&mut out);
        super::nodes::table(&mut out, &self.nodes);
        if let Some(m) = &self.server_memory {
            let per = m
                .per_connection_kib
                .map(|k| format!("  ({k:.1} KiB per connection)"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  server RSS    {:.1} MiB → {:.1} MiB{per}",
                m.rss_before_mib, m.rss_after_mib
            );
        }
        if let Some(d) = &self.delivery {
            delivery(&mut out, d);
        }
        if self.errors.is_empty() {
            let _ = writeln!(out, "  errors        none");
        } else {
            let _ = writeln!(out, "  errors");
            for (kind, n) in &self.errors {
                let _ = writeln!(out, "    {kind:<28} {n}");
            }
        }
        out
    }

    fn latency_lines(&self, out: &mut String) {
        if self.latency.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "  latency (ms)        {:>8} {:>8} {:>8} {:>8} {:>9}",
            "p50", "p90", "p99", "max", "count"
        );
        for (what, l) in &self.latency {
            let _ = writeln!(
                out,
                "    {what:<17} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9}",
                l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms, l.count
            );
        }
    }
}

fn messages(out: &mut String, m: &Messages) {
    let _ = writeln!(
        out,
        "  messages      sent {}  acked {} ({} after the measured phase)  delivered {} ({} after)",
        m.sent, m.acked, m.acked_after_phase, m.delivered, m.delivered_after_phase
    );
    let _ = writeln!(
        out,
        "  messages/s    acked {:.0}  delivered {:.0}  (in the measured phase)",
        m.acked_per_sec, m.delivered_per_sec
    );
}

fn cores(out: &mut String, cpu: &CpuUse, m: Option<&Messages>) {
    let server = cpu
        .server_cores
        .map(|c| format!("measured processes {c:.2}  "))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  cores used    {server}bench {:.2} of {} threads  (machine: {} cores)",
        cpu.bench_cores, cpu.bench_threads, cpu.machine_cores
    );
    if cpu.processes.len() > 1 {
        for p in &cpu.processes {
            let cores = p
                .cores
                .map_or_else(|| "not readable".to_string(), |c| format!("{c:.2}"));
            let _ = writeln!(out, "    pid {:<10} {cores}", p.pid);
        }
    }
    if let Some(us) = m.and_then(|m| m.server_cpu_us_per_message) {
        let _ = writeln!(
            out,
            "  server CPU    {us:.0} µs per message ({:.0} messages per core-second)",
            1e6 / us.max(1e-9)
        );
    }
    if let Some(us) = m.and_then(|m| m.bench_cpu_us_per_message) {
        let _ = writeln!(
            out,
            "  bench CPU     {us:.0} µs per message (one bench core drives {:.0} messages/s)",
            1e6 / us.max(1e-9)
        );
    }
    if cpu.bench_saturated {
        let _ = writeln!(
            out,
            "  BENCH SATURATED: the bench used {:.2} cores of its {} threads; the rates are its limit, not the server's",
            cpu.bench_cores, cpu.bench_threads
        );
    } else if cpu.machine_saturated {
        let _ = writeln!(
            out,
            "  MACHINE SATURATED: bench and measured processes used {:.2} of {} cores",
            cpu.bench_cores + cpu.server_cores.unwrap_or(0.0),
            cpu.machine_cores
        );
    }
}

fn delivery(out: &mut String, d: &Delivery) {
    let faults = d.faults();
    if faults.is_empty() {
        let _ = writeln!(
            out,
            "  delivery      ok: {} acked, each received once by its agent and its sender, at its seq, in order",
            d.acked
        );
    } else {
        let _ = writeln!(out, "  delivery      FAILED");
        for (class, n) in &faults {
            let _ = writeln!(out, "    {class:<28} {n}");
        }
    }
    if let Some(r) = &d.readback {
        let _ = writeln!(
            out,
            "  read back     {} conversations, {} acked messages compared with what the server stored",
            r.conversations, r.messages
        );
    }
}
