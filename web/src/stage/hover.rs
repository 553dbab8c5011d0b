//! What the pointer is on in the cluster view: the layout as last drawn, where the pointer rests, and the details
//! box for the task, instance or group under it. Details come from the view the cluster was drawn from (what is
//! under the pointer is what was drawn) and, for a task, the one task asked for.

use std::cell::{Cell, RefCell};

use fleetplan_engine::output::{BatchJobRecord, BatchJobState};
use fleetplan_engine::task::TaskState;
use fleetplan_engine::{Place, View};
use yew::prelude::*;

use crate::cluster::batch::{self, BatchHit, BatchLayout};
use crate::cluster::{self, ClusterLayout, Hit};
use crate::i18n::{mark, tr, trf};
use crate::player::Player;
use crate::whatif::{PickedInstance, Selection};
use fleetplan_engine::scenario::CapacityType;

/// The cluster view as last drawn and the pointer over it; shared by the frame loop (which draws) and the mouse
/// handlers.
#[derive(Default)]
pub struct Pointer {
    drawn: RefCell<Drawn>,
    /// Where the pointer rests over the cluster view, so its details follow playback.
    at: Cell<Option<(f64, f64)>>,
    /// The AWS Batch canvas as last drawn.
    batch: RefCell<BatchLayout>,
}

/// The cluster view as last drawn: its hit regions and the view they came from.
#[derive(Default)]
struct Drawn {
    layout: ClusterLayout,
    view: Option<View>,
}

/// Details for what the pointer is on.
#[derive(Clone, PartialEq)]
pub struct Hover {
    x: f64,
    y: f64,
    title: String,
    rows: Vec<(&'static str, String)>,
}

impl Pointer {
    /// Keeps what was just drawn; returns the details now under a resting pointer (None when it is not over the
    /// view or over nothing).
    pub fn drawn(&self, layout: ClusterLayout, view: View, player: &Player) -> Option<Hover> {
        *self.drawn.borrow_mut() = Drawn { layout, view: Some(view) };
        let (x, y) = self.at.get()?;
        self.hover_at(player, x, y)
    }

    /// The pointer moved to (x, y): the details there.
    pub fn move_to(&self, x: f64, y: f64, player: Option<&Player>) -> Option<Hover> {
        self.at.set(Some((x, y)));
        self.hover_at(player?, x, y)
    }

    /// Keeps the AWS Batch canvas' layout as just drawn.
    pub fn batch_drawn(&self, layout: BatchLayout) {
        *self.batch.borrow_mut() = layout;
    }

    /// The details at (x, y) on the AWS Batch canvas: a job, an instance or a job queue.
    pub fn batch_at(&self, x: f64, y: f64, player: Option<&Player>) -> Option<Hover> {
        let layout = self.batch.borrow();
        let (title, rows) = match batch::hit_test(&layout, x, y)? {
            BatchHit::Job(job) => {
                let player = player?;
                let record = player.cursor().batch_jobs().into_iter().nth(job as usize)?;
                let s = |v: Option<f64>| v.map_or_else(|| "–".to_string(), |v| format!("{v:.1} s"));
                let title = match record.index {
                    Some(i) => trf("Job {submission}[{i}]", &[("submission", &record.submission), ("i", &i)]),
                    None => trf("Job {submission}", &[("submission", &record.submission)]),
                };
                let attempt = attempt(&record);
                let rows = vec![
                    (mark("Queue"), record.queue),
                    (mark("Array index"), record.index.map_or_else(|| tr("single job"), |i| i.to_string())),
                    (mark("State"), record.state.name().to_string()),
                    // `attempts` counts attempts that reached RUNNING: before RUNNING, this is the next one.
                    (mark("Attempt"), attempt.to_string()),
                    (mark("Submitted"), s(Some(record.submitted_s))),
                    (mark("First RUNNING"), s(record.first_running_s)),
                    (mark("Ended"), s(record.ended_s)),
                ];
                let mut rows = rows;
                // What holds it now, in the words of `fleetplan explain --job` (in the page's language).
                if let Ok(why) = player.cursor().explain_job(job) {
                    rows.push((mark("Why"), crate::i18n::explanation(&why)));
                }
                (title, rows)
            }
            BatchHit::Instance { ce, id } => {
                let ce = layout.view.as_ref()?.compute_environments.get(usize::from(ce))?;
                let i = ce.instances.iter().find(|i| i.id == id)?;
                let rows = vec![
                    (mark("Compute environment"), format!("{} ({})", ce.name, ce.kind)),
                    (mark("Type"), i.instance_type.to_string()),
                    (mark("State"), i.state.to_string()),
                    ("vCPUs used", format!("{:.2} of {}", i.used_vcpus, i.vcpus)),
                    (mark("Jobs"), i.jobs.to_string()),
                ];
                (trf("Batch instance {id}", &[("id", &id)]), rows)
            }
            BatchHit::Queue(q) => {
                let q = layout.view.as_ref()?.queues.get(q)?;
                let rows = vec![
                    (mark("Priority"), q.priority.to_string()),
                    (fleetplan_engine::output::BatchJobState::Runnable.name(), q.runnable.to_string()),
                ];
                (trf("Job queue {name}", &[("name", &q.name)]), rows)
            }
        };
        Some(Hover { x, y, title, rows })
    }

    /// What a click at (x, y) selects, for the what-ifs: an instance (or the instance a task is on), a task's
    /// service, Fargate Spot.
    pub fn selection_at(&self, x: f64, y: f64, player: Option<&Player>) -> Option<Selection> {
        let drawn = self.drawn.borrow();
        let view = drawn.view.as_ref()?;
        let picked = |index: u32| {
            let i = view.instances.iter().find(|i| i.index == index)?;
            let capacity = view.providers.get(usize::from(i.provider_index))?.capacity;
            Some(PickedInstance {
                id: i.id.clone(),
                provider: i.provider.clone(),
                spot: capacity == CapacityType::Ec2Spot,
                instance_type: i.instance_type.to_string(),
                zone: i.zone.clone(),
            })
        };
        match cluster::hit_test(&drawn.layout, x, y)? {
            Hit::Instance { index } | Hit::Place(Place::Instance(index)) => {
                let instance = picked(index)?;
                Some(Selection { title: tr("Instance"), instance: Some(instance), ..Selection::default() })
            }
            Hit::Task { place, ordinal } => {
                let task = player?.cursor().task_at(place, ordinal as usize)?;
                let instance = match place {
                    Place::Instance(index) => picked(index),
                    _ => None,
                };
                Some(Selection {
                    title: trf("Task {id} ({owner})", &[("id", &task.id), ("owner", &task.owner)]),
                    service: task.owner.strip_prefix("service ").map(str::to_string),
                    instance,
                    fargate_spot: task.capacity == CapacityType::FargateSpot,
                })
            }
            Hit::Place(Place::Pool(CapacityType::FargateSpot)) => {
                Some(Selection { title: tr("Fargate Spot tasks"), fargate_spot: true, ..Selection::default() })
            }
            Hit::Place(_) => None,
        }
    }

    pub fn leave(&self) {
        self.at.set(None);
    }

    /// True while the pointer is over the view (its details must follow what is drawn).
    pub fn resting(&self) -> bool {
        self.at.get().is_some()
    }

    fn hover_at(&self, player: &Player, x: f64, y: f64) -> Option<Hover> {
        let drawn = self.drawn.borrow();
        let hit = cluster::hit_test(&drawn.layout, x, y)?;
        let (title, rows) = describe(player, drawn.view.as_ref()?, &hit)?;
        Some(Hover { x, y, title, rows })
    }
}

/// A job's attempt number as the details say it: the one under way or next (counting from 1), or the last.
fn attempt(record: &BatchJobRecord) -> u32 {
    match record.state {
        BatchJobState::Running => record.attempts.max(1),
        // Ended: the last attempt (0: it never ran, e.g. failed by a dependency).
        BatchJobState::Succeeded | BatchJobState::Failed => record.attempts,
        _ => record.attempts.saturating_add(1),
    }
}

/// Details for a hit.
fn describe(player: &Player, view: &View, hit: &Hit) -> Option<(String, Vec<(&'static str, String)>)> {
    match hit {
        Hit::Task { place, ordinal } => {
            let task = player.cursor().task_at(*place, *ordinal as usize)?;
            let mut rows = cluster::task_details(&task);
            // What holds it now, in the words of `fleetplan explain --task`.
            if let Ok(why) = player.cursor().explain_task(task.id) {
                rows.push((crate::i18n::mark("Why"), crate::i18n::explanation(&why)));
            }
            Some((trf("Task {id}", &[("id", &task.id)]), rows))
        }
        Hit::Instance { index } => {
            let instance = view.instances.iter().find(|i| i.index == *index)?;
            Some((trf("Instance {id}", &[("id", &instance.id)]), cluster::instance_details(instance)))
        }
        Hit::Place(place) => {
            let counts = match *place {
                Place::Pool(capacity) => view.pools.get(capacity.index())?.by_state,
                Place::Waiting(p) => {
                    let mut counts = [0; 8];
                    counts[TaskState::Provisioning.index()] = view.providers.get(usize::from(p))?.waiting;
                    counts
                }
                Place::Instance(index) => view.instances.iter().find(|i| i.index == index)?.by_state,
            };
            let drawn = &counts[..TaskState::Stopped.index()];
            let rows = TaskState::ALL
                .iter()
                .zip(drawn)
                .filter(|(_, n)| **n > 0)
                .map(|(s, n)| (s.name(), n.to_string()))
                .collect();
            Some((trf("{count} tasks", &[("count", &drawn.iter().sum::<u32>())]), rows))
        }
    }
}

/// The details box, beside the pointer.
pub fn details_box(hover: &Hover) -> Html {
    html! {
        <div id="details" class="details" style={format!("left:{}px;top:{}px", hover.x + 14.0, hover.y + 14.0)} role="tooltip">
            <strong>{ hover.title.clone() }</strong>
            <dl>{ for hover.rows.iter().map(|(k, v)| html! { <><dt>{ crate::i18n::tr_dyn(k) }</dt><dd>{ v.clone() }</dd></> }) }</dl>
        </div>
    }
}
