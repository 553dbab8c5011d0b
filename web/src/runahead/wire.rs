//! The workers' compact encoding: what the run-ahead worker reports ([`super::Update`], with the summary and the
//! series) crosses to the page as bytes, each value written in a fixed order and read back in the same order.
//!
//! Why not JSON: the page read the reports with serde's derived `Deserialize`, which for the summary's ~40 types
//! (field-name matching, map and sequence visitors, missing-field errors) cost about 55 KiB of the gzipped wasm.
//! Here every type says its fields once, in [`wire_struct!`], and that one list gives both the writer and the
//! reader: a struct's `put` destructures it without `..` and `take` builds it with a struct literal, so a field
//! added to an engine type and not here is a compile error, never a silently dropped value. Numbers are their
//! exact bits (`f64::to_bits`, little-endian), so the page reads back the identical summary and series
//! (`tests` below, and the e2e tests compare the page's summary with the CLI's).
//!
//! The bytes come from this module's own worker, but reading still never panics or allocates past the input: a
//! short or malformed message is an error naming what went wrong.

use std::borrow::Cow;

use fleetplan_engine::limited_by::{Held, HeldShare, Segment, ServiceBand};
use fleetplan_engine::output::{
    BatchCost, BatchJobState, BatchQueueSummary, BatchStateCount, BatchSummary, CapacityCost, ChartMarker,
    CommitmentsSummary, ComputeEnvironmentSummary, CostBreakdown, CostFigures, CreditSummary, DemandSummary,
    DeploymentStatus, Dip, FailedLaunches, LimitShare, Limiter, ProviderCost, QueueSummary, QuotaHit,
    ReservedInstanceResult, Rollout, RunTaskCost, RunTaskSummary, SavingsPlanResult, ScheduleSummary, ServiceCost,
    ServiceSummary, StoppedEarly, Summary, TaskRetirementSummary, TimeSeries,
};
use fleetplan_engine::scenario::CapacityType;
use fleetplan_engine::spec::{ComputeEnvironmentType, CpuCredits, SavingsPlanKind};
use fleetplan_engine::split::{SplitGroup, SplitSeries};
use fleetplan_engine::text::{Arg, Text};

use super::{Finished, Update};

/// Why bytes did not read back.
pub type WireError = &'static str;

/// Bytes being read, front to back.
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn take_bytes<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let (head, rest) = self.bytes.split_first_chunk::<N>().ok_or("the message ends early")?;
        self.bytes = rest;
        Ok(*head)
    }

    /// A length, checked against what is left (every item takes at least one byte), so a bad one cannot make a
    /// huge allocation.
    fn len(&mut self) -> Result<usize, WireError> {
        let n = u64::take(self)?;
        usize::try_from(n).ok().filter(|&n| n <= self.bytes.len()).ok_or("a length past the message's end")
    }
}

/// A value the workers send: written by `put`, read back identical by `take`.
pub trait Wire: Sized {
    fn put(&self, out: &mut Vec<u8>);
    fn take(r: &mut Reader) -> Result<Self, WireError>;
}

/// `value`'s bytes.
pub fn encode<T: Wire>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.put(&mut out);
    out
}

/// The value `bytes` hold, all of them.
pub fn decode<T: Wire>(bytes: &[u8]) -> Result<T, WireError> {
    let mut r = Reader { bytes };
    let value = T::take(&mut r)?;
    if r.bytes.is_empty() {
        Ok(value)
    } else {
        Err("bytes left over after the message")
    }
}

macro_rules! wire_number {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn take(r: &mut Reader) -> Result<Self, WireError> {
                r.take_bytes().map(<$t>::from_le_bytes)
            }
        }
    )*};
}
wire_number!(u8, u32, u64, f32, f64);

impl Wire for usize {
    fn put(&self, out: &mut Vec<u8>) {
        (*self as u64).put(out);
    }
    fn take(r: &mut Reader) -> Result<Self, WireError> {
        usize::try_from(u64::take(r)?).map_err(|_| "a number too large")
    }
}

impl Wire for bool {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn take(r: &mut Reader) -> Result<Self, WireError> {
        match r.take_bytes::<1>()? {
            [0] => Ok(false),
            [1] => Ok(true),
            _ => Err("a bad flag"),
        }
    }
}

impl Wire for String {
    fn put(&self, out: &mut Vec<u8>) {
        self.len().put(out);
        out.extend_from_slice(self.as_bytes());
    }
    fn take(r: &mut Reader) -> Result<Self, WireError> {
        let n = r.len()?;
        let (text, rest) = r.bytes.split_at(n);
        r.bytes = rest;
        String::from_utf8(text.to_vec()).map_err(|_| "text that is not UTF-8")
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        self.len().put(out);
        for item in self {
            item.put(out);
        }
    }
    fn take(r: &mut Reader) -> Result<Self, WireError> {
        let n = r.len()?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(T::take(r)?);
        }
        Ok(items)
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        self.is_some().put(out);
        if let Some(value) = self {
            value.put(out);
        }
    }
    fn take(r: &mut Reader) -> Result<Self, WireError> {
        if bool::take(r)? {
            T::take(r).map(Some)
        } else {
            Ok(None)
        }
    }
}

impl<A: Wire, B: Wire> Wire for (A, B) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
    }
    fn take(r: &mut Reader) -> Result<Self, WireError> {
        Ok((A::take(r)?, B::take(r)?))
    }
}

/// The fixed names a summary holds as `&'static str` (`output::Name`): a compute environment's type and a
/// provider's kind. Sent as text, read back as the same static text.
fn names() -> [&'static str; 5] {
    use ComputeEnvironmentType as T;
    [T::Ec2.name(), T::Spot.name(), T::Fargate.name(), T::FargateSpot.name(), "MANAGED_INSTANCES"]
}

impl Wire for &'static str {
    fn put(&self, out: &mut Vec<u8>) {
        self.to_string().put(out);
    }
    fn take(r: &mut Reader) -> Result<Self, WireError> {
        let text = String::take(r)?;
        names().into_iter().find(|n| *n == text).ok_or("an unknown name")
    }
}

impl Wire for Cow<'static, str> {
    fn put(&self, out: &mut Vec<u8>) {
        self.len().put(out);
        out.extend_from_slice(self.as_bytes());
    }
    fn take(r: &mut Reader) -> Result<Self, WireError> {
        String::take(r).map(Cow::Owned)
    }
}

/// How deep a text's clauses may nest in a message: the engine's texts nest one or two levels; a deeper one is a
/// damaged message, refused before it could exhaust the stack.
const MAX_TEXT_DEPTH: u32 = 8;

impl Wire for Text {
    fn put(&self, out: &mut Vec<u8>) {
        self.template.put(out);
        self.args.len().put(out);
        for (name, value) in &self.args {
            name.put(out);
            match value {
                Arg::Plain(s) => {
                    0u8.put(out);
                    s.put(out);
                }
                Arg::Name(n) => {
                    1u8.put(out);
                    n.put(out);
                }
                Arg::Text(t) => {
                    2u8.put(out);
                    t.put(out);
                }
            }
        }
    }
    fn take(r: &mut Reader) -> Result<Self, WireError> {
        take_text(r, 0)
    }
}

/// A [`Text`] whose clauses are at most [`MAX_TEXT_DEPTH`] deep.
fn take_text(r: &mut Reader, depth: u32) -> Result<Text, WireError> {
    if depth > MAX_TEXT_DEPTH {
        return Err("a text nested too deep");
    }
    let template = Cow::take(r)?;
    let n = r.len()?;
    let mut args = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        let name = Cow::take(r)?;
        let value = match u8::take(r)? {
            0 => Arg::Plain(String::take(r)?),
            1 => Arg::Name(Cow::take(r)?),
            2 => Arg::Text(Box::new(take_text(r, depth + 1)?)),
            _ => return Err("a bad text argument"),
        };
        args.push((name, value));
    }
    Ok(Text { template, args })
}

/// A struct as its fields, in this order. Every field is listed: `put` destructures without `..` and `take`
/// builds a struct literal, so the compiler catches a field missing here.
macro_rules! wire_struct {
    ($($t:ident { $($f:ident),* $(,)? })*) => {$(
        impl $crate::runahead::wire::Wire for $t {
            fn put(&self, out: &mut Vec<u8>) {
                let $t { $($f),* } = self;
                $($crate::runahead::wire::Wire::put($f, out);)*
            }
            fn take(
                r: &mut $crate::runahead::wire::Reader,
            ) -> Result<Self, $crate::runahead::wire::WireError> {
                Ok($t { $($f: $crate::runahead::wire::Wire::take(r)?),* })
            }
        }
    )*};
}

pub(crate) use wire_struct;

/// An enum without data as its variant's position in `$all` (the type's list of every variant).
macro_rules! wire_enum {
    ($($t:ty: $all:expr;)*) => {$(
        impl $crate::runahead::wire::Wire for $t {
            fn put(&self, out: &mut Vec<u8>) {
                let at = $all.iter().position(|v| v == self).unwrap_or(usize::MAX);
                $crate::runahead::wire::Wire::put(&at, out);
            }
            fn take(
                r: &mut $crate::runahead::wire::Reader,
            ) -> Result<Self, $crate::runahead::wire::WireError> {
                $all.get(<usize as $crate::runahead::wire::Wire>::take(r)?).copied().ok_or("an unknown variant")
            }
        }
    )*};
}

pub(crate) use wire_enum;

wire_enum! {
    Limiter: Limiter::ALL;
    CapacityType: CapacityType::ALL;
    Rollout: [Rollout::InProgress, Rollout::Completed, Rollout::Failed];
    BatchJobState: BatchJobState::ALL;
    CpuCredits: [CpuCredits::Standard, CpuCredits::Unlimited];
    SavingsPlanKind: [SavingsPlanKind::Compute, SavingsPlanKind::Ec2Instance];
}

/// What held a service back, as its [`Held::index`].
impl Wire for Held {
    fn put(&self, out: &mut Vec<u8>) {
        self.index().put(out);
    }
    fn take(r: &mut Reader) -> Result<Self, WireError> {
        let at = usize::take(r)?;
        Held::all().nth(at).ok_or("an unknown variant")
    }
}

wire_struct! {
    Summary {
        scenario, seed, completion_s, end_s, tasks_launched, tasks_started, tasks_failed, interruptions,
        replacements, cost_usd, average_cost_per_hour_usd, costs, events, services, run_tasks, failed_launches,
        quota_hits, cost_breakdown, stopped_early, task_retirements, commitments, demand, cpu_credits, schedules,
        queues, batch,
    }
    CostFigures {
        rollout_s, rollout_usd, steady_state, no_steady_state, steady_since_s, steady_per_hour_usd,
        steady_per_month_usd, on_demand_steady_per_hour_usd, on_demand_baseline_usd, billed_usd,
        savings_vs_on_demand_usd, savings_vs_on_demand_percent,
    }
    ServiceSummary {
        name, desired, running, healthy, steady_s, first_steady_s, later_rollouts, launch_rate_per_s, limited_by,
        limited_by_shares, limits, deployment, failures, replacements, interruptions, dip,
    }
    Dip { running, at_s, desired }
    DeploymentStatus { rollout, rolled_back }
    LimitShare { limit, waiting_task_s }
    RunTaskSummary { name, requested, started, failed, throttled, throttled_calls, settled_s }
    FailedLaunches { provider, launches }
    QuotaHit { quota, value, refused, first_s }
    CostBreakdown {
        by_capacity, public_ipv4_usd, load_balancer_hours_usd, load_balancer_lcu_usd, services, run_tasks,
        providers, batch,
    }
    CapacityCost { capacity, usd }
    ServiceCost { name, fargate_usd, public_ipv4_usd, load_balancer_usd, total_usd }
    RunTaskCost { name, fargate_usd, public_ipv4_usd, total_usd }
    ProviderCost { name, capacity, usd, kind, management_fee_usd }
    BatchCost { fargate_usd, instances_usd }
    StoppedEarly { reason, at_s }
    TaskRetirementSummary {
        notice_s, retirement_s, wait_period_days, tasks, retired, service_tasks_replaced, standalone_tasks_stopped,
    }
    CommitmentsSummary {
        hours, cost_without_usd, cost_with_usd, eligible_on_demand_usd, commitment_charges_usd, unused_usd,
        savings_usd, savings_plans, reserved_instances,
    }
    SavingsPlanResult {
        kind, family, usd_per_hour, charged_usd, used_usd, unused_usd, utilization_percent, best_usd_per_hour,
        best_savings_usd, break_even_usd_per_hour,
    }
    ReservedInstanceResult { instance_type, count, charged_usd, unused_usd, utilization_percent }
    DemandSummary {
        service, offered_requests, served_requests, unserved_requests, unserved_percent, peak_utilization_percent,
        time_over_target_s, saturated_s, scaling_actions, max_desired, overload_failures,
    }
    CreditSummary {
        group, mode, instances, min_balance, final_balance, throttled_instance_s, surplus_charged,
        surplus_charged_usd, surplus_owed, surplus_owed_usd,
    }
    ScheduleSummary {
        name, expression, firings, fired, tasks_started, tasks_failed, throttled_calls, retries, dropped,
        longest_settle_s,
    }
    QueueSummary {
        queue, arrived, processed, redelivered, dead_lettered, overran_visibility_timeout, max_visible, max_age_s,
        visible_at_end, in_flight_at_end, hidden_at_end, worker_service, scaling_actions, max_desired,
    }
    BatchSummary {
        jobs, jobs_by_state, makespan_s, wait_p50_s, wait_p95_s, retries, spot_reclaims, launches_refused,
        timeouts, submit_calls, submit_throttled, run_task_throttled, instances_launched, cost_usd,
        cost_per_job_usd, queues, compute_environments,
    }
    BatchStateCount { state, jobs }
    BatchQueueSummary { queue, priority, jobs, succeeded, failed, wait_p50_s, wait_p95_s, cost_usd }
    ComputeEnvironmentSummary { name, kind, max_vcpus, peak_vcpus, instances_launched, cost_usd }
    TimeSeries {
        interval_ms, columns, cost_with_commitments, demand, credit_balance, throttled_instances, queues, batch,
        custom, split,
    }
    SplitSeries { services, providers }
    SplitGroup { name, service, values, dip }
    ChartMarker { time_s, label }
}

wire_struct! {
    Update { known_ms, events, wall_ms, rows_from, rows, markers, uses_cpu_credits, finished }
    Finished { summary, timeline_end_ms, bands }
    ServiceBand { service, segments, coarsened }
    Segment { from_ms, held }
    HeldShare { held, seconds, share }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_to_the_same_bits() {
        let values = vec![0.0, -0.0, 1.0 / 3.0, f64::MAX, f64::MIN_POSITIVE, 1e-310, f64::INFINITY];
        let back: Vec<f64> = decode(&encode(&values)).unwrap();
        assert_eq!(
            values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            back.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        let nan = vec![f32::NAN];
        assert!(decode::<Vec<f32>>(&encode(&nan)).unwrap()[0].is_nan());
    }

    #[test]
    fn a_bad_message_is_an_error_not_a_panic() {
        let bytes = encode(&(String::from("name"), Some(vec![1u64, 2, 3])));
        for end in 0..bytes.len() {
            assert!(decode::<(String, Option<Vec<u64>>)>(&bytes[..end]).is_err(), "cut at {end}");
        }
        assert_eq!(decode::<Vec<u64>>(&u64::MAX.to_le_bytes()), Err("a length past the message's end"));
        assert_eq!(decode::<bool>(&[2]), Err("a bad flag"));
        assert_eq!(decode::<Limiter>(&999u64.to_le_bytes()), Err("an unknown variant"));
        assert_eq!(decode::<u32>(&[0, 0, 0, 0, 0]), Err("bytes left over after the message"));
        assert_eq!(decode::<&'static str>(&encode(&String::from("EC3"))), Err("an unknown name"));
    }

    /// The summaries of the determinism fixture (21 runs of the presets: Batch, commitments, credits, queues,
    /// schedules, demand, retirements, dips, managed instances) read back identical.
    #[test]
    fn summaries_read_back_identical() {
        #[derive(serde::Deserialize)]
        struct Case {
            summary: Summary,
        }
        #[derive(serde::Deserialize)]
        struct Fixture {
            cases: Vec<Case>,
        }
        let fixture: Fixture = serde_json::from_str(include_str!("../../../tests/fixtures/determinism.json")).unwrap();
        assert!(fixture.cases.len() > 10);
        for case in fixture.cases {
            assert_eq!(decode::<Summary>(&encode(&case.summary)), Ok(case.summary));
        }
    }

    #[test]
    fn every_name_reads_back() {
        for name in names() {
            assert_eq!(decode::<&'static str>(&encode(&name)), Ok(name));
        }
    }

    #[test]
    fn texts_read_back_with_their_arguments_and_deep_nesting_is_refused() {
        let text = Text::new("{what} for {id}")
            .text("what", Text::new("Spot notice"))
            .arg("id", "i-0000002a")
            .name("bucket", "Fargate Spot launches");
        assert_eq!(decode::<Text>(&encode(&text)).map(|t| t.to_string()), Ok(text.to_string()));
        let mut deep = Text::new("x");
        for _ in 0..=MAX_TEXT_DEPTH {
            deep = Text::new("{inner}").text("inner", deep);
        }
        assert_eq!(decode::<Text>(&encode(&deep)), Err("a text nested too deep"));
    }
}
