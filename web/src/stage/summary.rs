//! The summary panel: the whole run's results (as `fleetplan run --json` prints them) once the run ahead has
//! finished, as tables and as JSON.

use std::rc::Rc;

use fleetplan_engine::output::BatchSummary;
use fleetplan_engine::output::{CommitmentsSummary, FailedLaunches};
use fleetplan_engine::output::{Limiter, QuotaHit, TaskRetirementSummary};
use fleetplan_engine::output::{ScheduleSummary, ServiceSummary};
use fleetplan_engine::spec::SavingsPlanKind;
use fleetplan_engine::time::duration_text;
use fleetplan_engine::Summary;
use yew::prelude::*;

use super::clock;
use crate::cluster::{capacity_label, thousands};
use crate::i18n::{mark, tr, tr_dyn, trf};

/// A time in the run: "45.3 s", or h:mm:ss from a minute on (`time::duration_text`); "not reached" when it
/// never came.
fn seconds(v: Option<f64>) -> String {
    v.map_or_else(|| tr("not reached"), duration_text)
}

/// "$12,660.03": dollars with cents and thousands separators.
fn dollars(usd: f64) -> String {
    let cents = format!("{:.2}", usd.abs());
    let (whole, frac) = cents.split_once('.').unwrap_or((&cents, "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}${grouped}.{frac}", if usd < 0.0 { "-" } else { "" })
}

/// The cost rows, each named for what it is (`docs/model.md` §6.2): (id, label, text).
fn cost_figure_rows(summary: &Summary) -> Vec<(&'static str, &'static str, String)> {
    let c = &summary.costs;
    let mut rows = vec![(
        "cost-total",
        mark("Cost of the run"),
        trf(
            "{cost} over {length} (average {rate} per hour over the run, ramp included)",
            &[
                ("cost", &dollars(summary.cost_usd)),
                ("length", &duration_text(summary.end_s)),
                ("rate", &dollars(summary.average_cost_per_hour_usd)),
            ],
        ),
    )];
    if let (Some(at), Some(usd)) = (c.rollout_s, c.rollout_usd) {
        rows.push((
            "cost-rollout",
            mark("Rollout cost"),
            trf(
                "{cost} until every service's first rollout was steady, at {time}",
                &[("cost", &dollars(usd)), ("time", &duration_text(at))],
            ),
        ));
    }
    let steady = match (c.steady_per_hour_usd, c.steady_per_month_usd) {
        (Some(hour), Some(month)) => trf(
            "{hour} per hour, {month} per month (730 hours)",
            &[("hour", &dollars(hour)), ("month", &dollars(month))],
        ),
        _ => trf(
            "none ({why}): only the average over the run, {rate} per hour",
            &[
                ("why", &c.no_steady_state.clone().unwrap_or_else(|| tr("not steady"))),
                ("rate", &dollars(summary.average_cost_per_hour_usd)),
            ],
        ),
    };
    rows.push(("cost-steady", mark("Steady-state cost"), steady));
    let mut versus = if c.savings_vs_on_demand_usd == 0.0 {
        tr("nothing saved: the run is all On-Demand, with no Spot and no Savings Plans or Reserved Instances")
    } else {
        trf(
            "saves {saved} ({percent}%) against {baseline} for the same usage all On-Demand (no Spot, no Savings Plans or Reserved Instances)",
            &[
                ("saved", &dollars(c.savings_vs_on_demand_usd)),
                ("percent", &format!("{:.1}", c.savings_vs_on_demand_percent)),
                ("baseline", &dollars(c.on_demand_baseline_usd)),
            ],
        )
    };
    if let (Some(od), Some(hour)) = (c.on_demand_steady_per_hour_usd, c.steady_per_hour_usd) {
        if od > hour {
            versus.push_str(&trf("; steady {rate} per hour On-Demand", &[("rate", &dollars(od))]));
        }
    }
    rows.push(("cost-vs-on-demand", mark("vs all On-Demand"), versus));
    rows
}

/// A service's "Steady at": its first rollout, and when it was last steady again after later ones.
fn steady_at(svc: &ServiceSummary) -> String {
    let first = seconds(svc.first_steady_s);
    match (svc.later_rollouts, svc.steady_s) {
        (0, Some(_)) => first,
        (0, None) => trf("{first}, not steady at the end", &[("first", &first)]),
        (n, Some(last)) => {
            trf("{first} · again {last} ({n} later)", &[("first", &first), ("last", &duration_text(last)), ("n", &n)])
        }
        (n, None) => trf("{first} · {n} later, not steady at the end", &[("first", &first), ("n", &n)]),
    }
}

/// Launches EC2 refused with InsufficientInstanceCapacity in every pool, per Auto Scaling group:
/// "asg-a 4, asg-b 1 (InsufficientInstanceCapacity in every pool)".
/// A schedule's throttled RunTask calls and the scheduler's retries after them.
fn schedule_throttled(s: &ScheduleSummary) -> String {
    if s.throttled_calls == 0 {
        "–".to_string()
    } else {
        trf("{calls} calls, {retries} retries", &[("calls", &s.throttled_calls), ("retries", &s.retries)])
    }
}

fn failed_launches(groups: &[FailedLaunches]) -> String {
    let each: Vec<String> = groups.iter().map(|g| format!("{} {}", g.provider, g.launches)).collect();
    trf("{groups} (InsufficientInstanceCapacity in every pool)", &[("groups", &each.join(", "))])
}

/// One quota hit as the panel says it: the quota's name, its value and unit, what it refused and when first.
fn quota_line(hit: &QuotaHit) -> (String, String) {
    let (unit, what) = match hit.quota {
        Limiter::InstancesPerCluster => (mark("instances"), mark("instance registrations")),
        Limiter::AsgMaxSize => (mark("instances (the group's maximum size)"), mark("instance launches")),
        _ => ("vCPUs", mark("task launches")),
    };
    let name = hit.quota.name().trim_start_matches("quota: ").to_string();
    let line = trf(
        "{value} {unit}: refused {refused} {what}, first at {first} s",
        &[
            ("value", &hit.value),
            ("unit", &tr_dyn(unit)),
            ("refused", &hit.refused),
            ("what", &tr_dyn(what)),
            ("first", &format!("{:.1}", hit.first_s)),
        ],
    );
    (name, line)
}

/// A Fargate task retirement as the panel says it: the notice, the wait, and what the retirement did (or when it
/// will come, if after the run).
fn retirement_line(r: &TaskRetirementSummary) -> String {
    let wait = match r.wait_period_days {
        0 => tr("no wait"),
        days => trf("wait {days} days", &[("days", &days)]),
    };
    let what = if r.retired {
        trf(
            "{replaced} service tasks replaced within the deployment bounds, {stopped} standalone tasks stopped",
            &[("replaced", &r.service_tasks_replaced), ("stopped", &r.standalone_tasks_stopped)],
        )
    } else {
        trf("retirement at {at} s, after the run", &[("at", &format!("{:.1}", r.retirement_s))])
    };
    trf(
        "notice at {at} s for {tasks} tasks, {wait}: {what}",
        &[("at", &format!("{:.1}", r.notice_s)), ("tasks", &r.tasks), ("wait", &wait), ("what", &what)],
    )
}

/// The cost breakdown's rows: by category (what adds up to the total), then by payer (services and RunTask
/// workloads pay for their Fargate tasks and load balancers; instances are the providers' shared capacity).
/// Categories and payers with no cost are left out. Each row: (section, name, USD).
pub(crate) fn cost_rows(summary: &Summary) -> Vec<(&'static str, String, f64)> {
    let b = &summary.cost_breakdown;
    let mut rows: Vec<(&'static str, String, f64)> =
        b.by_capacity.iter().map(|c| (mark("category"), capacity_label(c.capacity).to_string(), c.usd)).collect();
    rows.push(("category", tr("Public IPv4"), b.public_ipv4_usd));
    rows.push(("category", tr("Load balancer hours"), b.load_balancer_hours_usd));
    rows.push(("category", tr("Load balancer LCU-hours"), b.load_balancer_lcu_usd));
    rows.extend(b.services.iter().map(|s| (mark("service"), s.name.clone(), s.total_usd)));
    rows.extend(b.run_tasks.iter().map(|r| ("RunTask", r.name.clone(), r.total_usd)));
    if let Some(batch) = &b.batch {
        rows.push(("AWS Batch", tr("Fargate jobs"), batch.fargate_usd));
        rows.push(("AWS Batch", tr("Compute environment instances"), batch.instances_usd));
    }
    for p in &b.providers {
        match p.management_fee_usd {
            // Managed Instances: named as such, with the management fee that is part of the provider's cost.
            Some(fee) => {
                rows.push((mark("instances"), trf("{name} (Managed Instances)", &[("name", &p.name)]), p.usd));
                rows.push((mark("instances"), trf("{name}: of which management fee", &[("name", &p.name)]), fee));
            }
            None => rows.push((mark("instances"), p.name.clone(), p.usd)),
        }
    }
    rows.retain(|&(_, _, usd)| usd > 0.0);
    rows
}

/// The AWS Batch table's rows (`docs/model.md` §12): the run's makespan, job waits, retries, Spot reclaims and
/// cost per job. Each row: (label, text).
pub(crate) fn batch_rows(b: &BatchSummary) -> Vec<(&'static str, String)> {
    let states: Vec<String> =
        b.jobs_by_state.iter().filter(|s| s.jobs > 0).map(|s| format!("{} {}", s.jobs, s.state.name())).collect();
    let per_job =
        b.cost_per_job_usd.map_or_else(|| "–".to_string(), |c| trf("{cost} per job", &[("cost", &format!("${c:.4}"))]));
    vec![
        (mark("Jobs"), format!("{}: {}", b.jobs, states.join(", "))),
        (mark("Makespan"), b.makespan_s.map_or_else(|| tr("jobs still open at the end"), |s| format!("{s:.1} s"))),
        (mark("Job wait p50 / p95"), format!("{} / {}", opt_s(b.wait_p50_s), opt_s(b.wait_p95_s))),
        (
            mark("Retries"),
            trf(
                "{retries} retries, {reclaims} Spot reclaims, {timeouts} timeouts",
                &[("retries", &b.retries), ("reclaims", &b.spot_reclaims), ("timeouts", &b.timeouts)],
            ),
        ),
        (
            "SubmitJob",
            trf(
                "{calls} calls, {throttled} throttled; {waits} RunTask waits",
                &[("calls", &b.submit_calls), ("throttled", &b.submit_throttled), ("waits", &b.run_task_throttled)],
            ),
        ),
        (
            mark("Cost"),
            trf(
                "{cost}, {per_job}; {launched} instances launched, {refused} launches refused (no capacity)",
                &[
                    ("cost", &format!("${:.4}", b.cost_usd)),
                    ("per_job", &per_job),
                    ("launched", &b.instances_launched),
                    ("refused", &b.launches_refused),
                ],
            ),
        ),
    ]
}

/// A table of text: the first cell of each row is its header.
fn table(id: &'static str, head: &[&'static str], rows: Vec<Vec<String>>) -> Html {
    html! {
        <table {id} class="services">
            <thead><tr>{ for head.iter().map(|h| html! { <th scope="col">{ tr_dyn(h) }</th> }) }</tr></thead>
            <tbody>
                { for rows.into_iter().map(|row| html! {
                    <tr>{ for row.into_iter().enumerate().map(|(i, text)| if i == 0 {
                        html! { <th scope="row">{ text }</th> }
                    } else {
                        html! { <td>{ text }</td> }
                    }) }</tr>
                }) }
            </tbody>
        </table>
    }
}

fn opt_s(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.1} s"))
}

/// The commitments table (`docs/model.md` §6): with and without, what was lost, and per plan its use, its best
/// and its break-even hourly commitment. Each row: (label, text).
pub(crate) fn commitment_rows(c: &CommitmentsSummary) -> Vec<(String, String)> {
    let outcome = if c.savings_usd >= 0.0 {
        trf("saves {usd}", &[("usd", &format!("${:.2}", c.savings_usd))])
    } else {
        trf("costs {usd} more", &[("usd", &format!("${:.2}", -c.savings_usd))])
    };
    let mut rows = vec![
        (
            tr("Without commitments"),
            trf(
                "{cost} (eligible On-Demand usage {eligible})",
                &[
                    ("cost", &format!("${:.2}", c.cost_without_usd)),
                    ("eligible", &format!("${:.2}", c.eligible_on_demand_usd)),
                ],
            ),
        ),
        (tr("With commitments"), format!("${:.2}: {outcome}", c.cost_with_usd)),
        (
            tr("Commitment charges"),
            trf(
                "{charges} over {hours} hours, {unused} of it unused (lost)",
                &[
                    ("charges", &format!("${:.2}", c.commitment_charges_usd)),
                    ("hours", &c.hours),
                    ("unused", &format!("${:.2}", c.unused_usd)),
                ],
            ),
        ),
    ];
    for p in &c.savings_plans {
        let kind = match (p.kind, &p.family) {
            (SavingsPlanKind::Compute, _) => tr("Compute Savings Plan"),
            (SavingsPlanKind::Ec2Instance, Some(family)) => {
                trf("EC2 Instance Savings Plan ({family})", &[("family", &family)])
            }
            (SavingsPlanKind::Ec2Instance, None) => tr("EC2 Instance Savings Plan"),
        };
        rows.push((
            format!("{kind} ${:.2}/h", p.usd_per_hour),
            trf(
                "{used}% used, {unused} unused; best {best}/h (saves {saves}); break-even {even}/h",
                &[
                    ("used", &format!("{:.1}", p.utilization_percent)),
                    ("unused", &format!("${:.2}", p.unused_usd)),
                    ("best", &format!("${:.2}", p.best_usd_per_hour)),
                    ("saves", &format!("${:.2}", p.best_savings_usd)),
                    ("even", &format!("${:.2}", p.break_even_usd_per_hour)),
                ],
            ),
        ));
    }
    for r in &c.reserved_instances {
        rows.push((
            trf(
                "{count} x {instance_type} Reserved Instance",
                &[("count", &r.count), ("instance_type", &r.instance_type)],
            ),
            trf(
                "{used}% used, {unused} of {charged} unused",
                &[
                    ("used", &format!("{:.1}", r.utilization_percent)),
                    ("unused", &format!("${:.2}", r.unused_usd)),
                    ("charged", &format!("${:.2}", r.charged_usd)),
                ],
            ),
        ));
    }
    rows
}

/// Services listed before "show all": a long table is slow to build and hard to read on a projector.
const SERVICES_SHOWN: usize = 12;

/// An `Rc` compared by pointer: the stage re-renders every frame while playing, and the summary is the same value
/// until a new run finishes, so comparing 100 services field by field every frame would be wasted work.
#[derive(Clone)]
pub struct ByPointer<T>(pub Rc<T>);

impl<T> PartialEq for ByPointer<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct SummaryProps {
    pub summary: Option<ByPointer<Summary>>,
    pub json: ByPointer<String>,
    /// How far the run ahead has got while it is computing (0 once done).
    pub known_ms: u64,
    /// The run ahead was cancelled (`crate::runahead`): there will be no summary.
    #[prop_or_default]
    pub cancelled: bool,
}

#[component]
pub fn SummaryPanel(props: &SummaryProps) -> Html {
    // Re-rendered in the language chosen.
    let _lang = crate::i18n::use_lang();
    let show_all = use_state(|| false);
    let Some(ByPointer(summary)) = &props.summary else {
        return html! {
            <section class="summary-panel" aria-label={tr("Summary")}>
                <h2>{ tr("Summary") }</h2>
                if props.cancelled {
                    <p class="computing">{ trf("No summary: computing the run was cancelled at {time} simulated.", &[("time", &clock(props.known_ms))]) }</p>
                } else {
                    <p class="computing">{ trf("Computing the whole run ({time} simulated so far)…", &[("time", &clock(props.known_ms))]) }</p>
                }
            </section>
        };
    };
    html! {
        <section class="summary-panel" aria-label={tr("Summary")}>
            <h2>{ tr("Summary") }</h2>
            <table id="summary">
                <tbody>
                    // `completion_s` also waits for the last AWS Batch job to end, which "steady" does not name.
                    <tr><th scope="row">{ if summary.batch.is_some() { tr("All steady and jobs ended at") } else { tr("All steady at") } }</th><td>{ seconds(summary.completion_s) }</td></tr>
                    // The first rollout's end, when later rollouts (deployments, replacements) moved "All steady at".
                    if let Some(at) = summary.costs.rollout_s.filter(|&at| summary.completion_s != Some(at)) {
                        <tr id="first-rollout"><th scope="row">{ tr("First rollout steady at") }</th><td>{ duration_text(at) }</td></tr>
                    }
                    <tr><th scope="row">{ tr("Tasks") }</th><td>{ trf("{launched} launched, {started} started, {failed} failed", &[("launched", &thousands(summary.tasks_launched)), ("started", &thousands(summary.tasks_started)), ("failed", &thousands(summary.tasks_failed))]) }</td></tr>
                    <tr><th scope="row">{ tr("Interruptions") }</th><td>{ trf("{interruptions} Spot interruptions, {replaced} tasks replaced", &[("interruptions", &thousands(summary.interruptions)), ("replaced", &thousands(summary.replacements))]) }</td></tr>
                    if !summary.failed_launches.is_empty() {
                        <tr><th scope="row">{ tr("Failed launches") }</th><td>{ failed_launches(&summary.failed_launches) }</td></tr>
                    }
                    { for cost_figure_rows(summary).into_iter().map(|(id, label, text)| html! {
                        <tr id={id}><th scope="row">{ tr_dyn(label) }</th><td>{ text }</td></tr>
                    }) }
                </tbody>
            </table>
            <table id="cost-breakdown" class="services">
                <thead><tr><th scope="col">{ tr("Cost") }</th><th scope="col">{ tr("Of") }</th><th scope="col">{ tr("USD") }</th></tr></thead>
                <tbody>
                    { for cost_rows(summary).into_iter().take(if *show_all { usize::MAX } else { 2 * SERVICES_SHOWN }).map(|(section, name, usd)| html! {
                        <tr><th scope="row">{ tr_dyn(&name) }</th><td>{ tr_dyn(section) }</td><td>{ format!("${usd:.4}") }</td></tr>
                    }) }
                </tbody>
            </table>
            if let Some(commitments) = &summary.commitments {
                <table id="commitments" class="services">
                    <thead><tr><th scope="col">{ tr("Savings Plans and Reserved Instances") }</th><th scope="col">{ tr("Over the run") }</th></tr></thead>
                    <tbody>
                        { for commitment_rows(commitments).into_iter().map(|(label, text)| html! {
                            <tr><th scope="row">{ label }</th><td>{ text }</td></tr>
                        }) }
                    </tbody>
                </table>
            }
            if !summary.demand.is_empty() {
                <table id="demand" class="services">
                    <thead><tr><th scope="col">{ tr("Demand") }</th><th scope="col">{ tr("Unserved") }</th><th scope="col">{ tr("Peak CPU") }</th><th scope="col">{ tr("Over target") }</th><th scope="col">{ tr("Scaling") }</th></tr></thead>
                    <tbody>
                        { for summary.demand.iter().map(|d| html! {
                            <tr>
                                <th scope="row">{ d.service.clone() }</th>
                                <td>{ trf("{requests} requests ({percent}%)", &[("requests", &format!("{:.0}", d.unserved_requests)), ("percent", &format!("{:.1}", d.unserved_percent))]) }</td>
                                <td>{ format!("{:.0}%", d.peak_utilization_percent) }</td>
                                <td>{ d.time_over_target_s.map_or_else(|| "–".to_string(), |s| format!("{s:.0} s")) }</td>
                                <td>{ trf("{actions} actions, up to {max}", &[("actions", &d.scaling_actions), ("max", &d.max_desired)]) }
                                    if d.overload_failures > 0 {
                                        <span class="note">{ trf(" · {count} overloaded tasks failed", &[("count", &d.overload_failures)]) }</span>
                                    }
                                </td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if !summary.cpu_credits.is_empty() {
                <table id="cpu-credits" class="services">
                    <thead><tr><th scope="col">{ tr("CPU credits") }</th><th scope="col">{ tr("Lowest") }</th><th scope="col">{ tr("At the end") }</th><th scope="col">{ tr("Throttled") }</th><th scope="col">{ tr("Surplus") }</th></tr></thead>
                    <tbody>
                        { for summary.cpu_credits.iter().map(|c| html! {
                            <tr>
                                <th scope="row">{ format!("{} ({})", c.group, credit_mode(c.mode)) }</th>
                                <td>{ format!("{:.1}", c.min_balance) }</td>
                                <td>{ format!("{:.1}", c.final_balance) }</td>
                                <td>{ trf("{seconds} instance-s", &[("seconds", &format!("{:.0}", c.throttled_instance_s))]) }</td>
                                <td>{ trf("{charged} charged ({usd}), {owed} owed", &[("charged", &format!("{:.1}", c.surplus_charged)), ("usd", &format!("${:.4}", c.surplus_charged_usd)), ("owed", &format!("{:.1}", c.surplus_owed))]) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if !summary.schedules.is_empty() {
                <table id="schedules" class="services">
                    <thead><tr><th scope="col">{ tr("Schedule") }</th><th scope="col">{ tr("Fired") }</th><th scope="col">{ tr("Tasks started") }</th><th scope="col">{ tr("Throttled") }</th><th scope="col">{ tr("Dropped") }</th></tr></thead>
                    <tbody>
                        { for summary.schedules.iter().map(|s| html! {
                            <tr>
                                <th scope="row">{ s.name.clone() }<span class="note">{ format!(" {}", s.expression) }</span></th>
                                <td>{ format!("{}/{}", s.fired, s.firings) }</td>
                                <td>{ s.tasks_started }</td>
                                <td>{ schedule_throttled(s) }</td>
                                <td>{ s.dropped }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if !summary.queues.is_empty() {
                <table id="queues" class="services">
                    <thead><tr><th scope="col">{ tr("Queue") }</th><th scope="col">{ tr("Processed") }</th><th scope="col">{ tr("Redelivered") }</th><th scope="col">{ tr("Dead-lettered") }</th><th scope="col">{ tr("Max backlog") }</th><th scope="col">{ tr("Max age") }</th><th scope="col">{ tr("Workers") }</th></tr></thead>
                    <tbody>
                        { for summary.queues.iter().map(|q| html! {
                            <tr>
                                <th scope="row">{ q.queue.clone() }</th>
                                <td>{ trf("{processed} of {arrived}", &[("processed", &format!("{:.0}", q.processed)), ("arrived", &format!("{:.0}", q.arrived))]) }</td>
                                <td>{ format!("{:.0}", q.redelivered) }</td>
                                <td>{ format!("{:.0}", q.dead_lettered) }</td>
                                <td>{ trf("{count} messages", &[("count", &format!("{:.0}", q.max_visible))]) }</td>
                                <td>{ format!("{:.0} s", q.max_age_s) }</td>
                                <td>{ q.worker_service.as_ref().map_or_else(
                                    || tr("none"),
                                    |s| trf("{service}: {actions} actions, up to {max}", &[("service", &s), ("actions", &q.scaling_actions), ("max", &q.max_desired)]),
                                ) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if let Some(batch) = &summary.batch {
                { table("batch", &[mark("AWS Batch"), mark("Over the run")], batch_rows(batch).into_iter().map(|(l, t)| vec![tr_dyn(l), t]).collect()) }
                { table("batch-queues", &[mark("Job queue"), mark("Jobs"), mark("Wait p50 / p95"), mark("Cost")], batch.queues.iter().map(|q| vec![
                    trf("{queue} (priority {priority})", &[("queue", &q.queue), ("priority", &q.priority)]),
                    trf("{jobs} ({succeeded} succeeded, {failed} failed)", &[("jobs", &q.jobs), ("succeeded", &q.succeeded), ("failed", &q.failed)]),
                    format!("{} / {}", opt_s(q.wait_p50_s), opt_s(q.wait_p95_s)),
                    format!("${:.4}", q.cost_usd),
                ]).collect()) }
                { table("batch-compute-environments", &[mark("Compute environment"), mark("Peak vCPUs / max"), mark("Instances"), mark("Cost")], batch.compute_environments.iter().map(|c| vec![
                    format!("{} ({})", c.name, c.kind),
                    format!("{} / {}", c.peak_vcpus, c.max_vcpus),
                    c.instances_launched.to_string(),
                    format!("${:.4}", c.cost_usd),
                ]).collect()) }
            }
            if !summary.services.is_empty() {
                <table id="services" class="services">
                    <thead><tr><th scope="col">{ tr("Service") }</th><th scope="col">{ tr("Running") }</th><th scope="col">{ tr("Steady at (first rollout · later)") }</th><th scope="col">{ tr("Rate over the ramp") }</th><th scope="col">{ tr("Limited by") }</th></tr></thead>
                    <tbody>
                        { for summary.services.iter().take(if *show_all { usize::MAX } else { SERVICES_SHOWN }).map(|svc| html! {
                            <tr>
                                <th scope="row">{ svc.name.clone() }</th>
                                <td>{ format!("{}/{}", svc.running, svc.desired) }
                                    if let Some(dip) = &svc.dip {
                                        <span class="note">{ trf(" · dipped to {running} at {time}", &[("running", &dip.running), ("time", &crate::stage::clock((dip.at_s * 1000.0) as u64))]) }</span>
                                    }
                                </td>
                                <td>{ steady_at(svc) }</td>
                                <td>{ svc.launch_rate_per_s.map_or_else(|| "–".to_string(), |r| trf("{rate} tasks/s", &[("rate", &format!("{r:.1}"))])) }</td>
                                <td>{ tr_dyn(svc.limited_by_name()) }
                                    if let Some(top) = svc.limited_by_shares.first() {
                                        <span class="note">{ trf(" · {share} of the time held back", &[("share", &format!("{:.0}%", top.share * 100.0))]) }</span>
                                    }
                                    if svc.interruptions + svc.replacements > 0 {
                                        <span class="note">{ trf(" · {interrupted} interrupted, {replaced} replaced", &[("interrupted", &svc.interruptions), ("replaced", &svc.replacements)]) }</span>
                                    }
                                </td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                if summary.services.len() > SERVICES_SHOWN {
                    <button id="all-services" class="small" onclick={{
                        let show_all = show_all.clone();
                        Callback::from(move |_: MouseEvent| show_all.set(!*show_all))
                    }}>
                        { if *show_all { tr("Show fewer services") } else { trf("Show all {count} services", &[("count", &summary.services.len())]) } }
                    </button>
                }
            }
            if !summary.run_tasks.is_empty() {
                <table class="services">
                    <thead><tr><th scope="col">{ tr("RunTask") }</th><th scope="col">{ tr("Started") }</th><th scope="col">{ tr("Failed") }</th><th scope="col">{ tr("Throttled calls") }</th><th scope="col">{ tr("Settled at") }</th></tr></thead>
                    <tbody>
                        { for summary.run_tasks.iter().map(|r| html! {
                            <tr><th scope="row">{ r.name.clone() }</th><td>{ format!("{}/{}", r.started, r.requested) }</td><td>{ r.failed }</td><td>{ r.throttled_calls }</td><td>{ seconds(r.settled_s) }</td></tr>
                        }) }
                    </tbody>
                </table>
            }
            if let Some(stop) = &summary.stopped_early {
                <p id="stopped-early" class="error" role="status">
                    { trf("The run stopped early at {time}: {reason}. What it shows up to then is exact; shorten the horizon or fix what loops to see the rest.", &[("time", &seconds(Some(stop.at_s))), ("reason", &stop.reason)]) }
                </p>
            }
            if !summary.quota_hits.is_empty() {
                <table id="quota-hits" class="services">
                    <thead><tr><th scope="col">{ tr("Quota hit") }</th><th scope="col">{ tr("Value and refusals") }</th></tr></thead>
                    <tbody>
                        { for summary.quota_hits.iter().map(|hit| {
                            let (name, line) = quota_line(hit);
                            html! { <tr><th scope="row">{ name }</th><td>{ line }</td></tr> }
                        }) }
                    </tbody>
                </table>
            }
            if !summary.task_retirements.is_empty() {
                <table id="task-retirements" class="services">
                    <thead><tr><th scope="col">{ tr("Fargate task retirement") }</th></tr></thead>
                    <tbody>
                        { for summary.task_retirements.iter().map(|r| html! { <tr><td>{ retirement_line(r) }</td></tr> }) }
                    </tbody>
                </table>
            }
            <details>
                <summary>{ tr("As JSON (same as fleetplan run --json)") }</summary>
                <pre id="summary-json">{ (*props.json.0).clone() }</pre>
            </details>
        </section>
    }
}

/// A group's credit option as the file spells it.
fn credit_mode(mode: fleetplan_engine::spec::CpuCredits) -> &'static str {
    match mode {
        fleetplan_engine::spec::CpuCredits::Standard => "standard",
        fleetplan_engine::spec::CpuCredits::Unlimited => "unlimited",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fleetplan_engine::{Scenario, Simulation};

    #[test]
    fn dollars_read_with_cents_and_thousands() {
        assert_eq!(dollars(12_660.026), "$12,660.03");
        assert_eq!(dollars(0.4483), "$0.45");
        assert_eq!(dollars(-3.5), "-$3.50");
        assert_eq!(dollars(999.999), "$1,000.00");
    }

    /// Issue 13: the page names each cost figure and shows the steady rate of `fargate-ondemand-1000`
    /// (1,000 x $0.0173425 = $17.3425 an hour, 730 hours a month), not only the average over the run.
    #[test]
    fn the_cost_figures_are_named_for_what_they_are() {
        let scenario = fleetplan_engine::presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap();
        let mut sim = Simulation::new(scenario, 1);
        sim.run_to_end();
        let summary = sim.metrics();
        let rows = cost_figure_rows(&summary);
        let ids: Vec<&str> = rows.iter().map(|r| r.0).collect();
        assert_eq!(ids, ["cost-total", "cost-rollout", "cost-steady", "cost-vs-on-demand"]);
        assert!(rows[0].2.contains("average $7.90 per hour over the run, ramp included"), "{}", rows[0].2);
        // $12,660.025 a month: the binary double just below it prints as .02.
        assert_eq!(rows[2].2, "$17.34 per hour, $12,660.02 per month (730 hours)");
        assert!(rows[1].2.ends_with("at 0:03:23"), "{}", rows[1].2);
        let first = &summary.services[0];
        assert_eq!(steady_at(first), "0:03:23");
    }

    #[test]
    fn failed_launches_name_each_group() {
        let groups = [
            FailedLaunches { provider: "single".into(), launches: 4 },
            FailedLaunches { provider: "diverse".into(), launches: 1 },
        ];
        assert_eq!(failed_launches(&groups), "single 4, diverse 1 (InsufficientInstanceCapacity in every pool)");
    }

    #[test]
    fn a_quota_hit_reads_with_its_name_value_and_refusals() {
        let hit = QuotaHit { quota: Limiter::FargateOnDemandVcpuQuota, value: 100, refused: 42, first_s: 12.5 };
        let (name, line) = quota_line(&hit);
        assert_eq!(name, "Fargate On-Demand vCPU resource count");
        assert_eq!(line, "100 vCPUs: refused 42 task launches, first at 12.5 s");
    }

    #[test]
    fn the_cost_rows_show_categories_then_payers() {
        let scenario = Scenario::from_json(
            r#"{"version": 1, "name": "t", "horizon_s": 600,
                "task_definitions": [{"name": "web", "cpu": 256, "memory": 512}],
                "services": [{"name": "api", "task_definition": "web", "desired_count": 2, "assign_public_ip": true,
                              "load_balancer": {"health_check_interval_s": 5, "healthy_threshold": 2}}]}"#,
        )
        .unwrap();
        let mut sim = Simulation::new(scenario, 1);
        sim.run_to_end();
        let summary = sim.metrics();
        let rows = cost_rows(&summary);
        let names: Vec<(&str, &str)> = rows.iter().map(|(section, name, _)| (*section, name.as_str())).collect();
        assert_eq!(
            names,
            vec![
                ("category", "Fargate"),
                ("category", "Public IPv4"),
                ("category", "Load balancer hours"),
                ("service", "api"),
            ]
        );
        let categories: f64 = rows.iter().filter(|r| r.0 == "category").map(|r| r.2).sum();
        assert!((categories - summary.cost_usd).abs() < 1e-3, "{categories} vs {}", summary.cost_usd);
        assert_eq!(rows[3].2, summary.cost_breakdown.services[0].total_usd);
    }

    #[test]
    fn a_task_retirement_reads_with_its_wait_and_what_it_did() {
        let mut r = TaskRetirementSummary {
            notice_s: 600.0,
            retirement_s: 600.0,
            wait_period_days: 0,
            tasks: 24,
            retired: true,
            service_tasks_replaced: 20,
            standalone_tasks_stopped: 4,
        };
        assert_eq!(
            retirement_line(&r),
            "notice at 600.0 s for 24 tasks, no wait: 20 service tasks replaced within the deployment bounds, 4 \
             standalone tasks stopped"
        );
        (r.wait_period_days, r.retirement_s, r.retired) = (7, 605_400.0, false);
        assert_eq!(
            retirement_line(&r),
            "notice at 600.0 s for 24 tasks, wait 7 days: retirement at 605400.0 s, after the run"
        );
    }

    #[test]
    fn a_max_size_hit_counts_instances() {
        let hit = QuotaHit { quota: Limiter::AsgMaxSize, value: 10, refused: 3, first_s: 60.0 };
        let (name, line) = quota_line(&hit);
        assert_eq!(name, "Auto Scaling group maximum capacity");
        assert_eq!(line, "10 instances (the group's maximum size): refused 3 instance launches, first at 60.0 s");
    }

    #[test]
    fn a_managed_instances_provider_is_named_with_its_fee() {
        let preset = fleetplan_engine::presets::get("managed-instances-vs-asg").expect("preset");
        let mut sim = Simulation::new(preset.scenario().unwrap(), 1);
        sim.run_to_end();
        let rows = cost_rows(&sim.metrics());
        let names: Vec<&str> = rows.iter().filter(|r| r.0 == "instances").map(|r| r.1.as_str()).collect();
        assert_eq!(names, ["asg", "managed (Managed Instances)", "managed: of which management fee"]);
    }

    #[test]
    fn the_commitment_rows_read_with_and_without_and_the_break_even() {
        let preset = fleetplan_engine::presets::get("savings-plan-breakeven").unwrap();
        let mut sim = Simulation::new(preset.scenario().unwrap(), 1);
        sim.run_to_end();
        let summary = sim.metrics();
        let rows = commitment_rows(summary.commitments.as_ref().unwrap());
        let labels: Vec<&str> = rows.iter().map(|(label, _)| label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Without commitments",
                "With commitments",
                "Commitment charges",
                "Compute Savings Plan $1.00/h",
                "1 x m5.xlarge Reserved Instance"
            ]
        );
        assert!(rows[1].1.contains("saves $"), "{rows:?}");
        assert!(rows[3].1.contains("break-even $1.1"), "{rows:?}");
    }

    #[test]
    fn a_schedule_reads_its_throttled_calls_and_retries() {
        let mut s = ScheduleSummary {
            name: "etl".into(),
            expression: "cron(0 2 * * ? *)".into(),
            firings: 1,
            fired: 1,
            tasks_started: 10,
            tasks_failed: 0,
            throttled_calls: 0,
            retries: 0,
            dropped: 0,
            longest_settle_s: Some(70.0),
        };
        assert_eq!(schedule_throttled(&s), "–");
        (s.throttled_calls, s.retries) = (3, 3);
        assert_eq!(schedule_throttled(&s), "3 calls, 3 retries");
    }
}
