//! The player the stage plays, shared by the controls, the keys and the frame loop, and the hook that makes a new
//! one when the scenario or seed changes.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use fleetplan_engine::{RunOptions, Scenario, Simulation, Summary};
use yew::prelude::*;

use crate::player::Player;

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
    /// The providers the current lesson step outlines in the cluster (`cluster::highlight`).
    pub(super) outlined: RefCell<Vec<String>>,
    /// The lesson's steps with a time, marked on the charts' time axis ("step 2").
    pub(super) lesson_markers: RefCell<Vec<fleetplan_engine::output::ChartMarker>>,
}

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
        outlined: RefCell::new(Vec::new()),
        lesson_markers: RefCell::new(Vec::new()),
    });
    playback.can_run.set(can_run);
    let last_generation = use_mut_ref(|| None::<u32>);
    {
        let playback = playback.clone();
        use_effect_with((scenario, seed, generation), move |(scenario, seed, generation)| {
            let mut player = Player::new((**scenario).clone(), *seed);
            let same_document = *last_generation.borrow() == Some(*generation);
            if let (true, Some(old)) = (same_document, playback.player.borrow().as_ref()) {
                player.seek(old.position_ms());
                player.speed = old.speed;
                player.playing = old.playing;
            }
            *last_generation.borrow_mut() = Some(*generation);
            *playback.player.borrow_mut() = Some(player);
            *playback.summary.borrow_mut() = None;
            playback.force.set(true);
        });
    }
    playback
}
