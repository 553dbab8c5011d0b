//! The cluster view in words: the details box for an instance or a task (plain text rows the stage renders), and
//! the number wording the layout's labels share.

use fleetplan_engine::output::{InstanceView, ProviderView};
use fleetplan_engine::scenario::CapacityType;
use fleetplan_engine::TaskView;

use super::{drawn_counts, fraction, sum};
use crate::i18n::{mark, tr, tr_dyn, trf};
use crate::palette::{DRAWN, STATE_COLOURS};

/// Rows of (label, value) describing an instance, for the details box the app renders as plain text.
pub fn instance_details(instance: &InstanceView) -> Vec<(&'static str, String)> {
    let mut state = instance.state.to_string();
    if instance.interruption_notice {
        state.push_str(" · Spot interruption notice: terminated two minutes after it");
    } else if instance.rebalance_recommended {
        state.push_str(" · rebalance recommendation: a replacement is on its way");
    }
    if instance.throttled {
        state.push_str(" · throttled to its baseline: no CPU credits left (standard mode)");
    }
    let counts = drawn_counts(&instance.by_state);
    let mut tasks = plural(sum(&counts), TASK);
    if sum(&counts) > 0 {
        tasks.push_str(": ");
        tasks.push_str(&breakdown(&counts));
    }
    vec![
        (mark("Instance"), instance.id.clone()),
        (mark("Type"), instance.instance_type.to_string()),
        (mark("Provider"), instance.provider.clone()),
        (mark("Availability Zone"), instance.zone.clone()),
        (mark("State"), state),
        (mark("Launched at"), seconds(instance.launched_s)),
        (mark("CPU"), usage(instance.cpu_used, instance.cpu_total, mark("CPU units"))),
        (mark("Memory"), usage(instance.memory_used, instance.memory_total, "MiB")),
        (mark("Tasks"), tasks),
    ]
    .into_iter()
    .chain(instance.credit_balance.map(|b| {
        (mark("CPU credits"), format!("{b:.2}{}", if b < 0.0 { tr(" (surplus owed)") } else { String::new() }))
    }))
    .collect()
}

/// Rows describing a task (from `Simulation::tasks_at`).
pub fn task_details(task: &TaskView) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        (mark("Task"), task.id.to_string()),
        (mark("Owner"), task.owner.clone()),
        (mark("Task definition"), task.task_definition.clone()),
        (
            mark("Size"),
            trf("{cpu} CPU units, {memory} MiB", &[("cpu", &thousands(task.cpu)), ("memory", &thousands(task.memory))]),
        ),
        (mark("State"), task.state.name().to_string()),
        (mark("Health"), task.health.name().to_string()),
        (mark("Capacity"), capacity_label(task.capacity).to_string()),
        (mark("Provider"), task.provider.clone()),
        (mark("Instance"), task.instance.clone().unwrap_or_else(|| "none".to_string())),
        (mark("Launched at"), seconds(task.launched_s)),
        (mark("Running since"), task.running_s.map_or_else(|| tr("not yet"), seconds)),
    ];
    if let Some(reason) = task.stopping {
        rows.push((mark("Stopping"), reason.name().to_string()));
    }
    if task.interruption_warning {
        rows.push((mark("Spot interruption"), tr("warned: stopped two minutes after the warning")));
    }
    rows
}

/// Capacity type names as people read them (the cluster view and the summary's cost table).
pub(crate) fn capacity_label(capacity: CapacityType) -> &'static str {
    match capacity {
        CapacityType::Fargate => "Fargate",
        CapacityType::FargateSpot => "Fargate Spot",
        CapacityType::Ec2OnDemand => "EC2 On-Demand",
        CapacityType::Ec2Spot => "EC2 Spot",
        CapacityType::External => "ECS Anywhere",
    }
}

/// A provider's capacity as the cluster view names it: Managed Instances providers by their kind (their tasks
/// count as EC2 or EC2 Spot, the instances being EC2 instances), others by their capacity type.
pub(crate) fn provider_label(view: &ProviderView) -> &'static str {
    match (view.managed_instances, view.capacity) {
        (true, CapacityType::Ec2Spot) => "Managed Instances (Spot)",
        (true, _) => "Managed Instances",
        (false, capacity) => capacity_label(capacity),
    }
}

/// 12345 → "12,345".
pub(crate) fn thousands(n: impl Into<u64>) -> String {
    let digits = n.into().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % 3 == digits.len() % 3 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 task", "2,000 tasks"; in Japanese the noun has no plural ("2,000 タスク").
pub(super) fn plural(n: u32, noun: &str) -> String {
    match crate::i18n::lang() {
        crate::i18n::Lang::En => format!("{} {noun}{}", thousands(n), if n == 1 { "" } else { "s" }),
        _ => format!("{} {}", thousands(n), crate::i18n::tr_dyn(noun)),
    }
}

/// The nouns [`plural`] counts, for the catalogue.
pub(super) const TASK: &str = mark("task");
pub(super) const INSTANCE: &str = mark("instance");

/// The non-zero states: "9,800 RUNNING, 200 PENDING" (in lifecycle order).
pub(super) fn breakdown(counts: &[u32; DRAWN]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .zip(STATE_COLOURS)
        .filter(|(&c, _)| c > 0)
        .map(|(&c, (name, _))| format!("{} {name}", thousands(c)))
        .collect();
    parts.join(", ")
}

fn seconds(s: f64) -> String {
    format!("{s:.1} s")
}

fn usage(used: u32, total: u32, unit: &str) -> String {
    if total == 0 {
        return trf("{used} {unit} used", &[("used", &thousands(used)), ("unit", &tr_dyn(unit))]);
    }
    trf(
        "{used} of {total} {unit} ({percent}%)",
        &[
            ("used", &thousands(used)),
            ("total", &thousands(total)),
            ("unit", &tr_dyn(unit)),
            ("percent", &format!("{:.0}", fraction(used, total) * 100.0)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::instance;
    use super::*;
    use fleetplan_engine::instance::InstanceState;

    #[test]
    fn details_read_well() {
        let mut i = instance(7, 0, 1, InstanceState::Draining, [0, 1, 0, 3, 0, 0, 0, 2]);
        i.interruption_notice = true;
        let rows = instance_details(&i);
        let get = |label| rows.iter().find(|(l, _)| *l == label).map(|(_, v)| v.as_str());
        assert_eq!(get("CPU"), Some("1,024 of 4,096 CPU units (25%)"));
        assert_eq!(get("Tasks"), Some("4 tasks: 1 PENDING, 3 RUNNING"));
        assert!(get("State").is_some_and(|s| s.starts_with("DRAINING · Spot interruption notice")));
        assert_eq!(thousands(0_u32), "0");
        assert_eq!(thousands(1_234_567_u32), "1,234,567");
        assert_eq!(plural(1, "task"), "1 task");
    }

    #[test]
    fn managed_instances_providers_are_named_by_their_kind() {
        let mut p = super::super::fixtures::provider("mi", 1, 0);
        assert_eq!(provider_label(&p), "EC2 On-Demand");
        p.managed_instances = true;
        assert_eq!(provider_label(&p), "Managed Instances");
        p.capacity = CapacityType::Ec2Spot;
        assert_eq!(provider_label(&p), "Managed Instances (Spot)");
    }
}
