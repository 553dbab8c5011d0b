//! Human-readable text for the terminal: the presets list, a run summary and the calibration table.

use std::fmt::Write;

use fleetplan_engine::calibration::{self, CalibrationRow};
use fleetplan_engine::time::duration_text;
use fleetplan_engine::{presets, Summary};

pub fn presets_table() -> String {
    let mut out = String::new();
    let width = presets::all().iter().map(|p| p.id.len()).max().unwrap_or(0);
    for preset in presets::all() {
        let _ = writeln!(out, "{:width$}  {}", preset.id, preset.title);
    }
    out
}

/// A time in the run: "45.3 s", or h:mm:ss from a minute on; "not reached" when it never came.
fn seconds(value: Option<f64>) -> String {
    value.map_or_else(|| "not reached".to_string(), duration_text)
}

/// The cost lines: the total and its average over the run, the rollout cost, the steady-state rate or why there
/// is none, and the all-On-Demand baseline (`docs/model.md` §6.2).
fn cost_lines(out: &mut String, summary: &Summary) {
    let c = &summary.costs;
    let _ = writeln!(
        out,
        "  cost            ${:.4} total over {}; average ${:.4}/hour over the run (ramp included)",
        summary.cost_usd,
        duration_text(summary.end_s),
        summary.average_cost_per_hour_usd
    );
    if let (Some(at), Some(usd)) = (c.rollout_s, c.rollout_usd) {
        let _ = writeln!(
            out,
            "  rollout cost    ${usd:.4} until every service's first rollout was steady ({})",
            duration_text(at)
        );
    }
    match (c.steady_per_hour_usd, c.steady_per_month_usd, c.steady_since_s) {
        (Some(hour), Some(month), Some(since)) => {
            let _ = writeln!(
                out,
                "  steady state    ${hour:.4}/hour, ${month:.2}/month (730 h), since {}",
                duration_text(since)
            );
        }
        _ => {
            let why = c.no_steady_state.as_deref().unwrap_or("none");
            let _ = writeln!(
                out,
                "  steady state    none ({why}); average over the run ${:.4}/hour",
                summary.average_cost_per_hour_usd
            );
        }
    }
    let _ = writeln!(
        out,
        "  vs On-Demand    ${:.4} if all On-Demand (same usage, no Spot, no commitments); saves ${:.4} ({:.1}%){}",
        c.on_demand_baseline_usd,
        c.savings_vs_on_demand_usd,
        c.savings_vs_on_demand_percent,
        c.on_demand_steady_per_hour_usd.map_or_else(String::new, |h| format!("; steady ${h:.4}/hour On-Demand"))
    );
}

/// A service's steady times: its first rollout, and the last time it became steady again if it did.
fn steady_text(s: &fleetplan_engine::output::ServiceSummary) -> String {
    let first = seconds(s.first_steady_s);
    match (s.later_rollouts, s.steady_s) {
        (0, Some(_)) => format!("{first} (first rollout)"),
        (0, None) => format!("{first} (first rollout), not steady at the end"),
        (n, Some(last)) => format!("{first} (first rollout), again {} after {n} later", duration_text(last)),
        (n, None) => format!("{first} (first rollout), {n} later, not steady at the end"),
    }
}

pub fn summary_text(summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} (seed {})", summary.scenario, summary.seed);
    let _ = writeln!(out, "  completion      {}", seconds(summary.completion_s));
    let _ = writeln!(out, "  simulated       {}, {} events", duration_text(summary.end_s), summary.events);
    let _ = writeln!(
        out,
        "  tasks           {} launched, {} started, {} failed, {} interrupted, {} replaced",
        summary.tasks_launched,
        summary.tasks_started,
        summary.tasks_failed,
        summary.interruptions,
        summary.replacements
    );
    cost_lines(&mut out, summary);
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
            "  service {}: {}/{} running, steady {}, {}, deployment {}, limited by {}",
            s.name,
            s.running,
            s.desired,
            steady_text(s),
            s.launch_rate_per_s.map_or_else(|| "no ramp rate".to_string(), |r| format!("{r:.2} tasks/s over the ramp")),
            s.deployment,
            s.limited_by_name()
        );
        if let Some(dip) = &s.dip {
            let _ = writeln!(
                out,
                "    dip after its first rollout: {}/{} running at {}",
                dip.running,
                dip.desired,
                seconds(Some(dip.at_s))
            );
        }
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
        if b.launches_refused > 0 {
            let _ = writeln!(
                out,
                "  Batch capacity  {} instance launches refused (the chosen type's pool had no capacity)",
                b.launches_refused
            );
        }
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
        let _ = writeln!(out, "  STOPPED EARLY at {}: {}", duration_text(stop.at_s), stop.reason);
    }
    for q in &summary.quota_hits {
        let _ = writeln!(
            out,
            "  {} (value {}): refused {} launches, first at {}",
            q.quota,
            q.value,
            q.refused,
            duration_text(q.first_s)
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
