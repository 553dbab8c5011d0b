//! The player the stage plays, shared by the controls, the keys and the frame loop, and the hook that makes a new
//! one when the scenario or seed changes.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use fleetplan_engine::{RunOptions, Scenario, Simulation, Summary};
use yew::prelude::*;

use crate::player::{Player, Progress};
use crate::runahead::remote::{Message, RunAhead};
use crate::runahead::Job;

/// The player and what hangs on it. Event handlers change the player through [`Playback::with_player`], which
/// asks the frame loop to redraw; only the frame loop advances it.
pub struct Playback {
    pub(super) player: RefCell<Option<Player>>,
    /// The whole run's summary and its JSON, once the run ahead has finished (kept: it is costly to make).
    pub(super) summary: RefCell<Option<(Rc<Summary>, Rc<String>)>>,
    /// Redraw everything on the next frame (after a seek, a pause, a new player).
    pub(super) force: Cell<bool>,
    /// False while the edited scenario has problems: the last valid one stays on the stage, but does not play.
    pub(super) can_run: Cell<bool>,
    /// The other variants of a comparison, each stepped to the playback time by the frame loop and drawn beside
    /// the cluster (`frame::draw_others`).
    pub(super) others: RefCell<Vec<Shadow>>,
    /// The worker computing the player's run ahead (`crate::runahead`), while it runs.
    pub(super) runahead: RefCell<Option<RunAhead>>,
    /// When to start the worker for a new player (page time, ms): at the next frame when a spare worker is loaded,
    /// otherwise [`WORKER_DELAY_MS`] later, and never sooner than that after the last one started, so typing in the
    /// editor (a new player per keystroke) does not start and drop a worker per keystroke.
    pub(super) worker_due_ms: Cell<Option<f64>>,
    /// When the last worker started (page time, ms): a new player's worker starts at once unless one started less
    /// than [`WORKER_DELAY_MS`] ago, so opening a preset does not wait (its summary is timed against the CLI).
    pub(super) worker_started_ms: Cell<f64>,
    /// The providers the current lesson step outlines in the cluster (`cluster::highlight`).
    pub(super) outlined: RefCell<Vec<String>>,
    /// The lesson's steps with a time, marked on the charts' time axis ("step 2").
    pub(super) lesson_markers: RefCell<Vec<fleetplan_engine::output::ChartMarker>>,
}

/// How long a new player waits before its worker starts.
const WORKER_DELAY_MS: f64 = 150.0;

/// Another variant of a comparison, to be shown at the player's time.
#[derive(Clone, PartialEq)]
pub struct OtherRun {
    pub label: String,
    pub scenario: Rc<Scenario>,
    pub seed: u64,
}

/// An [`OtherRun`]'s simulation, moved to the playback time in bounded slices (and re-run from the start for a
/// time before its own, like the player's cursor).
pub struct Shadow {
    pub(super) run: OtherRun,
    pub(super) sim: Simulation,
    /// The simulated time last drawn.
    pub(super) drawn_ms: Option<u64>,
}

impl Shadow {
    pub fn new(run: OtherRun) -> Shadow {
        let sim = Simulation::with_options((*run.scenario).clone(), run.seed, Shadow::options());
        Shadow { run, sim, drawn_ms: None }
    }

    fn options() -> RunOptions {
        RunOptions { trace: false, check_invariants: false, keep_finished_tasks: false }
    }

    /// Back to the start (for a time before the simulation's own).
    pub fn rewind(&mut self) {
        self.sim = Simulation::with_options((*self.run.scenario).clone(), self.run.seed, Shadow::options());
        self.drawn_ms = None;
    }
}

impl Playback {
    /// Changes the player (if there is one yet) and has the next frame redraw.
    pub fn with_player<R>(&self, f: impl FnOnce(&mut Player) -> R) -> Option<R> {
        let result = self.player.borrow_mut().as_mut().map(f);
        self.force.set(true);
        result
    }

    /// Reads the player, if there is one yet.
    pub fn read<R>(&self, f: impl FnOnce(&Player) -> R) -> Option<R> {
        self.player.borrow().as_ref().map(f)
    }

    pub fn can_run(&self) -> bool {
        self.can_run.get()
    }

    /// Starts the worker once it is due (called by the frame loop before it borrows the player).
    pub(super) fn start_worker_if_due(&self, now_ms: f64) {
        if self.worker_due_ms.get().is_some_and(|due| now_ms >= due) {
            self.worker_due_ms.set(None);
            self.start_worker();
        }
    }

    /// Starts a worker on the player's run ahead; where none can start, the player computes it itself.
    pub(super) fn start_worker(&self) {
        self.worker_started_ms.set(crate::dom::now_ms());
        let mut guard = self.player.borrow_mut();
        let Some(player) = guard.as_mut() else { return };
        let started = Job::text(player.scenario(), player.seed()).and_then(|job| RunAhead::start(&job, None));
        match started {
            Ok(worker) => *self.runahead.borrow_mut() = Some(worker),
            Err(e) => {
                web_sys::console::warn_1(&format!("{e}: computing the run on the page").into());
                player.compute_here();
                *self.runahead.borrow_mut() = None;
            }
        }
        self.force.set(true);
    }

    /// Gives the player what its worker reported since the last frame.
    pub(super) fn take_reports(&self, player: &mut Player) -> Progress {
        let mut progress = Progress::default();
        let messages = self.runahead.borrow().as_ref().map(RunAhead::drain).unwrap_or_default();
        for message in messages {
            match message {
                Message::Update(update) => {
                    let p = player.apply(*update);
                    progress.full_moved |= p.full_moved;
                    progress.full_finished_now |= p.full_finished_now;
                }
                Message::Failed(e) => {
                    web_sys::console::error_1(&format!("{e}: computing the run on the page instead").into());
                    *self.runahead.borrow_mut() = None;
                    player.compute_here();
                    progress.full_moved = true;
                    break;
                }
            }
        }
        if progress.full_finished_now {
            *self.runahead.borrow_mut() = None;
        }
        progress
    }

    /// Cancel: stops the worker; playback goes on without the summary.
    pub fn cancel_ahead(&self) {
        if let Some(worker) = self.runahead.borrow_mut().take() {
            worker.cancel();
        }
        self.with_player(Player::cancel_ahead);
    }

    /// After a cancel: computes the run again from the start, in a new worker.
    pub fn compute_again(&self) {
        self.with_player(Player::restart_remote);
        self.start_worker();
    }
}

/// The playback for a scenario and seed. A new scenario or seed gets a new player; the same document (a new
/// `generation` means a different one) keeps the playback time, speed and state across an edit.
#[hook]
pub fn use_playback(scenario: Rc<Scenario>, seed: u64, generation: u32, can_run: bool) -> Rc<Playback> {
    let playback = use_memo((), |_| Playback {
        player: RefCell::new(None),
        summary: RefCell::new(None),
        force: Cell::new(true),
        can_run: Cell::new(true),
        others: RefCell::new(Vec::new()),
        runahead: RefCell::new(None),
        worker_due_ms: Cell::new(None),
        worker_started_ms: Cell::new(f64::NEG_INFINITY),
        outlined: RefCell::new(Vec::new()),
        lesson_markers: RefCell::new(Vec::new()),
    });
    playback.can_run.set(can_run);
    let last_generation = use_mut_ref(|| None::<u32>);
    {
        let playback = playback.clone();
        use_effect_with((scenario, seed, generation), move |(scenario, seed, generation)| {
            // At once with a spare worker loaded; otherwise a moment later, so that a reload right after an edit
            // does not abort a worker's download.
            let now = crate::dom::now_ms();
            let soonest = if crate::runahead::remote::spare_ready() { now } else { now + WORKER_DELAY_MS };
            let due = (playback.worker_started_ms.get() + WORKER_DELAY_MS).max(soonest);
            // A worker due now gets its job before the player below is made (its simulation of a big scenario takes
            // a while to set up) and without waiting for the next frame: the summary is timed from the click.
            let early = (due <= now).then(|| Job::text(scenario, *seed).and_then(|job| RunAhead::start(&job, None)));
            let mut player = Player::new_remote((**scenario).clone(), *seed);
            let same_document = *last_generation.borrow() == Some(*generation);
            if let (true, Some(old)) = (same_document, playback.player.borrow().as_ref()) {
                player.seek(old.position_ms());
                player.speed = old.speed;
                player.playing = old.playing;
            }
            *last_generation.borrow_mut() = Some(*generation);
            *playback.player.borrow_mut() = Some(player);
            *playback.summary.borrow_mut() = None;
            // The old player's worker stops now (or is kept as the spare, its run finished).
            *playback.runahead.borrow_mut() = None;
            match early {
                Some(Ok(worker)) => {
                    playback.worker_started_ms.set(now);
                    playback.worker_due_ms.set(None);
                    *playback.runahead.borrow_mut() = Some(worker);
                }
                // No worker could start: the frame loop tries once more, and computes the run on the page if that
                // fails too.
                Some(Err(_)) | None => playback.worker_due_ms.set(Some(due)),
            }
            playback.force.set(true);
        });
    }
    playback
}
