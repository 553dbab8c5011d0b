//! Pure decisions of the AWS Batch model (`docs/model.md` §12), values in and a choice out, each tested on its own:
//! which instance type a compute environment launches, which instance a job is placed on, whether a failed
//! attempt is retried (`evaluateOnExit`), and whether a launch stays within maxvCpus.

use crate::instance_types::InstanceType;
use crate::scenario::ExitRule;
use crate::spec::{BatchAllocationStrategy, RetryAction};

/// What one job (or array child) asks for: vCPUs in thousandths and MiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Need {
    pub(crate) vcpu_milli: u32,
    pub(crate) memory_mib: u32,
}

/// Whether an instance type can hold one job of `need` at all (the agent's registered memory, `instance_types.rs`).
pub(crate) fn fits(t: &InstanceType, need: Need) -> bool {
    u64::from(t.vcpu) * 1000 >= u64::from(need.vcpu_milli) && t.registered_memory_mib(0) >= need.memory_mib
}

/// The type to launch for `missing_milli` vCPUs (thousandths) of RUNNABLE jobs of size `need`, from the types of
/// `types` that `keep` admits (`types` sorted cheapest vCPU first: validation sorts them). "AWS Batch selects an
/// instance type that best fits the needs of the jobs with a preference for the lowest-cost instance type"
/// (BEST_FIT) and, for the other strategies, "instance types that are large enough to meet the requirements of the
/// jobs in the queue ... with lower cost vCPUs" ("Instance type allocation strategies for AWS Batch"). The
/// engine's reading: among the types with the cheapest vCPU that fit a job, the largest one the backlog fills, else
/// the smallest that fits. `None`: no type can run the job (it stays RUNNABLE, as "Jobs stuck in a RUNNABLE
/// status" describes).
pub(crate) fn choose_type_where(
    types: &[InstanceType],
    need: Need,
    missing_milli: u64,
    keep: impl Fn(usize) -> bool,
) -> Option<usize> {
    let fitting: Vec<usize> = (0..types.len()).filter(|&i| keep(i) && fits(&types[i], need)).collect();
    let &first = fitting.first()?;
    let per_vcpu = |i: usize| types[i].on_demand_hour_usd / f64::from(types[i].vcpu);
    let cheapest = per_vcpu(first);
    // Types within 0.1% of the cheapest vCPU price count as equally cheap (the catalogue's sizes of one family are
    // priced linearly, up to rounding of the published cents).
    let cheap: Vec<usize> = fitting.into_iter().filter(|&i| per_vcpu(i) <= cheapest * 1.001).collect();
    let filled = cheap
        .iter()
        .copied()
        .filter(|&i| u64::from(types[i].vcpu) * 1000 <= missing_milli.max(1))
        .max_by_key(|&i| types[i].vcpu);
    filled.or_else(|| cheap.iter().copied().min_by_key(|&i| types[i].vcpu))
}

/// [`choose_type_where`] over every type.
#[cfg(test)]
pub(crate) fn choose_type(types: &[InstanceType], need: Need, missing_milli: u64) -> Option<usize> {
    choose_type_where(types, need, missing_milli, |_| true)
}

/// What a compute environment's allocation strategy does for demand its instances cannot hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Launch {
    /// Launch an instance of this type (index into the environment's types).
    Type(usize),
    /// The type the strategy settles on has no capacity: EC2 refuses the launch (InsufficientInstanceCapacity) and
    /// nothing is launched for now; the next pass asks again.
    Refused(usize),
    /// No type can hold the job (within maxvCpus where it may not be exceeded).
    Nothing,
}

/// The environment the strategies choose for: its allocation strategy, whether it is On-Demand (`EC2`), its types
/// (cheapest vCPU first), which of them have no capacity now, and its vCPUs running or launching against maxvCpus.
pub(crate) struct Pools<'a> {
    pub(crate) strategy: BatchAllocationStrategy,
    pub(crate) on_demand: bool,
    pub(crate) types: &'a [InstanceType],
    pub(crate) dry: &'a [bool],
    pub(crate) live_vcpus: u32,
    pub(crate) max_vcpus: u32,
}

/// The launch the allocation strategy makes for `missing_milli` vCPUs of jobs of size `need`
/// ("Instance type allocation strategies for AWS Batch"):
/// - BEST_FIT: "If additional instances of the selected instance type aren't available, AWS Batch waits for the
///   additional instances to be available": the best-fitting type is chosen as if every pool had capacity; when
///   its pool is dry the launch is refused and nothing else is tried.
/// - BEST_FIT_PROGRESSIVE: "If additional instances of the previously selected instance types aren't available,
///   AWS Batch selects new instance types": the choice is made among the types whose pools have capacity.
/// - SPOT_CAPACITY_OPTIMIZED ("a preference for instance types that are less likely to be interrupted") and
///   SPOT_PRICE_CAPACITY_OPTIMIZED ("looks at both price and capacity to select the Spot Instance pools that are
///   the least likely to be interrupted and have the lowest possible price"): among the pools with capacity too.
///   The engine has no per-pool interruption likelihood or depth for Batch, so the two choose alike: the lowest
///   price among the pools that have capacity.
///
/// maxvCpus (API reference, `ComputeResource`): "With BEST_FIT_PROGRESSIVE, SPOT_CAPACITY_OPTIMIZED and
/// SPOT_PRICE_CAPACITY_OPTIMIZED (recommended) strategies using On-Demand or Spot Instances, and the BEST_FIT
/// strategy using Spot Instances, AWS Batch might need to exceed maxvCpus to meet your capacity requirements. In
/// this event, AWS Batch never exceeds maxvCpus by more than a single instance." So BEST_FIT On-Demand launches
/// only types that fit under maxvCpus; the others may cross it with their last instance ([`may_launch`]).
pub(crate) fn choose_launch(pools: &Pools, need: Need, missing_milli: u64) -> Launch {
    if !may_launch(pools.live_vcpus, pools.max_vcpus) {
        return Launch::Nothing;
    }
    let strict = pools.strategy == BatchAllocationStrategy::BestFit && pools.on_demand;
    let headroom = pools.max_vcpus.saturating_sub(pools.live_vcpus);
    let under_max = |i: usize| !strict || pools.types[i].vcpu <= headroom;
    let missing = if strict { missing_milli.min(u64::from(headroom) * 1000) } else { missing_milli };
    let wet = |i: usize| !pools.dry.get(i).copied().unwrap_or(false);
    let chosen = if pools.strategy == BatchAllocationStrategy::BestFit {
        choose_type_where(pools.types, need, missing, under_max)
    } else {
        choose_type_where(pools.types, need, missing, |i| under_max(i) && wet(i))
            .or_else(|| choose_type_where(pools.types, need, missing, under_max))
    };
    match chosen {
        Some(t) if wet(t) => Launch::Type(t),
        Some(t) => Launch::Refused(t),
        None => Launch::Nothing,
    }
}

/// Whether one more instance of `vcpus` may be launched in a compute environment that has `live_vcpus` (running or
/// launching) of `max_vcpus`. "AWS Batch might need to exceed maxvCpus to meet your capacity requirements. In this
/// event, AWS Batch never exceeds maxvCpus by more than a single instance" ("Instance type allocation strategies
/// for AWS Batch", for every strategy): a launch is allowed while the environment is below maxvCpus, so the last
/// one may cross it, by less than its own size.
pub(crate) fn may_launch(live_vcpus: u32, max_vcpus: u32) -> bool {
    live_vcpus < max_vcpus
}

/// Best fit among instances with room: the one left with the fewest free vCPUs (then the least memory, then the
/// oldest), so jobs pack onto few instances and idle ones can go. `free` lists (free vCPU thousandths, free MiB).
pub(crate) fn best_instance(free: impl Iterator<Item = (usize, u32, u32)>, need: Need) -> Option<usize> {
    free.filter(|&(_, cpu, mem)| cpu >= need.vcpu_milli && mem >= need.memory_mib)
        .min_by_key(|&(i, cpu, mem)| (cpu - need.vcpu_milli, mem - need.memory_mib, i))
        .map(|(i, _, _)| i)
}

/// How an attempt ended, as `evaluateOnExit` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Exit {
    pub(crate) exit_code: Option<i32>,
    pub(crate) reason: Option<String>,
    pub(crate) status_reason: String,
}

/// An `evaluateOnExit` pattern: "can end with an asterisk (*) so that only the start of the string needs to be an
/// exact match" (API reference, `EvaluateOnExit`). `*` alone matches anything, a missing value included.
pub(crate) fn pattern_matches(pattern: &str, value: Option<&str>) -> bool {
    match pattern.strip_suffix('*') {
        Some("") => true,
        Some(prefix) => value.is_some_and(|v| v.starts_with(prefix)),
        None => value == Some(pattern),
    }
}

/// Whether a failed attempt (`attempt` of `attempts`, counted from 1) goes back to RUNNABLE. "If evaluateOnExit is
/// specified, but none of the retry strategies match, then the job is retried"; the first condition that matches
/// decides ("Automated job retries"); no attempts left means FAILED.
pub(crate) fn retry(rules: &[ExitRule], attempt: u32, attempts: u32, exit: &Exit) -> bool {
    if attempt >= attempts {
        return false;
    }
    let code = exit.exit_code.map(|c| c.to_string());
    for rule in rules {
        let matches = rule.on_exit_code.as_deref().is_none_or(|p| pattern_matches(p, code.as_deref()))
            && rule.on_reason.as_deref().is_none_or(|p| pattern_matches(p, exit.reason.as_deref()))
            && rule.on_status_reason.as_deref().is_none_or(|p| pattern_matches(p, Some(&exit.status_reason)));
        if matches {
            return rule.action == RetryAction::Retry;
        }
    }
    true
}

/// The `p`-quantile (0..=1) of sorted values, nearest rank; `None` when empty.
pub(crate) fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = crate::narrow::round_u64(libm::ceil(p * sorted.len() as f64)).max(1);
    let index = usize::try_from(rank - 1).unwrap_or(usize::MAX).min(sorted.len() - 1);
    Some(sorted[index])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance_types::get;

    fn types(names: &[&str]) -> Vec<InstanceType> {
        names.iter().map(|n| *get(n).unwrap()).collect()
    }

    #[test]
    fn the_type_is_the_cheapest_vcpu_that_the_backlog_fills() {
        let t = types(&["c5.large", "c5.xlarge", "c5.2xlarge", "m5.large"]);
        let one = Need { vcpu_milli: 1000, memory_mib: 1024 };
        // 7 vCPUs missing: c5.xlarge (4) is the largest c5 the backlog fills.
        assert_eq!(choose_type(&t, one, 7_000), Some(1));
        assert_eq!(choose_type(&t, one, 20_000), Some(2));
        // Less than the smallest: the smallest that fits.
        assert_eq!(choose_type(&t, one, 500), Some(0));
        // 6 GiB does not fit a c5.large (4 GiB) nor a c5.xlarge's registered 7,985 MiB? It does: 8 GiB type.
        let big = Need { vcpu_milli: 1000, memory_mib: 6_000 };
        assert_eq!(choose_type(&t, big, 1_000), Some(1));
        // Nothing fits 100 GiB.
        assert_eq!(choose_type(&t, Need { vcpu_milli: 1000, memory_mib: 100_000 }, 1_000), None);
    }

    fn pools<'a>(
        strategy: BatchAllocationStrategy,
        on_demand: bool,
        t: &'a [InstanceType],
        dry: &'a [bool],
    ) -> Pools<'a> {
        Pools { strategy, on_demand, types: t, dry, live_vcpus: 0, max_vcpus: 64 }
    }

    #[test]
    fn best_fit_waits_for_its_type_and_the_others_move_to_pools_with_capacity() {
        use BatchAllocationStrategy::*;
        // Sorted cheapest vCPU first, as validation leaves them: c5, m5, r5.
        let t = types(&["c5.2xlarge", "m5.2xlarge", "r5.2xlarge"]);
        let one = Need { vcpu_milli: 1000, memory_mib: 1024 };
        let c5_dry = [true, false, false];
        assert_eq!(choose_launch(&pools(BestFit, true, &t, &[false; 3]), one, 16_000), Launch::Type(0));
        // BEST_FIT: the best-fitting type is dry: refused, no other type tried.
        assert_eq!(choose_launch(&pools(BestFit, true, &t, &c5_dry), one, 16_000), Launch::Refused(0));
        assert_eq!(choose_launch(&pools(BestFit, false, &t, &c5_dry), one, 16_000), Launch::Refused(0));
        // The others select the next cheapest vCPU among the pools with capacity.
        for strategy in [BestFitProgressive, SpotCapacityOptimized, SpotPriceCapacityOptimized] {
            let on_demand = strategy == BestFitProgressive;
            assert_eq!(choose_launch(&pools(strategy, on_demand, &t, &c5_dry), one, 16_000), Launch::Type(1));
            assert_eq!(
                choose_launch(&pools(strategy, on_demand, &t, &[true, true, false]), one, 16_000),
                Launch::Type(2)
            );
            // Every pool dry: refused (the cheapest, as if all had capacity).
            assert_eq!(choose_launch(&pools(strategy, on_demand, &t, &[true; 3]), one, 16_000), Launch::Refused(0));
        }
        // A job no type holds: nothing, whatever the pools.
        let huge = Need { vcpu_milli: 1000, memory_mib: 500_000 };
        assert_eq!(choose_launch(&pools(BestFitProgressive, true, &t, &c5_dry), huge, 16_000), Launch::Nothing);
    }

    #[test]
    fn only_best_fit_on_demand_stays_within_max_vcpus() {
        use BatchAllocationStrategy::*;
        let t = types(&["c5.xlarge", "c5.2xlarge"]);
        let one = Need { vcpu_milli: 1000, memory_mib: 1024 };
        let dry = [false; 2];
        // 8 of 10 vCPUs running, 30 missing: BEST_FIT On-Demand has room for 2 vCPUs, no type that small.
        let at = |strategy, on_demand| Pools { live_vcpus: 8, max_vcpus: 10, ..pools(strategy, on_demand, &t, &dry) };
        assert_eq!(choose_launch(&at(BestFit, true), one, 30_000), Launch::Nothing);
        // 4 vCPUs of room: a c5.xlarge, not the c5.2xlarge the backlog would fill.
        let roomy = Pools { live_vcpus: 6, max_vcpus: 10, ..pools(BestFit, true, &t, &dry) };
        assert_eq!(choose_launch(&roomy, one, 30_000), Launch::Type(0));
        // BEST_FIT on Spot and the other strategies may cross maxvCpus by one instance.
        assert_eq!(choose_launch(&at(BestFit, false), one, 30_000), Launch::Type(1));
        assert_eq!(choose_launch(&at(BestFitProgressive, true), one, 30_000), Launch::Type(1));
        assert_eq!(choose_launch(&at(SpotPriceCapacityOptimized, false), one, 30_000), Launch::Type(1));
        let full = Pools { live_vcpus: 10, max_vcpus: 10, ..pools(BestFitProgressive, true, &t, &dry) };
        assert_eq!(choose_launch(&full, one, 30_000), Launch::Nothing);
    }

    #[test]
    fn max_vcpus_is_exceeded_by_at_most_one_instance() {
        assert!(may_launch(0, 4));
        assert!(may_launch(3, 4));
        assert!(!may_launch(4, 4));
        assert!(!may_launch(6, 4));
    }

    #[test]
    fn best_fit_takes_the_fullest_instance_with_room() {
        let need = Need { vcpu_milli: 1000, memory_mib: 1000 };
        let free = [(0, 4000, 8000), (1, 1000, 2000), (2, 500, 8000), (3, 2000, 500)];
        assert_eq!(best_instance(free.into_iter(), need), Some(1));
        assert_eq!(best_instance([(2, 500, 8000)].into_iter(), need), None);
    }

    fn rule(action: RetryAction, code: Option<&str>, status: Option<&str>) -> ExitRule {
        ExitRule {
            action,
            on_exit_code: code.map(String::from),
            on_reason: None,
            on_status_reason: status.map(String::from),
        }
    }

    #[test]
    fn evaluate_on_exit_retries_host_terminations_and_exits_on_the_rest() {
        let host = Exit { exit_code: None, reason: None, status_reason: "Host EC2 (instance i-7) terminated.".into() };
        let app = Exit { exit_code: Some(1), reason: None, status_reason: "Essential container in task exited".into() };
        let rules = [rule(RetryAction::Retry, None, Some("Host EC2*")), rule(RetryAction::Exit, Some("*"), None)];
        assert!(retry(&rules, 1, 3, &host));
        assert!(!retry(&rules, 1, 3, &app));
        // No attempts left.
        assert!(!retry(&rules, 3, 3, &host));
        // No rules: every failure is retried while attempts remain; no rule matching: retried too.
        assert!(retry(&[], 1, 2, &app));
        assert!(retry(&[rule(RetryAction::Exit, Some("137"), None)], 1, 2, &app));
        assert!(!retry(&[rule(RetryAction::Exit, Some("1"), None)], 1, 2, &app));
    }

    #[test]
    fn patterns_match_exactly_or_by_prefix() {
        assert!(pattern_matches("*", None));
        assert!(pattern_matches("Host*", Some("Host EC2")));
        assert!(!pattern_matches("Host*", None));
        assert!(pattern_matches("1", Some("1")));
        assert!(!pattern_matches("1", Some("137")));
    }

    #[test]
    fn quantiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), Some(50.0));
        assert_eq!(quantile(&v, 0.95), Some(95.0));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[3.0], 0.95), Some(3.0));
    }
}
