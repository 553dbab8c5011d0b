//! The whole run in a Web Worker (issue 13, "Big runs in the browser"): the run ahead that computes the summary,
//! the charts' series and the end of the timeline runs at full speed in `static/runahead-worker.js`, which loads
//! this same wasm module and calls [`run_ahead_worker`]; the page keeps only the playback cursor (the cluster view
//! at the playback time) on its main thread.
//!
//! Why the cursor stays on the page: seeking, Step, the details under the pointer and the cluster drawing need the
//! whole simulation state at the playback time, every frame; sending views from a worker would serialise the
//! cluster (thousands of tasks) sixty times a second and could not answer a hover. The cursor only moves as fast
//! as someone watches, so its cost on the main thread is bounded by playback, while the run ahead (the part that
//! used to share animation frames with drawing: 9 minutes for 15 of 30 simulated hours of the 10 x
//! 200,000-task week) runs unthrottled.
//!
//! The worker reports as it goes: every [`PROGRESS_PERIOD_MS`] of wall time, an [`Update`] with the simulated time
//! reached, the new rows of the series (so the charts still grow while it runs) and the chart markers; the last
//! one also carries the summary. Reports cross as [`wire`] bytes, which read back to the identical summary and
//! series. Cancel terminates the worker. The comparison panel (`app/compare.rs`) runs its variants through the same worker.

mod progress;
pub mod remote;
pub mod wire;

pub use progress::AheadProgress;

use fleetplan_engine::output::{ChartMarker, TimeSeries};
use fleetplan_engine::split::{SplitGroup, SplitSeries};
use fleetplan_engine::{RunOptions, Scenario, Simulation, Summary};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// Wall time between two progress reports from the worker: often enough for a progress bar and growing charts,
/// rare enough that encoding the series' new rows costs little (a report is a few kB of JSON for 1 s samples).
pub const PROGRESS_PERIOD_MS: f64 = 150.0;

/// Events between two looks at the clock in the worker: reading it is a call out of wasm (well under a
/// microsecond), an event about two microseconds, so 64 events keep the clock's share small while even a slow
/// stretch (a scheduler cycle after a Spot wave takes a few ms) reports within a fraction of a second.
const EVENTS_PER_CHECK: u32 = 64;

/// What the page sends the worker: the scenario (its spec as JSON, which the engine reads back to the same
/// scenario, as the sweep's workers do) and the seed.
#[derive(Serialize, Deserialize)]
pub struct Job {
    pub scenario: String,
    pub seed: u64,
    /// The page's playback: the series goes on to the end of the timeline ([`finish`]). Otherwise (a comparison's
    /// variant) it ends with the last event, as `fleetplan compare` runs it.
    pub whole_timeline: bool,
}

impl Job {
    /// The page's run ahead of a scenario and seed.
    pub fn text(scenario: &Scenario, seed: u64) -> Result<String, String> {
        Job::text_for(scenario, seed, true)
    }

    /// The job text; `whole_timeline` as [`Job::whole_timeline`].
    pub fn text_for(scenario: &Scenario, seed: u64, whole_timeline: bool) -> Result<String, String> {
        let spec = serde_json::to_string(&scenario.spec).map_err(|e| e.to_string())?;
        serde_json::to_string(&Job { scenario: spec, seed, whole_timeline }).map_err(|e| e.to_string())
    }
}

/// The end of a run, as `fleetplan run` reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Finished {
    pub summary: Summary,
    /// `Simulation::timeline_end`, in ms.
    pub timeline_end_ms: u64,
    /// What held each service back, segment by segment (`Simulation::limited_by_timeline`, taken with the
    /// summary): the band under the charts.
    pub bands: Vec<fleetplan_engine::limited_by::ServiceBand>,
}

/// One report from the worker (sent as [`wire`] bytes).
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// Simulated time reached, in ms.
    pub known_ms: u64,
    pub events: u64,
    /// Wall time the worker has spent on the run so far, in ms.
    pub wall_ms: f64,
    /// The index of the first row in `rows` (the rows before it came in earlier reports).
    pub rows_from: usize,
    pub rows: TimeSeries,
    pub markers: Vec<ChartMarker>,
    pub uses_cpu_credits: bool,
    /// The last report: the summary and the end of the timeline.
    pub finished: Option<Finished>,
}

pub fn options() -> RunOptions {
    RunOptions { trace: false, check_invariants: false, keep_finished_tasks: false }
}

/// Ends a run that has processed its last event the way `fleetplan run` does: the summary first (it reads the
/// state, not the series), then (for the page's playback, `whole_timeline`) the clock moves on to the end of the
/// timeline, sampling as it goes, so the charts (and the cost, still accruing) reach it, and the last, partial
/// sample is added.
pub fn finish(sim: &mut Simulation, whole_timeline: bool) -> Finished {
    let summary = sim.metrics();
    let bands = sim.limited_by_timeline();
    let end = sim.timeline_end();
    if whole_timeline && end > sim.now() {
        sim.step_until(end);
    }
    sim.run_to_end();
    Finished { summary, timeline_end_ms: end.as_millis(), bands }
}

/// The rows of `series` from `from` on (every column group, the empty ones staying empty).
pub fn tail(series: &TimeSeries, from: usize) -> TimeSeries {
    let cut = |v: &Vec<f64>| v.get(from..).map_or_else(Vec::new, <[f64]>::to_vec);
    let cuts = |vs: &Vec<Vec<f64>>| vs.iter().map(cut).collect::<Vec<_>>();
    // Every field named (no `..`): a column group added to the series later must be added here too.
    TimeSeries {
        interval_ms: series.interval_ms,
        columns: cuts(&series.columns),
        cost_with_commitments: cut(&series.cost_with_commitments),
        demand: cuts(&series.demand),
        credit_balance: cut(&series.credit_balance),
        throttled_instances: cut(&series.throttled_instances),
        queues: cuts(&series.queues),
        batch: cuts(&series.batch),
        custom: cuts(&series.custom),
        split: split_tail(&series.split, from),
    }
}

/// The split series' rows from `from` on; each group keeps its name and its dip so far.
fn split_tail(split: &SplitSeries, from: usize) -> SplitSeries {
    let groups = |groups: &[SplitGroup]| {
        groups
            .iter()
            .map(|g| SplitGroup {
                name: g.name.clone(),
                service: g.service,
                values: g.values.iter().map(|v| v.get(from..).map_or_else(Vec::new, <[f32]>::to_vec)).collect(),
                dip: g.dip,
            })
            .collect()
    };
    SplitSeries { services: groups(&split.services), providers: groups(&split.providers) }
}

/// Appends [`split_tail`]'s rows: the groups are the same in every report (chosen when the run starts).
fn split_append(to: &mut Vec<SplitGroup>, from: Vec<SplitGroup>) {
    if to.len() != from.len() {
        *to = from;
        return;
    }
    for (to, from) in to.iter_mut().zip(from) {
        if to.values.len() < from.values.len() {
            to.values.resize_with(from.values.len(), Vec::new);
        }
        for (to, from) in to.values.iter_mut().zip(from.values) {
            to.extend(from);
        }
        to.dip = from.dip;
    }
}

/// Appends rows [`tail`] cut (the series only ever grows by whole rows).
pub fn append(series: &mut TimeSeries, rows: TimeSeries) {
    fn extend(to: &mut Vec<f64>, from: Vec<f64>) {
        to.extend(from);
    }
    fn extend_all(to: &mut Vec<Vec<f64>>, from: Vec<Vec<f64>>) {
        if to.len() < from.len() {
            to.resize_with(from.len(), Vec::new);
        }
        for (to, from) in to.iter_mut().zip(from) {
            to.extend(from);
        }
    }
    let TimeSeries {
        interval_ms,
        columns,
        cost_with_commitments,
        demand,
        credit_balance,
        throttled_instances,
        queues,
        batch,
        custom,
        split,
    } = rows;
    series.interval_ms = interval_ms;
    extend_all(&mut series.columns, columns);
    extend(&mut series.cost_with_commitments, cost_with_commitments);
    extend_all(&mut series.demand, demand);
    extend(&mut series.credit_balance, credit_balance);
    extend(&mut series.throttled_instances, throttled_instances);
    extend_all(&mut series.queues, queues);
    extend_all(&mut series.batch, batch);
    extend_all(&mut series.custom, custom);
    split_append(&mut series.split.services, split.services);
    split_append(&mut series.split.providers, split.providers);
}

/// Runs a job to its end, calling `report` with an [`Update`] now and then (every `period_ms` of wall time read
/// from `clock`) and once at the end. The worker's loop, without the browser, so it can be tested natively.
pub fn run_job(
    job: &str,
    clock: &dyn Fn() -> f64,
    period_ms: f64,
    report: &mut dyn FnMut(&Update) -> Result<(), String>,
) -> Result<(), String> {
    let job: Job = serde_json::from_str(job).map_err(|e| format!("run-ahead job: {e}"))?;
    let spec = fleetplan_engine::scenario::parse_spec(&job.scenario).map_err(|e| format!("scenario: {e}"))?;
    let scenario = Scenario::from_spec(spec).map_err(|e| format!("scenario: {e}"))?;
    let mut sim = Simulation::with_options(scenario, job.seed, options());
    let start = clock();
    let mut last_report = start;
    let mut rows_sent = 0;
    let update = |sim: &Simulation, finished: Option<Finished>, rows_sent: &mut usize, now: f64| {
        let series = sim.series();
        let update = Update {
            known_ms: sim.now().as_millis(),
            events: sim.events_processed(),
            wall_ms: now - start,
            rows_from: *rows_sent,
            rows: tail(series, *rows_sent),
            markers: axis_markers(sim),
            uses_cpu_credits: sim.uses_cpu_credits(),
            finished,
        };
        *rows_sent = series.len();
        update
    };
    loop {
        let ended = (0..EVENTS_PER_CHECK).any(|_| !sim.step());
        if ended {
            let finished = finish(&mut sim, job.whole_timeline);
            return report(&update(&sim, Some(finished), &mut rows_sent, clock()));
        }
        let now = clock();
        if now - last_report >= period_ms {
            report(&update(&sim, None, &mut rows_sent, now))?;
            last_report = now;
        }
    }
}

/// The worker's entry point: runs the job, posting each [`Update`] as [`wire`] bytes (a `Uint8Array`) through
/// `post` (the worker's `postMessage`).
#[wasm_bindgen]
pub fn run_ahead_worker(job: &str, post: &js_sys::Function) -> Result<(), JsError> {
    let clock = js_sys::Date::now;
    run_job(job, &clock, PROGRESS_PERIOD_MS, &mut |update| {
        let bytes = js_sys::Uint8Array::from(wire::encode(update).as_slice());
        post.call1(&JsValue::NULL, &bytes).map(|_| ()).map_err(|_| "could not post".to_string())
    })
    .map_err(|e| JsError::new(&e))
}

/// The scenarios an idle run-ahead worker warms its engine on: two EC2 presets (placement on instances, managed
/// scaling, Spot draining) and `fleetplan bench`'s scenarios but `stress-100k` (Fargate at scale, a day of
/// autoscaled demand, an AWS Batch array). Why: V8 runs a new module's functions in its baseline tier first and
/// optimises each one only after it has run a while, on a background thread, and wasm has no on-stack replacement.
/// Measured in headless Chromium 156 on the 2-core machine (README, "Speed at a glance"): a new worker's first
/// `stress-100k` took 0.68-0.73 s and the next ones 0.30-0.46 s; with everything compiled optimised up front
/// (`--js-flags` a page cannot set) the first took 0.36-0.42 s, so the difference is the tiering, not memory.
/// With the three benchmark steps only, the first took 0.34-0.37 s in a worker alone, but in the page V8 still
/// optimised EC2 placement (`choose_instance`: 55 ms) after the click, hence the EC2 presets. `stress-100k` is
/// left out on purpose: the click-to-summary benchmark (`tests/e2e/latency.mjs`) runs it.
pub const WARM_UP: [&str; 5] =
    ["ec2-warm-1000", "ec2-spot-draining", "bench-large", "bench-demand-day", "bench-batch-array"];

/// Events of each [`WARM_UP`] step: enough for the hot functions to reach V8's tiering budget, and a step short
/// enough (30-60 ms in a new worker) that a job arriving meanwhile barely waits.
pub const WARM_UP_EVENTS: u32 = 5_000;

/// Times each warm-up step reads and checks its scenario from JSON text.
const WARM_UP_READS: u32 = 10;

/// Warm-up step `index`: runs [`WARM_UP_EVENTS`] events of `WARM_UP[index]`, its first ones, again with the next
/// seed while a run ends sooner (the EC2 presets' rollouts are 838 and 2,055 events), and returns how many ran (0
/// past the end of the list). The results are thrown away: only the compiled code stays.
pub fn warm_up(index: usize) -> u32 {
    let Some(&id) = WARM_UP.get(index) else { return 0 };
    let Some(mut scenario) = warm_up_scenario(id) else { return 0 };
    // A job's scenario arrives as JSON text: the reader and the validator are among the largest functions (a
    // sweep, which reads one a point, showed V8 optimising them for 0.5 s of a core).
    if let Some(json) = warm_up_text(id) {
        for _ in 0..WARM_UP_READS {
            let read =
                fleetplan_engine::scenario::parse_spec(&json).ok().and_then(|spec| Scenario::from_spec(spec).ok());
            scenario = read.unwrap_or(scenario);
        }
    }
    let mut ran = 0;
    for seed in 1.. {
        let mut sim = Simulation::with_options(scenario.clone(), seed, options());
        let before = ran;
        while ran < WARM_UP_EVENTS && sim.step() {
            ran += 1;
        }
        // The summary, as every run ends with (a sweep's runs each make one).
        std::hint::black_box(sim.metrics());
        if ran >= WARM_UP_EVENTS || ran == before {
            break;
        }
    }
    ran
}

/// A warm-up scenario: a benchmark's or a preset's.
fn warm_up_scenario(id: &str) -> Option<Scenario> {
    fleetplan_engine::benchmarks::scenario(id).or_else(|| fleetplan_engine::presets::get(id)?.scenario().ok())
}

/// A warm-up scenario's JSON text where it has one (`bench-large` is built in code): the text itself, not the
/// scenario written out, so the workers' module does not carry the format's writer (12 KiB gzipped).
fn warm_up_text(id: &str) -> Option<std::borrow::Cow<'static, str>> {
    match id {
        "bench-demand-day" => Some(fleetplan_engine::benchmarks::demand_day().into()),
        "bench-batch-array" => Some(fleetplan_engine::benchmarks::BATCH_ARRAY.into()),
        _ => fleetplan_engine::presets::get(id).map(|preset| preset.json.into()),
    }
}

/// A run-ahead worker's warm-up, one step per call while it is idle (`static/runahead-worker.js`): runs step `index`
/// ([`warm_up`]) and says whether another step follows.
#[wasm_bindgen]
pub fn warm_up_worker(index: u32) -> bool {
    let index = index as usize;
    warm_up(index);
    index + 1 < WARM_UP.len()
}

/// What the charts mark on their time axis from a run: quota hits and task retirements (`chart_markers`, which the
/// timeline's end also reads) and the timed events, Spot notices and scaling actions (`event_markers`), by time.
pub fn axis_markers(sim: &Simulation) -> Vec<ChartMarker> {
    let mut markers = sim.chart_markers();
    markers.extend(sim.event_markers());
    fleetplan_engine::sort::sort_by(&mut markers, |a, b| a.time_s.total_cmp(&b.time_s));
    markers
}

#[cfg(test)]
mod tests {
    use super::*;
    use fleetplan_engine::presets;

    /// The worker's run, read back as the page reads it, is `fleetplan run`'s: the same summary, and the series
    /// put together from the reports equals the whole run's.
    #[test]
    fn reports_add_up_to_the_cli_run() {
        let scenario = presets::get("fargate-spot-1000").unwrap().scenario().unwrap();
        let job = Job::text(&scenario, 7).unwrap();
        let ticks = std::cell::Cell::new(0.0);
        let clock = || {
            ticks.set(ticks.get() + 1.0);
            ticks.get()
        };
        let mut series: Option<TimeSeries> = None;
        let mut reports = 0;
        let mut last = None;
        run_job(&job, &clock, 5.0, &mut |update| {
            let update: Update = wire::decode(&wire::encode(update)).unwrap();
            let s = series.get_or_insert_with(|| TimeSeries::new(update.rows.interval_ms));
            assert_eq!(update.rows_from, s.len(), "rows arrive in order, none missing");
            append(s, update.rows.clone());
            reports += 1;
            last = Some(update);
            Ok(())
        })
        .unwrap();
        assert!(reports > 2, "only {reports} reports");
        let last = last.unwrap();
        let finished = last.finished.unwrap();
        assert_eq!(finished.summary, fleetplan_engine::run(scenario.clone(), 7));
        let mut sim = Simulation::with_options(scenario, 7, options());
        while sim.step() {}
        let want = finish(&mut sim, true);
        assert_eq!(finished, want);
        assert_eq!(series.as_ref(), Some(sim.series()));
        assert_eq!(last.markers, axis_markers(&sim));
    }

    /// Every warm-up scenario exists and runs its share of events, short ones again; no step past the end. The
    /// texts read are the scenarios run.
    #[test]
    fn each_warm_up_step_runs_its_events() {
        for id in WARM_UP {
            if let Some(json) = warm_up_text(id) {
                assert_eq!(Scenario::from_json(&json).ok(), warm_up_scenario(id), "{id}");
            }
        }
        for (index, id) in WARM_UP.iter().enumerate() {
            assert_eq!(warm_up(index), WARM_UP_EVENTS, "{id}");
        }
        assert_eq!(warm_up(WARM_UP.len()), 0);
        assert!(!WARM_UP.contains(&"stress-100k"), "the latency benchmark's own scenario");
    }

    #[test]
    fn a_bad_job_is_an_error_not_a_panic() {
        let clock = || 0.0;
        assert!(run_job("{", &clock, 1.0, &mut |_| Ok(())).is_err());
        let job = serde_json::to_string(&Job { scenario: "{\"services\": 3}".into(), seed: 1, whole_timeline: true })
            .unwrap();
        assert!(run_job(&job, &clock, 1.0, &mut |_| Ok(())).is_err());
    }
}
