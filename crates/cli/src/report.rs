//! Human-readable text for the terminal: the presets list, a run summary and the calibration table.

use std::fmt::Write;

use fleetplan_engine::calibration::{self, CalibrationRow};
use fleetplan_engine::{presets, Summary};

pub fn presets_table() -> String {
    let mut out = String::new();
    let width = presets::all().iter().map(|p| p.id.len()).max().unwrap_or(0);
    for preset in presets::all() {
        let _ = writeln!(out, "{:width$}  {}", preset.id, preset.title);
    }
    out
}

fn seconds(value: Option<f64>) -> String {
    value.map_or_else(|| "not reached".to_string(), |s| format!("{s:.1} s"))
}

pub fn summary_text(summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} (seed {})", summary.scenario, summary.seed);
    let _ = writeln!(out, "  completion      {}", seconds(summary.completion_s));
    let _ = writeln!(out, "  simulated       {:.1} s, {} events", summary.end_s, summary.events);
    let _ = writeln!(
        out,
        "  tasks           {} launched, {} started, {} failed, {} interrupted, {} replaced",
        summary.tasks_launched,
        summary.tasks_started,
        summary.tasks_failed,
        summary.interruptions,
        summary.replacements
    );
    let _ = writeln!(out, "  cost            ${:.4} total, ${:.4}/hour", summary.cost_usd, summary.cost_per_hour_usd);
    for group in &summary.failed_launches {
        let _ = writeln!(
            out,
            "  group {}: {} launches failed (InsufficientInstanceCapacity in every pool)",
            group.provider, group.launches
        );
    }
    let b = &summary.cost_breakdown;
    let parts: Vec<String> = b
        .by_capacity
        .iter()
        .map(|c| (c.capacity.name(), c.usd))
        .chain([
            ("public IPv4", b.public_ipv4_usd),
            ("ALB-hours", b.load_balancer_hours_usd),
            ("LCU-hours", b.load_balancer_lcu_usd),
        ])
        .filter(|&(_, usd)| usd > 0.0)
        .map(|(name, usd)| format!("{name} ${usd:.4}"))
        .collect();
    if !parts.is_empty() {
        let _ = writeln!(out, "  cost by         {}", parts.join(", "));
    }
    for s in &summary.services {
        let _ = writeln!(
            out,
            "  service {}: {}/{} running, steady {}, deployment {}, limited by {}",
            s.name,
            s.running,
            s.desired,
            seconds(s.steady_s),
            s.deployment,
            s.limited_by_name()
        );
    }
    for r in &summary.run_tasks {
        let _ = writeln!(
            out,
            "  RunTask {}: {}/{} started, {} failed, {} given up, {} throttled calls, settled {}",
            r.name,
            r.started,
            r.requested,
            r.failed,
            r.throttled,
            r.throttled_calls,
            seconds(r.settled_s)
        );
    }
    for s in &summary.schedules {
        let _ = writeln!(
            out,
            "  schedule {} {}: fired {}/{}, {} tasks started, {} throttled calls, {} retries, {} dropped",
            s.name, s.expression, s.fired, s.firings, s.tasks_started, s.throttled_calls, s.retries, s.dropped
        );
    }
    if let Some(b) = &summary.batch {
        let by_state: Vec<String> =
            b.jobs_by_state.iter().filter(|c| c.jobs > 0).map(|c| format!("{} {}", c.jobs, c.state.name())).collect();
        let _ = writeln!(
            out,
            "  AWS Batch       {} jobs ({}), makespan {}, wait p50 {} p95 {}",
            b.jobs,
            by_state.join(", "),
            seconds(b.makespan_s),
            seconds(b.wait_p50_s),
            seconds(b.wait_p95_s)
        );
        let _ = writeln!(
            out,
            "  Batch attempts  {} retries, {} Spot reclaims, {} timeouts; SubmitJob {} calls ({} throttled)",
            b.retries, b.spot_reclaims, b.timeouts, b.submit_calls, b.submit_throttled
        );
        let _ = writeln!(
            out,
            "  Batch cost      ${:.4}, {} per job",
            b.cost_usd,
            b.cost_per_job_usd.map_or("-".to_string(), |c| format!("${c:.6}"))
        );
        for q in &b.queues {
            let _ = writeln!(
                out,
                "  job queue {} (priority {}): {} jobs, {} succeeded, {} failed, wait p50 {} p95 {}, ${:.4}",
                q.queue,
                q.priority,
                q.jobs,
                q.succeeded,
                q.failed,
                seconds(q.wait_p50_s),
                seconds(q.wait_p95_s),
                q.cost_usd
            );
        }
        for c in &b.compute_environments {
            let _ = writeln!(
                out,
                "  compute environment {} ({}): peak {} of {} maxvCpus, {} instances, ${:.4}",
                c.name, c.kind, c.peak_vcpus, c.max_vcpus, c.instances_launched, c.cost_usd
            );
        }
    }
    if let Some(stop) = &summary.stopped_early {
        let _ = writeln!(out, "  STOPPED EARLY at {:.1} s: {}", stop.at_s, stop.reason);
    }
    for q in &summary.quota_hits {
        let _ = writeln!(
            out,
            "  {} (value {}): refused {} launches, first at {:.1} s",
            q.quota, q.value, q.refused, q.first_s
        );
    }
    out
}

pub fn calibration_table(rows: &[CalibrationRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:28} {:>10} {:>10} {:>8}  within ±{}%",
        "preset",
        "published",
        "simulated",
        "error",
        calibration::TOLERANCE * 100.0
    );
    for row in rows {
        let _ = writeln!(
            out,
            "{:28} {:>8.0} s {:>10} {:>8}  {}",
            row.preset,
            row.published_s,
            row.simulated_s.map_or("-".into(), |s| format!("{s:.0} s")),
            row.error_percent.map_or("-".into(), |e| format!("{e:+.1}%")),
            if row.within_tolerance { "yes" } else { "NO" }
        );
    }
    out
}
