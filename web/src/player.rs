//! Playback: two simulations of the same scenario and seed. The run ahead goes to the end for the charts, the end
//! of the timeline and the summary: in a Web Worker at full speed (`crate::runahead`, [`Player::new_remote`]), or,
//! where no worker could start, here in the time each frame has left ([`Player::new`]). `cursor` is the one shown,
//! moved to the playback time in bounded slices, so no frame waits for a long stretch of simulation. Seeking
//! backwards re-runs `cursor` from the start: the engine is deterministic, so the replay is the same run.

use fleetplan_engine::output::ChartMarker;
use fleetplan_engine::time::SimTime;
use fleetplan_engine::{RunOptions, Scenario, Simulation, StepCaption, Summary, TimeSeries};

use crate::runahead::{self, Update};

/// Events processed between two looks at the clock. Most events take a couple of microseconds, but a scheduler
/// cycle placing dozens of tasks onto nearly full instances (after a Spot wave in `stress-100k`) takes ~3 ms
/// natively, and 256 of them in one slice made a 200 ms frame; 8 keeps the worst slice to a few tens of ms while
/// reading the clock (well under a microsecond) costs about 1% of the simulation time.
const EVENTS_PER_SLICE: u64 = 8;

/// Where the run ahead is computed.
enum Ahead {
    /// Stepped here, in each frame's leftover time.
    Local(Box<Simulation>),
    /// In a worker: what it has reported so far.
    Remote(Box<Remote>),
}

struct Remote {
    series: TimeSeries,
    markers: Vec<ChartMarker>,
    uses_cpu_credits: bool,
    known_ms: u64,
    events: u64,
    /// The worker's wall time so far, in ms.
    wall_ms: f64,
    /// Cancelled by the user: nothing more comes.
    cancelled: bool,
}

/// The run ahead's state, for the progress line.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum AheadState {
    /// Computing here, frame by frame.
    #[default]
    Local,
    /// Computing in a worker; an upper bound of the wall time left, in whole seconds, once there is a rate to go
    /// by.
    Worker {
        left_s: Option<u64>,
    },
    Cancelled,
    Done,
}

pub struct Player {
    scenario: Scenario,
    seed: u64,
    cursor: Simulation,
    ahead: Ahead,
    full_done: bool,
    /// The run's summary, taken when `full` finished (before its clock is moved on to the timeline's end), so it
    /// equals `fleetplan run --json`.
    final_summary: Option<Summary>,
    /// What held each service back over the run (`runahead::Finished::bands`), with the summary.
    final_bands: Option<std::rc::Rc<Vec<fleetplan_engine::limited_by::ServiceBand>>>,
    /// The end of the timeline once the run ahead has finished (`Simulation::timeline_end`).
    timeline_end_ms: u64,
    /// Where playback should be, in simulated ms.
    target_ms: u64,
    pub playing: bool,
    /// Simulated seconds per wall-clock second.
    pub speed: f64,
    /// What the last Step did ("Step says what happened"), once its events have been processed; any other move
    /// clears it. While `captioning`, the cursor records trace lines for it.
    caption: Option<StepCaption>,
    captioning: bool,
}

/// What a frame did, so the caller knows what to redraw.
#[derive(Default, Clone, Copy, PartialEq)]
pub struct Progress {
    pub cursor_moved: bool,
    pub full_moved: bool,
    pub full_finished_now: bool,
}

fn options() -> RunOptions {
    RunOptions { trace: false, check_invariants: false, keep_finished_tasks: false }
}

impl Player {
    /// A player computing its run ahead itself (the page falls back to this through [`Player::compute_here`]).
    #[cfg(test)]
    pub fn new(scenario: Scenario, seed: u64) -> Player {
        let full = Simulation::with_options(scenario.clone(), seed, options());
        Player::with_ahead(scenario, seed, Ahead::Local(Box::new(full)))
    }

    /// A player whose run ahead is in a worker: [`Player::apply`] gives it the worker's reports.
    pub fn new_remote(scenario: Scenario, seed: u64) -> Player {
        let remote = Remote {
            // The interval is the worker's, set by its first report (no rows before it).
            series: TimeSeries::new(1000),
            markers: Vec::new(),
            uses_cpu_credits: false,
            known_ms: 0,
            events: 0,
            wall_ms: 0.0,
            cancelled: false,
        };
        Player::with_ahead(scenario, seed, Ahead::Remote(Box::new(remote)))
    }

    fn with_ahead(scenario: Scenario, seed: u64, ahead: Ahead) -> Player {
        let cursor = Simulation::with_options(scenario.clone(), seed, options());
        Player {
            scenario,
            seed,
            cursor,
            ahead,
            full_done: false,
            final_summary: None,
            final_bands: None,
            timeline_end_ms: 0,
            target_ms: 0,
            playing: false,
            speed: 10.0,
            caption: None,
            captioning: false,
        }
    }

    /// What the last Step did, once it is done.
    pub fn caption(&self) -> Option<&StepCaption> {
        self.caption.as_ref()
    }

    /// Forgets the caption (another move than a Step) and stops recording trace lines for one.
    fn uncaption(&mut self) {
        self.caption = None;
        if self.captioning {
            self.captioning = false;
            self.cursor.set_tracing(false);
            self.cursor.take_trace();
        }
    }

    pub fn cursor(&self) -> &Simulation {
        &self.cursor
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The run ahead's series so far (all of it once done).
    pub fn series(&self) -> &TimeSeries {
        match &self.ahead {
            Ahead::Local(sim) => sim.series(),
            Ahead::Remote(r) => &r.series,
        }
    }

    /// Quota hits, task retirements, timed events, Spot notices and scaling actions of the run ahead so far, for the
    /// charts' time axis.
    pub fn chart_markers(&self) -> Vec<ChartMarker> {
        match &self.ahead {
            Ahead::Local(sim) => runahead::axis_markers(sim),
            Ahead::Remote(r) => r.markers.clone(),
        }
    }

    pub fn uses_cpu_credits(&self) -> bool {
        match &self.ahead {
            Ahead::Local(sim) => sim.uses_cpu_credits(),
            Ahead::Remote(r) => r.uses_cpu_credits,
        }
    }

    /// The worker's wall time for the run so far (all of it once done), in ms; none when computed here.
    pub fn ahead_wall_ms(&self) -> Option<f64> {
        match &self.ahead {
            Ahead::Local(_) => None,
            Ahead::Remote(r) => Some(r.wall_ms),
        }
    }

    pub fn ahead_state(&self) -> AheadState {
        match &self.ahead {
            _ if self.full_done => AheadState::Done,
            Ahead::Local(_) => AheadState::Local,
            Ahead::Remote(r) if r.cancelled => AheadState::Cancelled,
            Ahead::Remote(r) => {
                // At the rate so far, to the horizon: an upper bound, as most runs end before it.
                let rate = r.known_ms as f64 / r.wall_ms; // simulated ms per wall ms
                let left_ms = self.scenario.horizon.as_millis().saturating_sub(r.known_ms) as f64;
                let left_s = (r.wall_ms >= 200.0 && rate > 0.0).then(|| (left_ms / rate / 1000.0).ceil() as u64);
                AheadState::Worker { left_s }
            }
        }
    }

    /// A worker's report: the series grows, and the last one brings the summary.
    pub fn apply(&mut self, update: Update) -> Progress {
        let mut progress = Progress::default();
        let Ahead::Remote(r) = &mut self.ahead else { return progress };
        if r.cancelled || self.full_done || update.rows_from != r.series.len() {
            return progress;
        }
        runahead::append(&mut r.series, update.rows);
        r.markers = update.markers;
        r.uses_cpu_credits = update.uses_cpu_credits;
        r.known_ms = update.known_ms;
        r.events = update.events;
        r.wall_ms = update.wall_ms;
        progress.full_moved = true;
        if let Some(finished) = update.finished {
            self.final_summary = Some(finished.summary);
            self.final_bands = Some(std::rc::Rc::new(finished.bands));
            self.timeline_end_ms = finished.timeline_end_ms;
            self.finished_now(&mut progress);
        }
        progress
    }

    /// The user stopped the worker's run: playback goes on to the horizon, without a summary.
    pub fn cancel_ahead(&mut self) {
        if let Ahead::Remote(r) = &mut self.ahead {
            r.cancelled = true;
        }
    }

    /// A fresh run ahead in a worker (after a cancel), reported to [`Player::apply`] from the start.
    pub fn restart_remote(&mut self) {
        if !self.full_done {
            let fresh = Player::new_remote(self.scenario.clone(), self.seed);
            self.ahead = fresh.ahead;
        }
    }

    /// The worker failed (it could not load, say): the run ahead starts again here, frame by frame.
    pub fn compute_here(&mut self) {
        if !self.full_done {
            let full = Simulation::with_options(self.scenario.clone(), self.seed, options());
            self.ahead = Ahead::Local(Box::new(full));
        }
    }

    fn finished_now(&mut self, progress: &mut Progress) {
        self.full_done = true;
        progress.full_finished_now = true;
        // Playback may have gone past the real end while only the horizon was known.
        if self.target_ms > self.end_ms() {
            self.seek(self.end_ms());
        }
    }

    /// What held each service back over the run, once the run ahead has finished.
    pub fn bands(&self) -> Option<std::rc::Rc<Vec<fleetplan_engine::limited_by::ServiceBand>>> {
        self.final_bands.clone()
    }

    /// The final summary, once the run ahead has finished.
    pub fn summary(&self) -> Option<Summary> {
        self.final_summary.clone()
    }

    pub fn is_full_done(&self) -> bool {
        self.full_done
    }

    /// The end of the timeline: once the run is known, a little after the last thing that matters (or the
    /// scenario's `timeline_end_s`; `Simulation::timeline_end`), else the horizon.
    pub fn end_ms(&self) -> u64 {
        if self.full_done {
            self.timeline_end_ms
        } else {
            self.scenario.horizon.as_millis()
        }
    }

    /// How far the run ahead has got (the charts' right edge while it is still running).
    pub fn known_ms(&self) -> u64 {
        match &self.ahead {
            Ahead::Local(sim) => sim.now().as_millis(),
            Ahead::Remote(r) => r.known_ms,
        }
    }

    pub fn time_ms(&self) -> u64 {
        self.cursor.now().as_millis()
    }

    /// Where playback is or is going: the target during a seek. Relative moves and the scrubber use this, so a
    /// second step back during a replay counts from where the first one was going, not from the replay.
    pub fn position_ms(&self) -> u64 {
        self.target_ms.max(self.time_ms())
    }

    /// Events up to the target are still to be processed (the clock may already be at the target when several
    /// events share that instant).
    fn behind(&self) -> bool {
        self.time_ms() < self.target_ms
            || self.cursor.next_event_time().is_some_and(|t| t.as_millis() <= self.target_ms)
    }

    /// Still catching up with a seek.
    pub fn is_seeking(&self) -> bool {
        self.behind() && !self.cursor.is_finished()
    }

    pub fn at_end(&self) -> bool {
        self.full_done && self.time_ms() >= self.end_ms()
    }

    /// Moves the playback time; backwards means a deterministic re-run from the start.
    pub fn seek(&mut self, ms: u64) {
        self.uncaption();
        let ms = ms.min(self.end_ms());
        if ms < self.time_ms() {
            self.cursor = Simulation::with_options(self.scenario.clone(), self.seed, options());
        }
        self.target_ms = ms;
    }

    pub fn restart(&mut self) {
        self.seek(0);
    }

    /// Moves to the next event (everything that happens at that instant), and pauses.
    pub fn step_event(&mut self) {
        self.playing = false;
        if self.behind() {
            return; // Still catching up: the frame loop is already moving.
        }
        if let Some(next) = self.cursor.next_event_time() {
            // Possibly the current instant: the events waiting at it are the step.
            self.target_ms = next.as_millis().max(self.time_ms());
            // Its trace lines make the caption (`frame` turns them into it once the step is done).
            self.uncaption();
            self.captioning = true;
            self.cursor.set_tracing(true);
        }
    }

    pub fn toggle(&mut self) {
        self.uncaption();
        if self.at_end() && !self.playing {
            self.restart();
        }
        self.playing = !self.playing;
    }

    /// One animation frame: moves the playback target by `wall_ms` × speed when playing, then spends up to
    /// `budget_ms` of wall time (read with `clock`) moving `cursor` to the target and `full` to the end.
    pub fn frame(&mut self, wall_ms: f64, budget_ms: f64, clock: &dyn Fn() -> f64) -> Progress {
        let start = clock();
        let mut progress = Progress::default();
        if self.playing {
            // Whole milliseconds: simulated time is integer; a 60 fps frame at 1x is 16 ms.
            let advance = (wall_ms.clamp(0.0, 250.0) * self.speed).round() as u64;
            self.target_ms = (self.target_ms.max(self.time_ms()) + advance).min(self.end_ms());
        }
        let before = self.time_ms();
        let events_before = self.cursor.events_processed();
        while self.behind() && clock() - start < budget_ms {
            if self.cursor.step_until_limited(SimTime(self.target_ms), EVENTS_PER_SLICE) {
                break;
            }
        }
        progress.cursor_moved = self.time_ms() != before || self.cursor.events_processed() != events_before;
        if self.captioning && !self.behind() {
            let lines = self.cursor.take_trace();
            self.cursor.set_tracing(false);
            self.captioning = false;
            self.caption = self.cursor.caption(&lines);
            progress.cursor_moved = true;
        }
        if let (false, Ahead::Local(full)) = (self.full_done, &mut self.ahead) {
            let full_before = full.events_processed();
            let mut finished = None;
            while clock() - start < budget_ms {
                // Plain steps, not `step_until_limited`: the clock must stop at the last event, as in
                // `fleetplan run`, not move on to the horizon.
                if (0..EVENTS_PER_SLICE).any(|_| !full.step()) {
                    finished = Some(runahead::finish(full, true));
                    break;
                }
            }
            progress.full_moved = full.events_processed() != full_before;
            if let Some(finished) = finished {
                self.final_summary = Some(finished.summary);
                self.final_bands = Some(std::rc::Rc::new(finished.bands));
                self.timeline_end_ms = finished.timeline_end_ms;
                self.finished_now(&mut progress);
                progress.full_moved = true;
            }
        }
        if self.playing && self.at_end() {
            self.playing = false;
        }
        progress
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fleetplan_engine::presets;

    fn player(id: &str) -> Player {
        Player::new(presets::get(id).unwrap().scenario().unwrap(), 7)
    }

    /// A clock that moves one "millisecond" per reading, so budgets are counted in readings.
    fn counting_clock() -> impl Fn() -> f64 {
        let ticks = std::cell::Cell::new(0.0);
        move || {
            ticks.set(ticks.get() + 1.0);
            ticks.get()
        }
    }

    #[test]
    fn the_run_ahead_gives_the_same_summary_as_the_cli_in_bounded_frames() {
        let mut p = player("fargate-ondemand-1000");
        let clock = counting_clock();
        let mut frames = 0;
        while !p.is_full_done() {
            p.frame(16.0, 4.0, &clock);
            frames += 1;
            assert!(frames < 10_000, "never finished");
        }
        assert!(frames > 1, "the run was not spread over frames");
        let scenario = presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap();
        assert_eq!(p.summary(), Some(fleetplan_engine::run(scenario, 7)));
    }

    /// Issue 13: the timeline ends a little after the last thing that matters, not at the last event, and the charts'
    /// series reaches it; the summary stays the run's own.
    #[test]
    fn the_timeline_ends_a_little_after_the_run_is_steady() {
        let mut p = player("fargate-ondemand-1000");
        let clock = || 0.0;
        while !p.is_full_done() {
            p.frame(16.0, 1.0, &clock);
        }
        let summary = p.summary().unwrap();
        let steady_ms = (summary.completion_s.unwrap() * 1000.0).round() as u64;
        let run_end_ms = (summary.end_s * 1000.0).round() as u64;
        // A tail of 5% of the steady moment, at least 10 s.
        assert_eq!(p.end_ms(), steady_ms + (steady_ms / 20).max(10_000));
        assert!(p.end_ms() > run_end_ms);
        let series = p.series();
        // The last (partial) sample is labelled with the end of its 1 s interval.
        let over = series.time_s(series.len() - 1) - p.end_ms() as f64 / 1000.0;
        assert!((0.0..1.0).contains(&over), "{over}");
        p.seek(u64::MAX);
        p.frame(16.0, 1.0, &clock);
        assert_eq!(p.time_ms(), p.end_ms());
    }

    #[test]
    fn seeking_back_replays_the_identical_state() {
        let mut p = player("fargate-spot-1000");
        let clock = || 0.0; // Never out of budget.
        p.seek(150_000);
        p.frame(16.0, 1.0, &clock);
        assert_eq!(p.time_ms(), 150_000);
        let first = p.cursor().view();
        p.seek(300_000);
        p.frame(16.0, 1.0, &clock);
        p.seek(150_000);
        p.frame(16.0, 1.0, &clock);
        assert_eq!(p.cursor().view(), first);
    }

    /// A RunTask burst at 0 s: the first events are at the current instant, and Step must still process them.
    #[test]
    fn step_processes_events_at_the_current_instant() {
        let id = presets::all().iter().find(|p| p.json.contains("\"run_tasks\"")).unwrap().id;
        let mut p = player(id);
        let clock = || 0.0;
        let before = p.cursor().events_processed();
        p.step_event();
        p.frame(16.0, 1.0, &clock);
        assert!(p.cursor().events_processed() > before, "{id}: Step did nothing");
    }

    /// "Step says what happened": the first Step of a Fargate rollout names its launches and the empty bucket;
    /// playing clears the caption.
    #[test]
    fn a_step_is_captioned_and_playing_clears_it() {
        let mut p = player("fargate-ondemand-1000");
        let clock = || 0.0;
        p.step_event();
        assert_eq!(p.caption(), None, "not before the step is done");
        p.frame(16.0, 1.0, &clock);
        let caption = p.caption().expect("a caption").text.to_string();
        assert!(caption.starts_with("service "), "{caption}");
        assert!(caption.contains("launched"), "{caption}");
        p.toggle();
        assert_eq!(p.caption(), None);
        assert!(p.cursor().trace().is_empty());
    }

    #[test]
    fn playing_past_the_horizon_before_the_end_is_known_comes_back_to_the_end() {
        let mut p = player("fargate-ondemand-1000");
        p.seek(u64::MAX);
        let clock = counting_clock();
        while !p.is_full_done() {
            p.frame(16.0, 4.0, &clock);
        }
        p.frame(16.0, 1_000_000.0, &|| 0.0);
        assert_eq!(p.time_ms(), p.end_ms());
    }

    #[test]
    fn playing_moves_by_wall_time_times_speed_and_stops_at_the_end() {
        let mut p = player("fargate-ondemand-1000");
        let clock = || 0.0;
        while !p.is_full_done() {
            p.frame(16.0, 1.0, &clock);
        }
        p.speed = 100.0;
        p.toggle();
        p.frame(20.0, 1.0, &clock);
        assert_eq!(p.time_ms(), 2_000);
        for _ in 0..1_000 {
            p.frame(20.0, 1.0, &clock);
        }
        assert!(p.at_end() && !p.playing);
        p.step_event();
        assert!(!p.playing);
    }
}
