//! The cluster view's layout: pure arithmetic over a [`View`] (O(instances + zones), never O(tasks)) choosing the
//! most detailed mode that fits and producing rectangles, cell grids, stacked bars and labels; and the answer to
//! "what is at this point" from them. No canvas here: [`super::paint`] draws what this produces, and the unit tests
//! check it natively.

use fleetplan_engine::instance::InstanceState;
use fleetplan_engine::output::{InstanceView, ProviderView, TaskRetirementView};
use fleetplan_engine::scenario::CapacityType;
use fleetplan_engine::{Place, View};

use super::details::{breakdown, capacity_label, plural, provider_label, thousands, INSTANCE, TASK};
use super::{drawn_counts, fraction, sum, DRAWN};
use crate::i18n::{mark, tr, tr_dyn, trf};

// Sizes in CSS px. Integers, so every cell lands on whole CSS pixels.
const MARGIN: f64 = 8.0;
/// A section header line (pool or provider).
pub(super) const HEADER_H: f64 = 22.0;
/// A zone or "waiting" label line.
const LABEL_H: f64 = 18.0;
const SECTION_GAP: f64 = 10.0;
/// Space between instance boxes in cells mode: 4 px for squares under 6 px (where every pixel counts), else 6.
const BOX_GAP_SMALL: f64 = 4.0;
const BOX_GAP: f64 = 6.0;
/// Inside an instance box, around its cells: room for the outline (up to 2 px inside; the 3 px notice outline
/// reaches 1 px out into the gap).
const BOX_PAD: f64 = 2.0;
/// The cpu bar along the bottom of a box in cells mode, with 1 px above it.
const CPU_H: f64 = 3.0;
/// Stacked bars (pools and waiting tasks in the aggregate modes, zones in zones mode), and the space under a pool's.
const BAR_H: f64 = 14.0;
const BAR_GAP: f64 = 4.0;
/// The largest task square: beyond this a handful of tasks would look like a chart of blocks.
pub const MAX_CELL: u32 = 14;
/// The smallest task square still visible and hoverable; below it the view aggregates.
pub const MIN_CELL: u32 = 3;
/// Aggregate instance box sizes (width, height), largest first: the first that fits is used.
pub const AGGREGATE_BOXES: [(u32, u32); 10] =
    [(48, 20), (40, 18), (32, 16), (28, 14), (24, 12), (20, 11), (16, 10), (12, 9), (10, 8), (8, 6)];
/// Sizing an instance box by its estimated capacity is capped here, so a host of tiny tasks cannot make every box
/// of its provider enormous.
const MAX_BOX_TASKS: u64 = 400;

/// What a draw produced: hit regions for [`hit_test`]. Cheap to keep between frames (O(instances) plain data).
#[derive(Default, Clone, Debug)]
pub struct ClusterLayout {
    pub(super) width: f64,
    pub(super) height: f64,
    pub(super) mode: Mode,
    /// Task square size and square + gap, in cells mode.
    pub(super) cell: f64,
    pub(super) pitch: f64,
    /// Where the content ends (for tests: it must be within `height` in the cells and instances modes).
    pub(super) bottom: f64,
    pub(super) grids: Vec<Grid>,
    pub(super) boxes: Vec<InstanceBox>,
    pub(super) bars: Vec<Bar>,
    pub(super) labels: Vec<Label>,
}

/// What is under a point.
#[derive(Clone, Debug, PartialEq)]
pub enum Hit {
    /// A task cell: where it is and its position in `Simulation::tasks_at(place)`.
    Task { place: Place, ordinal: u32 },
    /// An instance box (not on a task cell), by `InstanceView::index`.
    Instance { index: u32 },
    /// A pool or waiting row in aggregate mode (no single task under the point).
    Place(Place),
}

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub(super) enum Mode {
    Cells {
        cell: u32,
        gap: u32,
    },
    /// Aggregate instance boxes of a fixed size.
    Boxes {
        w: u32,
        h: u32,
    },
    /// One bar per provider × zone. Also the empty layout's mode (nothing to hit).
    #[default]
    Zones,
}

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub(super) struct Rect {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) w: f64,
    pub(super) h: f64,
}

impl Rect {
    pub(super) fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x < self.x + self.w && y >= self.y && y < self.y + self.h
    }

    /// The same rectangle shrunk by `by` on every side (never negative).
    pub(super) fn inset(&self, by: f64) -> Rect {
        Rect { x: self.x + by, y: self.y + by, w: (self.w - 2.0 * by).max(0.0), h: (self.h - 2.0 * by).max(0.0) }
    }
}

/// A grid of task squares at one place: ordinal `n` (in `tasks_at` order) sits at column `n % cols`, row
/// `n / cols`. Only the counts are stored, never one entry per task.
#[derive(Clone, Debug)]
pub(super) struct Grid {
    pub(super) place: Place,
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) cols: u32,
    /// Squares actually drawn: the task count, or fewer if the grid is full (never happens with the capacity
    /// estimate, but a hand-made view must not draw outside its box).
    pub(super) drawn: u32,
    pub(super) counts: [u32; DRAWN],
    /// What is behind the squares (a pool's grid is on the plain background, like an active instance's): the
    /// gaps between them are painted back in its colour (see [`Grid::gaps`]).
    pub(super) backdrop: Look,
}

impl Grid {
    /// The ordinals of state `s`, clipped to the drawn squares.
    pub(super) fn range(&self, s: usize) -> (u32, u32) {
        let before: u32 = self.counts.iter().take(s).fold(0u32, |a, &c| a.saturating_add(c));
        let here = self.counts.get(s).copied().unwrap_or(0);
        (before.min(self.drawn), before.saturating_add(here).min(self.drawn))
    }

    pub(super) fn origin(&self, n: u32, pitch: f64) -> (f64, f64) {
        let cols = self.cols.max(1);
        (self.x + f64::from(n % cols) * pitch, self.y + f64::from(n / cols) * pitch)
    }

    /// Rectangles covering the squares of ordinals `first..end`, one per grid row, the gaps between squares of a
    /// row included ([`Grid::gaps`] paints those back). A row of 200 tasks in one state is then one canvas call
    /// instead of 200: at 10,000 squares that is the difference between ~3 ms and a fraction of a millisecond.
    pub(super) fn runs(&self, (first, end): (u32, u32), cell: f64, pitch: f64, mut each: impl FnMut(Rect)) {
        let cols = self.cols.max(1);
        let mut n = first;
        while n < end {
            let row_end = (n / cols + 1).saturating_mul(cols).min(end);
            let (x, y) = self.origin(n, pitch);
            each(Rect { x, y, w: f64::from(row_end - n) * pitch - (pitch - cell), h: cell });
            n = row_end;
        }
    }

    /// The gaps between columns that [`Grid::runs`] covered: each column gap over the rows where squares sit on both
    /// sides of it. (Gaps between rows are never covered: runs are one square high.)
    pub(super) fn gaps(&self, cell: f64, pitch: f64, mut each: impl FnMut(Rect)) {
        let cols = self.cols.max(1);
        let (full, rest) = (self.drawn / cols, self.drawn % cols);
        for c in 0..cols - 1 {
            let rows = full + u32::from(c + 1 < rest);
            if rows > 0 {
                let (x, w) = (self.x + f64::from(c) * pitch + cell, pitch - cell);
                each(Rect { x, y: self.y, w, h: f64::from(rows) * pitch - (pitch - cell) });
            }
        }
    }

    /// The ordinal under a point. A square's hit area is its whole pitch (square + gap to its right and below), so
    /// the pointer does not flicker between a task and its instance over 1 px gaps.
    pub(super) fn ordinal_at(&self, x: f64, y: f64, pitch: f64) -> Option<u32> {
        if pitch <= 0.0 || x < self.x || y < self.y {
            return None;
        }
        let col = ((x - self.x) / pitch).floor();
        let row = ((y - self.y) / pitch).floor();
        if col >= f64::from(self.cols) || row >= f64::from(self.drawn.div_ceil(self.cols.max(1))) {
            return None;
        }
        let n = (row as u32).checked_mul(self.cols)?.checked_add(col as u32)?;
        (n < self.drawn).then_some(n)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Look {
    Booting,
    Active,
    Draining,
}

#[derive(Clone, Debug)]
pub(super) struct InstanceBox {
    pub(super) index: u32,
    pub(super) rect: Rect,
    pub(super) look: Look,
    pub(super) notice: bool,
    /// Held to its burstable baseline (empty CPU credit balance, standard mode): its cpu bar is drawn apart.
    pub(super) throttled: bool,
    /// cpu_used / cpu_total in 0..=1.
    pub(super) cpu: f64,
    pub(super) cpu_rect: Option<Rect>,
    /// Aggregate mode: the stacked bar of its task counts, full width = `scale` tasks (the box capacity).
    pub(super) stack: Option<Rect>,
    pub(super) counts: [u32; DRAWN],
    pub(super) scale: f64,
}

/// A stacked bar of task counts; `place` is what a hit on it answers (none for a zone bar).
#[derive(Clone, Debug)]
pub(super) struct Bar {
    pub(super) place: Option<Place>,
    pub(super) rect: Rect,
    pub(super) counts: [u32; DRAWN],
    /// Tasks at full width.
    pub(super) scale: f64,
}

#[derive(Clone, Debug)]
pub(super) struct Label {
    pub(super) x: f64,
    /// Vertical middle of the text.
    pub(super) y: f64,
    pub(super) text: String,
    pub(super) bold: bool,
    pub(super) max_w: f64,
}

/// The view regrouped once per frame: pools to draw, instances ordered by provider, zone, launch.
pub(super) struct Prep<'v> {
    pub(super) view: &'v View,
    pub(super) pools: Vec<PoolPrep>,
    pub(super) providers: Vec<ProviderPrep<'v>>,
    /// Positions in `view.instances`, grouped by provider then zone, in launch order within a zone.
    pub(super) order: Vec<u32>,
    /// Tasks at full width of the pool and waiting bars: one scale for all, so they compare.
    pub(super) bar_scale: f64,
}

pub(super) struct PoolPrep {
    pub(super) capacity: CapacityType,
    pub(super) counts: [u32; DRAWN],
    pub(super) total: u32,
}

pub(super) struct ProviderPrep<'v> {
    pub(super) view: &'v ProviderView,
    pub(super) index: u16,
    pub(super) zones: Vec<ZonePrep<'v>>,
    pub(super) instances: u32,
    /// Task squares an instance box holds (the most tasks any of its instances can take, estimated).
    pub(super) capacity: u32,
}

pub(super) struct ZonePrep<'v> {
    pub(super) name: &'v str,
    pub(super) start: usize,
    pub(super) len: usize,
    pub(super) counts: [u32; DRAWN],
    /// Instances booting, draining, under an interruption notice: written out in zones mode, where no box shows it.
    pub(super) booting: u32,
    pub(super) draining: u32,
    pub(super) noticed: u32,
}

/// The tasks an instance box is sized for: the most tasks on any instance of the provider, and for instances with
/// tasks, how many tasks of the average size their cpu and memory would hold, so a full box means a full
/// instance and boxes do not resize at every placement.
pub(super) fn box_capacity(instances: &[InstanceView], positions: &[u32]) -> u32 {
    let mut capacity: u64 = 1;
    for instance in positions.iter().filter_map(|&p| instances.get(p as usize)) {
        capacity = capacity.max(u64::from(sum(&drawn_counts(&instance.by_state))));
        let tasks = u64::from(instance.tasks);
        if tasks == 0 {
            continue;
        }
        let by = |used: u32, total: u32| (used > 0).then(|| u64::from(total) * tasks / u64::from(used));
        let estimate =
            match (by(instance.cpu_used, instance.cpu_total), by(instance.memory_used, instance.memory_total)) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => continue,
            };
        capacity = capacity.max(estimate.min(MAX_BOX_TASKS));
    }
    u32::try_from(capacity).unwrap_or(u32::MAX)
}

impl<'v> Prep<'v> {
    pub(super) fn new(view: &'v View) -> Prep<'v> {
        let mut pools = Vec::new();
        for capacity in [CapacityType::Fargate, CapacityType::FargateSpot] {
            let counts =
                view.pools.iter().find(|p| p.capacity == capacity).map_or([0; DRAWN], |p| drawn_counts(&p.by_state));
            let total = sum(&counts);
            // Fargate is always drawn without providers, so an empty run shows an empty pool, not a blank canvas.
            let always = capacity == CapacityType::Fargate && view.providers.is_empty();
            if total > 0 || always {
                pools.push(PoolPrep { capacity, counts, total });
            }
        }

        let providers_len = view.providers.len();
        let mut order: Vec<u32> = (0..view.instances.len())
            .filter(|&p| view.instances.get(p).is_some_and(|i| usize::from(i.provider_index) < providers_len))
            .filter_map(|p| u32::try_from(p).ok())
            .collect();
        let key = |p: u32| view.instances.get(p as usize).map_or((0, 0), |i| (i.provider_index, i.zone_index));
        fleetplan_engine::sort::sort_by_key(&mut order, |&p| (key(p), p));

        let mut providers = Vec::with_capacity(providers_len);
        let mut cursor = 0;
        for (p, provider) in view.providers.iter().enumerate() {
            let index = u16::try_from(p).unwrap_or(u16::MAX);
            let begin = cursor;
            while order.get(cursor).is_some_and(|&q| key(q).0 == index) {
                cursor += 1;
            }
            let mine = order.get(begin..cursor).unwrap_or(&[]);
            let last_zone = mine.last().map_or(0, |&q| usize::from(key(q).1) + 1);
            let zone_count = provider.zones.len().max(last_zone);
            let mut zones = Vec::with_capacity(zone_count);
            let mut at = begin;
            for z in 0..zone_count {
                let start = at;
                let mut counts = [0u32; DRAWN];
                let (mut booting, mut draining, mut noticed) = (0, 0, 0);
                while at < cursor {
                    let Some(instance) = order.get(at).and_then(|&q| view.instances.get(q as usize)) else { break };
                    if usize::from(instance.zone_index) != z {
                        break;
                    }
                    for (c, add) in counts.iter_mut().zip(drawn_counts(&instance.by_state)) {
                        *c = c.saturating_add(add);
                    }
                    match look(instance.state) {
                        Look::Booting => booting += 1,
                        Look::Draining => draining += 1,
                        Look::Active => {}
                    }
                    noticed += u32::from(instance.interruption_notice);
                    at += 1;
                }
                // A zone the provider does not list (a hand-made view) is named after its instances.
                let name = provider
                    .zones
                    .get(z)
                    .map(String::as_str)
                    .or_else(|| order.get(start).and_then(|&q| view.instances.get(q as usize)).map(|i| i.zone.as_str()))
                    .unwrap_or("?");
                zones.push(ZonePrep { name, start, len: at - start, counts, booting, draining, noticed });
            }
            providers.push(ProviderPrep {
                view: provider,
                index,
                zones,
                instances: u32::try_from(mine.len()).unwrap_or(u32::MAX),
                capacity: box_capacity(&view.instances, mine),
            });
        }

        let largest = pools.iter().map(|p| p.total).chain(view.providers.iter().map(|p| p.waiting)).max().unwrap_or(0);
        Prep { view, pools, providers, order, bar_scale: f64::from(largest.max(1)) }
    }
}

/// Columns of task squares that fit a width.
pub(super) fn columns(width: f64, pitch: f64, gap: f64) -> u32 {
    (((width + gap) / pitch).floor() as u32).max(1)
}

/// Cells-mode instance box: (width, height, columns, rows) for a capacity, roughly square.
pub(super) fn cell_box(capacity: u32, pitch: f64, gap: f64, inner_w: f64) -> (f64, f64, u32, u32) {
    let capacity = capacity.max(1);
    let max_cols = columns(inner_w - 2.0 * BOX_PAD, pitch, gap);
    let cols = (f64::from(capacity).sqrt().ceil() as u32).clamp(1, max_cols);
    let rows = capacity.div_ceil(cols);
    let w = 2.0 * BOX_PAD + f64::from(cols) * pitch - gap;
    let h = 2.0 * BOX_PAD + f64::from(rows) * pitch - gap + 1.0 + CPU_H;
    (w, h, cols, rows)
}

pub(super) fn look(state: InstanceState) -> Look {
    match state {
        InstanceState::Launching | InstanceState::Registering => Look::Booting,
        InstanceState::Draining => Look::Draining,
        InstanceState::Active | InstanceState::Terminated => Look::Active,
    }
}

/// Lays the view out in one mode, top to bottom ([`Builder::run`] returns where the content ends). With `out` it
/// records everything; without, it only measures (the fitting passes), so trying a mode costs O(zones) and
/// allocates nothing.
pub(super) struct Builder<'p, 'v, 'o> {
    pub(super) prep: &'p Prep<'v>,
    pub(super) mode: Mode,
    pub(super) inner_w: f64,
    pub(super) y: f64,
    pub(super) out: Option<&'o mut ClusterLayout>,
}

impl Builder<'_, '_, '_> {
    pub(super) fn label(&mut self, bold: bool, text: impl FnOnce() -> String) {
        let height = if bold { HEADER_H } else { LABEL_H };
        if let Some(out) = self.out.as_deref_mut() {
            out.labels.push(Label { x: MARGIN, y: self.y + height / 2.0, text: text(), bold, max_w: self.inner_w });
        }
        self.y += height;
    }

    /// One label-high line: a stacked bar on the left, its text on the right. Zones and waiting rows in the
    /// aggregate modes, so that a zone costs one line when there are thousands of instances.
    pub(super) fn compact(
        &mut self,
        place: Option<Place>,
        counts: [u32; DRAWN],
        scale: f64,
        text: impl FnOnce() -> String,
    ) {
        if let Some(out) = self.out.as_deref_mut() {
            let bar_w = (self.inner_w * 0.35).clamp(60.0, 360.0).min(self.inner_w);
            let rect = Rect { x: MARGIN, y: self.y + (LABEL_H - BAR_H) / 2.0, w: bar_w, h: BAR_H };
            out.bars.push(Bar { place, rect, counts, scale: scale.max(1.0) });
            let (x, max_w) = (MARGIN + bar_w + 8.0, (self.inner_w - bar_w - 8.0).max(1.0));
            out.labels.push(Label { x, y: self.y + LABEL_H / 2.0, text: text(), bold: false, max_w });
        }
        self.y += LABEL_H;
    }

    /// A pool's or a provider's waiting tasks: squares in cells mode, else a stacked bar.
    pub(super) fn task_row(&mut self, place: Place, counts: [u32; DRAWN]) {
        let total = sum(&counts);
        match self.mode {
            Mode::Cells { cell, gap } => {
                let (pitch, gap) = (f64::from(cell + gap), f64::from(gap));
                let cols = columns(self.inner_w, pitch, gap);
                let rows = total.div_ceil(cols);
                if let Some(out) = self.out.as_deref_mut() {
                    out.grids.push(Grid {
                        place,
                        x: MARGIN,
                        y: self.y,
                        cols,
                        drawn: total,
                        counts,
                        backdrop: Look::Active,
                    });
                }
                self.y += f64::from(rows) * pitch;
            }
            Mode::Boxes { .. } | Mode::Zones => {
                let scale = self.prep.bar_scale;
                if let Some(out) = self.out.as_deref_mut() {
                    let rect = Rect { x: MARGIN, y: self.y, w: self.inner_w, h: BAR_H };
                    out.bars.push(Bar { place: Some(place), rect, counts, scale });
                }
                self.y += BAR_H + BAR_GAP;
            }
        }
    }

    pub(super) fn zone(&mut self, provider: &ProviderPrep, zone: &ZonePrep) {
        let (box_w, box_h, gap) = match self.mode {
            Mode::Cells { cell, gap } => {
                let pitch = f64::from(cell + gap);
                let (w, h, _, _) = cell_box(provider.capacity, pitch, f64::from(gap), self.inner_w);
                (w, h, if cell < 6 { BOX_GAP_SMALL } else { BOX_GAP })
            }
            Mode::Boxes { w, h } => (f64::from(w), f64::from(h), if w <= 12 { 2.0 } else { 3.0 }),
            // A zone is one compact bar in zones mode (see `run`).
            Mode::Zones => return,
        };
        let per_row = (((self.inner_w + gap) / (box_w + gap)).floor() as usize).max(1);
        let rows = zone.len.div_ceil(per_row);
        if let Some(out) = self.out.as_deref_mut() {
            let positions = self.prep.order.get(zone.start..zone.start + zone.len).unwrap_or(&[]);
            for (k, instance) in positions.iter().filter_map(|&p| self.prep.view.instances.get(p as usize)).enumerate()
            {
                let rect = Rect {
                    x: MARGIN + (k % per_row) as f64 * (box_w + gap),
                    y: self.y + (k / per_row) as f64 * (box_h + gap),
                    w: box_w,
                    h: box_h,
                };
                let counts = drawn_counts(&instance.by_state);
                let (cpu_rect, stack) = match self.mode {
                    Mode::Cells { cell, gap } => {
                        let pitch = f64::from(cell + gap);
                        let (_, _, cols, rows) = cell_box(provider.capacity, pitch, f64::from(gap), self.inner_w);
                        out.grids.push(Grid {
                            place: Place::Instance(instance.index),
                            x: rect.x + BOX_PAD,
                            y: rect.y + BOX_PAD,
                            cols,
                            drawn: sum(&counts).min(cols.saturating_mul(rows)),
                            counts,
                            backdrop: look(instance.state),
                        });
                        let cpu = Rect {
                            x: rect.x + BOX_PAD,
                            y: rect.y + rect.h - BOX_PAD - CPU_H,
                            w: rect.w - 2.0 * BOX_PAD,
                            h: CPU_H,
                        };
                        (Some(cpu), None)
                    }
                    _ => {
                        // Inside the 1–2 px outline: the stacked bar, and a 2 px cpu bar if the box is tall enough.
                        let inner = rect.inset(2.0);
                        if rect.h >= 12.0 {
                            let cpu = Rect { y: inner.y + inner.h - 2.0, h: 2.0, ..inner };
                            (Some(cpu), Some(Rect { h: (inner.h - 3.0).max(1.0), ..inner }))
                        } else {
                            (None, Some(inner))
                        }
                    }
                };
                out.boxes.push(InstanceBox {
                    index: instance.index,
                    rect,
                    look: look(instance.state),
                    notice: instance.interruption_notice,
                    throttled: instance.throttled,
                    cpu: fraction(instance.cpu_used, instance.cpu_total),
                    cpu_rect,
                    stack,
                    counts,
                    scale: f64::from(provider.capacity.max(1)),
                });
            }
        }
        self.y += rows as f64 * (box_h + gap);
    }

    pub(super) fn run(mut self) -> f64 {
        let aggregate = !matches!(self.mode, Mode::Cells { .. });
        let zones_mode = self.mode == Mode::Zones;
        let prep = self.prep;
        if let Some(retirement) = &prep.view.task_retirement {
            self.label(false, || retirement_note(retirement, prep.view.time_s));
        }
        for pool in &prep.pools {
            let spot_waiting = prep.view.spot_capacity_waiting;
            self.label(true, || {
                let mut text = format!("{} · {}", capacity_label(pool.capacity), plural(pool.total, TASK));
                if aggregate && pool.total > 0 {
                    text.push_str(": ");
                    text.push_str(&breakdown(&pool.counts));
                }
                if pool.capacity == CapacityType::FargateSpot && spot_waiting > 0 {
                    text.push_str(&trf(" · {count} waiting for Spot capacity", &[("count", &thousands(spot_waiting))]));
                }
                text
            });
            self.task_row(Place::Pool(pool.capacity), pool.counts);
            self.y += SECTION_GAP;
        }
        for provider in &prep.providers {
            let view = provider.view;
            self.label(true, || {
                let mut text = trf(
                    "{name} · {kind} · {instances} · {waiting} waiting",
                    &[
                        ("name", &view.name),
                        ("kind", &provider_label(view)),
                        ("instances", &plural(provider.instances, INSTANCE)),
                        ("waiting", &thousands(view.waiting)),
                    ],
                );
                if let Some(reservation) = view.reservation {
                    text.push_str(&trf(" · reservation {reservation}%", &[("reservation", &reservation)]));
                }
                text.push_str(&capacity_refusals(view));
                text
            });
            if view.waiting > 0 {
                let mut counts = [0; DRAWN];
                counts[0] = view.waiting;
                let text = || trf("waiting for an instance: {tasks}", &[("tasks", &plural(view.waiting, TASK))]);
                if aggregate {
                    self.compact(Some(Place::Waiting(provider.index)), counts, prep.bar_scale, text);
                } else {
                    self.label(false, text);
                    self.task_row(Place::Waiting(provider.index), counts);
                }
            }
            for zone in &provider.zones {
                let zone_tasks = sum(&zone.counts);
                let text = || {
                    let mut text = format!("{} · {}", zone.name, plural(zone.len as u32, INSTANCE));
                    if zones_mode {
                        let looks = [
                            (zone.booting, mark("booting")),
                            (zone.draining, mark("draining")),
                            (zone.noticed, mark("noticed")),
                        ];
                        let looks: Vec<String> = looks
                            .iter()
                            .filter(|(n, _)| *n > 0)
                            .map(|(n, what)| format!("{} {}", thousands(*n), tr_dyn(what)))
                            .collect();
                        if !looks.is_empty() {
                            text.push_str(&format!(" ({})", looks.join(", ")));
                        }
                    }
                    if aggregate {
                        text.push_str(&format!(" · {}", plural(zone_tasks, TASK)));
                        if zone_tasks > 0 {
                            text.push_str(": ");
                            text.push_str(&breakdown(&zone.counts));
                        }
                    }
                    text
                };
                if zones_mode {
                    // Full width = the zone's estimated capacity, so the bar also says how full the zone is.
                    let scale = f64::from(provider.capacity) * zone.len as f64;
                    self.compact(None, zone.counts, scale.max(f64::from(zone_tasks)), text);
                } else {
                    self.label(false, text);
                    self.zone(provider, zone);
                }
            }
            self.y += SECTION_GAP;
        }
        // The last gap is not needed, the bottom margin is.
        let bottom = if self.y > MARGIN { self.y - SECTION_GAP + MARGIN } else { 2.0 * MARGIN };
        if let Some(out) = self.out {
            out.bottom = bottom;
        }
        bottom
    }
}

pub(super) fn measure(prep: &Prep, mode: Mode, width: f64) -> f64 {
    Builder { prep, mode, inner_w: (width - 2.0 * MARGIN).max(1.0), y: MARGIN, out: None }.run()
}

/// The gap between task squares: 1 px while squares are small, 2 px from 8 px up so they still read as squares.
pub(super) fn gap_for(cell: u32) -> u32 {
    if cell >= 8 {
        2
    } else {
        1
    }
}

/// Lays the view out in a `width` × `height` CSS px area, in the most detailed mode that fits (see the module doc).
pub(super) fn layout(view: &View, width: f64, height: f64) -> ClusterLayout {
    let mut out = ClusterLayout { width, height, ..ClusterLayout::default() };
    if !(width >= 1.0 && height >= 1.0) {
        return out;
    }
    let prep = Prep::new(view);
    let cells = (MIN_CELL..=MAX_CELL).rev().map(|cell| Mode::Cells { cell, gap: gap_for(cell) });
    let boxes = AGGREGATE_BOXES.iter().map(|&(w, h)| Mode::Boxes { w, h });
    let mode = cells.chain(boxes).find(|&mode| measure(&prep, mode, width) <= height).unwrap_or(Mode::Zones);
    if let Mode::Cells { cell, gap } = mode {
        out.cell = f64::from(cell);
        out.pitch = f64::from(cell + gap);
    }
    out.mode = mode;
    Builder { prep: &prep, mode, inner_w: (width - 2.0 * MARGIN).max(1.0), y: MARGIN, out: Some(&mut out) }.run();
    out
}

/// The part of a stacked bar in `rect` (full width = `scale` tasks) that state `s` covers.
pub(super) fn segment(rect: &Rect, counts: &[u32; DRAWN], scale: f64, s: usize) -> Option<Rect> {
    let here = f64::from(*counts.get(s)?);
    if here <= 0.0 || scale <= 0.0 {
        return None;
    }
    let before: f64 = counts.iter().take(s).map(|&c| f64::from(c)).sum();
    let x0 = rect.x + rect.w * (before / scale).min(1.0);
    let x1 = rect.x + rect.w * ((before + here) / scale).min(1.0);
    // A state with a few tasks in a bar of thousands still shows as a hairline.
    let x1 = x1.max((x0 + 1.0).min(rect.x + rect.w));
    (x1 > x0).then_some(Rect { x: x0, w: x1 - x0, ..*rect })
}

/// The thing at CSS pixel (x, y) relative to the canvas' top-left corner (the app passes MouseEvent
/// offset_x/offset_y).
pub fn hit_test(layout: &ClusterLayout, x: f64, y: f64) -> Option<Hit> {
    if !(x.is_finite() && y.is_finite()) {
        return None;
    }
    for grid in &layout.grids {
        if let Some(ordinal) = grid.ordinal_at(x, y, layout.pitch) {
            return Some(Hit::Task { place: grid.place, ordinal });
        }
    }
    if let Some(b) = layout.boxes.iter().find(|b| b.rect.contains(x, y)) {
        return Some(Hit::Instance { index: b.index });
    }
    layout.bars.iter().find(|b| b.rect.contains(x, y)).and_then(|b| b.place).map(Hit::Place)
}

/// What an Auto Scaling group's label adds when EC2 refused it capacity: its failed launches
/// (InsufficientInstanceCapacity in every pool) and the pools out of capacity now; empty when neither.
pub(super) fn capacity_refusals(view: &ProviderView) -> String {
    let mut text = String::new();
    if view.failed_launches > 0 {
        let n = view.failed_launches;
        let count = thousands(n as u32);
        text.push_str(&if n == 1 {
            tr(" · 1 failed launch (insufficient capacity)")
        } else {
            trf(" · {count} failed launches (insufficient capacity)", &[("count", &count)])
        });
    }
    if !view.pools_out_of_capacity.is_empty() {
        text.push_str(&trf(" · no capacity: {pools}", &[("pools", &view.pools_out_of_capacity.join(", "))]));
    }
    text
}

/// The line above the Fargate pools while a task retirement notice is out: when it came and when its tasks are
/// retired, then how many still run on the retired platform revision.
pub(super) fn retirement_note(r: &TaskRetirementView, now_s: f64) -> String {
    if now_s < r.retirement_s {
        return trf(
            "Fargate task retirement notice at {notice} s: {tasks} on the retired platform revision, retired at {retired} s",
            &[
                ("notice", &format!("{:.0}", r.notice_s)),
                ("tasks", &plural(r.tasks, TASK)),
                ("retired", &format!("{:.0}", r.retirement_s)),
            ],
        );
    }
    if r.still_running == 0 {
        return trf(
            "Fargate task retirement at {retired} s: all {tasks} replaced or stopped",
            &[("retired", &format!("{:.0}", r.retirement_s)), ("tasks", &plural(r.tasks, TASK))],
        );
    }
    trf(
        "Fargate task retirement at {retired} s: {running} of {tasks} still on the retired revision (their replacements come first within the deployment bounds)",
        &[
            ("retired", &format!("{:.0}", r.retirement_s)),
            ("running", &thousands(r.still_running)),
            ("tasks", &plural(r.tasks, TASK)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::sum;
    use super::*;
    use crate::palette::{DRAWN, STATE_COLOURS};
    use fleetplan_engine::task::TaskState;

    fn cell_rect(layout: &ClusterLayout, grid: &Grid, n: u32) -> Rect {
        let (x, y) = grid.origin(n, layout.pitch);
        Rect { x, y, w: layout.cell, h: layout.cell }
    }

    fn inside(outer: &Rect, inner: &Rect) -> bool {
        inner.x >= outer.x
            && inner.y >= outer.y
            && inner.x + inner.w <= outer.x + outer.w + 1e-9
            && inner.y + inner.h <= outer.y + outer.h + 1e-9
    }

    fn assert_fits(layout: &ClusterLayout) {
        let area = Rect { x: 0.0, y: 0.0, w: layout.width, h: layout.height };
        assert!(layout.bottom <= layout.height, "content ends at {} of {}", layout.bottom, layout.height);
        for grid in &layout.grids {
            for n in 0..grid.drawn {
                let cell = cell_rect(layout, grid, n);
                assert!(inside(&area, &cell), "cell {n} of {:?} at {cell:?} outside the canvas", grid.place);
                if let Place::Instance(index) = grid.place {
                    let b = layout.boxes.iter().find(|b| b.index == index).expect("a box for each instance grid");
                    assert!(inside(&b.rect.inset(BOX_PAD), &cell), "cell {n} outside its box");
                }
            }
        }
        for b in &layout.boxes {
            assert!(inside(&area, &b.rect), "box {b:?} outside the canvas");
        }
        for bar in &layout.bars {
            assert!(inside(&area, &bar.rect), "bar outside the canvas");
        }
    }

    #[test]
    fn empty_view_does_not_panic() {
        let empty = view(Vec::new(), Vec::new(), Vec::new());
        for (w, h) in [(0.0, 0.0), (1.0, 1.0), (800.0, 400.0), (f64::NAN, 300.0)] {
            let layout = layout(&empty, w, h);
            assert_eq!(hit_test(&layout, 10.0, 10.0), None);
            assert_eq!(hit_test(&layout, f64::NAN, 10.0), None);
        }
        // No providers: the Fargate pool is drawn (its header), so the canvas is not blank.
        let layout = layout(&view(pools([0; 8], [0; 8]), Vec::new(), Vec::new()), 800.0, 400.0);
        assert!(matches!(layout.mode, Mode::Cells { .. }));
        assert_eq!(layout.labels.len(), 1);
        assert!(layout.labels[0].text.starts_with("Fargate · 0 tasks"), "{}", layout.labels[0].text);
        // A provider with no instances: header and zone labels, no Fargate pool.
        let layout = layout_of(&view(pools([0; 8], [0; 8]), vec![provider("asg", 2, 0)], Vec::new()));
        assert_eq!(layout.labels.len(), 3);
        assert!(layout.grids.is_empty() && layout.boxes.is_empty());
        assert_fits(&layout);
    }

    fn layout_of(view: &View) -> ClusterLayout {
        layout(view, 1200.0, 640.0)
    }

    #[test]
    fn cells_fit_and_hit_test_to_their_task() {
        let view = fleet(2, 60, 12);
        let layout = layout_of(&view);
        let Mode::Cells { cell, .. } = layout.mode else { panic!("expected cells, got {:?}", layout.mode) };
        assert!(cell >= MIN_CELL);
        assert_fits(&layout);
        assert_eq!(layout.boxes.len(), 60);
        for instance in &view.instances {
            let grid = layout.grids.iter().find(|g| g.place == Place::Instance(instance.index)).expect("grid");
            // STOPPED tasks are not drawn.
            assert_eq!(grid.drawn, 12);
            for n in 0..grid.drawn {
                let r = cell_rect(&layout, grid, n);
                for (x, y) in [(r.x, r.y), (r.x + r.w / 2.0, r.y + r.h / 2.0), (r.x + r.w - 0.01, r.y + r.h - 0.01)] {
                    let hit = hit_test(&layout, x, y);
                    assert_eq!(hit, Some(Hit::Task { place: Place::Instance(instance.index), ordinal: n }));
                }
            }
            // The box edge is the instance, not a task.
            let b = layout.boxes.iter().find(|b| b.index == instance.index).expect("box");
            assert_eq!(
                hit_test(&layout, b.rect.x + 0.5, b.rect.y + 0.5),
                Some(Hit::Instance { index: instance.index })
            );
            // Past the last task: the instance (the box is sized for 16).
            let r = cell_rect(&layout, grid, grid.drawn);
            assert!(inside(&b.rect, &r));
            assert_eq!(hit_test(&layout, r.x + 0.5, r.y + 0.5), Some(Hit::Instance { index: instance.index }));
        }
        // States are drawn in lifecycle order: PROVISIONING first, then PENDING, then RUNNING.
        let grid = layout.grids.iter().find(|g| matches!(g.place, Place::Instance(_))).expect("grid");
        assert_eq!(grid.range(TaskState::Provisioning.index()), (0, 2));
        assert_eq!(grid.range(TaskState::Pending.index()), (2, 3));
        assert_eq!(grid.range(TaskState::Running.index()), (3, 12));
        // The Fargate pool (43 tasks) and each provider's 7 waiting tasks are squares too.
        let pool = layout.grids.iter().find(|g| g.place == Place::Pool(CapacityType::Fargate)).expect("pool");
        assert_eq!(pool.drawn, 43);
        let r = cell_rect(&layout, pool, 42);
        let hit = hit_test(&layout, r.x + 1.0, r.y + 1.0);
        assert_eq!(hit, Some(Hit::Task { place: Place::Pool(CapacityType::Fargate), ordinal: 42 }));
        let waiting = layout.grids.iter().find(|g| g.place == Place::Waiting(1)).expect("waiting");
        assert_eq!(waiting.drawn, 7);
        let r = cell_rect(&layout, waiting, 6);
        assert_eq!(hit_test(&layout, r.x + 1.0, r.y + 1.0), Some(Hit::Task { place: Place::Waiting(1), ordinal: 6 }));
        // Off everything.
        assert_eq!(hit_test(&layout, 1199.0, 639.0), None);
        assert_eq!(hit_test(&layout, -1.0, 5.0), None);
    }

    #[test]
    fn instances_are_grouped_by_provider_and_zone_in_launch_order() {
        let view = fleet(2, 30, 4);
        let layout = layout_of(&view);
        let order: Vec<u32> = layout.boxes.iter().map(|b| b.index).collect();
        let mut expected: Vec<&InstanceView> = view.instances.iter().collect();
        expected.sort_by_key(|i| (i.provider_index, i.zone_index, i.index));
        assert_eq!(order, expected.iter().map(|i| i.index).collect::<Vec<_>>());
        // Looks follow the instance state.
        for b in &layout.boxes {
            let instance = view.instances.iter().find(|i| i.index == b.index).expect("instance");
            assert_eq!(b.look, look(instance.state));
        }
        assert!(layout
            .labels
            .iter()
            .any(|l| l.text == "asg-1 · EC2 On-Demand · 15 instances · 7 waiting · reservation 120%"));
        assert!(layout.labels.iter().any(|l| l.text == "us-east-1b · 5 instances"));
    }

    #[test]
    fn a_group_refused_capacity_says_so_in_its_label() {
        let mut view = fleet(2, 30, 4);
        view.providers[1].failed_launches = 3;
        view.providers[1].pools_out_of_capacity = vec!["c5.large in us-east-1a".to_string()];
        let layout = layout_of(&view);
        assert!(layout.labels.iter().any(|l| {
            l.text
            == "asg-1 · EC2 On-Demand · 15 instances · 7 waiting · reservation 120% · 3 failed launches (insufficient \
                capacity) · no capacity: c5.large in us-east-1a"
        }));
        view.providers[1].failed_launches = 1;
        view.providers[1].pools_out_of_capacity.clear();
        assert_eq!(capacity_refusals(&view.providers[1]), " · 1 failed launch (insufficient capacity)");
        assert_eq!(capacity_refusals(&view.providers[0]), "");
    }

    #[test]
    fn ten_thousand_tasks_stay_squares() {
        let view = fleet(2, 400, 25);
        let layout = layout_of(&view);
        assert!(matches!(layout.mode, Mode::Cells { .. }), "{:?}", layout.mode);
        assert_fits(&layout);
    }

    #[test]
    fn a_hundred_thousand_tasks_aggregate() {
        let view = fleet(2, 3000, 33);
        let layout = layout_of(&view);
        let Mode::Boxes { .. } = layout.mode else { panic!("expected aggregate boxes, got {:?}", layout.mode) };
        assert!(layout.grids.is_empty());
        assert_eq!(layout.boxes.len(), 3000);
        assert_fits(&layout);
        let b = &layout.boxes[17];
        assert_eq!(hit_test(&layout, b.rect.x + 1.0, b.rect.y + 1.0), Some(Hit::Instance { index: b.index }));
        // Pool and waiting rows are bars that answer with their place.
        let pool = layout.bars.iter().find(|b| b.place == Some(Place::Pool(CapacityType::Fargate))).expect("bar");
        let (x, y) = (pool.rect.x + 2.0, pool.rect.y + 2.0);
        assert_eq!(hit_test(&layout, x, y), Some(Hit::Place(Place::Pool(CapacityType::Fargate))));
        assert!(layout.bars.iter().any(|b| b.place == Some(Place::Waiting(0))));
        assert!(layout.labels.iter().any(|l| l.text.starts_with("Fargate · 43 tasks: 3 ACTIVATING, 40 RUNNING")));

        // A small canvas: one bar per provider × zone.
        let small = super::layout(&view, 500.0, 300.0);
        assert_eq!(small.mode, Mode::Zones);
        // A zone is one line (bar and text), so even this fits.
        assert_fits(&small);
        assert!(small
            .labels
            .iter()
            .any(|l| l.text.starts_with("us-east-1c · 500 instances (250 draining) · 16,500 tasks")));
        assert!(small.boxes.is_empty());
        assert_eq!(small.bars.iter().filter(|b| b.place.is_none()).count(), 6);
        let zone = small.bars.iter().find(|b| b.place.is_none()).expect("zone bar");
        assert_eq!(sum(&zone.counts), 500 * 33);
        assert_eq!(hit_test(&small, zone.rect.x + 1.0, zone.rect.y + 1.0), None);
    }

    #[test]
    fn a_big_fargate_pool_becomes_a_bar() {
        let mut fargate = [0; 8];
        fargate[TaskState::Running.index()] = 100_000;
        let layout = layout_of(&view(pools(fargate, [0; 8]), Vec::new(), Vec::new()));
        assert!(matches!(layout.mode, Mode::Boxes { .. }));
        assert_eq!(layout.bars.len(), 1);
        assert!(layout.labels[0].text.contains("100,000 RUNNING"), "{}", layout.labels[0].text);
    }

    #[test]
    fn hand_made_oddities_do_not_panic() {
        // Zone and provider indices out of range, more tasks than the estimate, zero totals, a tiny canvas.
        let mut odd = instance(3, 0, 5, InstanceState::Terminated, [1000, 0, 0, 0, 0, 0, 0, u32::MAX]);
        odd.cpu_total = 0;
        odd.memory_used = 0;
        let lost = instance(4, 9, 0, InstanceState::Active, [1; 8]);
        let v = view(pools([u32::MAX; 8], [1; 8]), vec![provider("p", 1, u32::MAX)], vec![odd, lost]);
        for (w, h) in [(1200.0, 640.0), (40.0, 30.0), (3.0, 3000.0)] {
            let layout = layout(&v, w, h);
            let _ = hit_test(&layout, 10.0, 10.0);
        }
        let layout = layout(&v, 1200.0, 640.0);
        assert!(
            layout.labels.iter().any(|l| l.text.starts_with("us-east-1f")),
            "unlisted zone named after its instance"
        );
    }

    /// Row runs with their gaps painted back give exactly the picture of one square per task.
    #[test]
    fn runs_and_gaps_paint_the_same_squares() {
        let (cell, pitch) = (3.0, 4.0);
        for (cols, counts) in [
            (7, [3, 0, 5, 9, 0, 1, 2]),
            (1, [2, 1, 0, 0, 0, 0, 0]),
            (5, [0, 0, 0, 10, 0, 0, 0]),
            (4, [0; DRAWN]),
            (9, [1, 1, 1, 1, 1, 1, 1]),
        ] {
            let drawn = sum(&counts);
            let place = Place::Instance(0);
            let grid = Grid { place, x: 0.0, y: 0.0, cols, drawn, counts, backdrop: Look::Active };
            let (w, h) = (cols as usize * 4, drawn.div_ceil(cols).max(1) as usize * 4);
            let mut expected = vec![u8::MAX; w * h];
            let mut painted = vec![u8::MAX; w * h];
            let paint = |bitmap: &mut [u8], r: Rect, value: u8| {
                for y in r.y as usize..(r.y + r.h) as usize {
                    for x in r.x as usize..(r.x + r.w) as usize {
                        bitmap[y * w + x] = value;
                    }
                }
            };
            for s in 0..DRAWN {
                let (first, end) = grid.range(s);
                for n in first..end {
                    let (x, y) = grid.origin(n, pitch);
                    paint(&mut expected, Rect { x, y, w: cell, h: cell }, s as u8);
                }
                grid.runs((first, end), cell, pitch, |r| paint(&mut painted, r, s as u8));
            }
            grid.gaps(cell, pitch, |r| paint(&mut painted, r, u8::MAX));
            assert_eq!(painted, expected, "{cols} columns, {counts:?}");
        }
    }

    #[test]
    fn segments_tile_the_bar() {
        let rect = Rect { x: 10.0, y: 0.0, w: 100.0, h: 10.0 };
        let counts = [10, 0, 0, 30, 0, 0, 10];
        let parts: Vec<Rect> = (0..DRAWN).filter_map(|s| segment(&rect, &counts, 100.0, s)).collect();
        assert_eq!(parts.len(), 3);
        assert_eq!((parts[0].x, parts[0].w), (10.0, 10.0));
        assert_eq!((parts[1].x, parts[1].w), (20.0, 30.0));
        assert_eq!((parts[2].x, parts[2].w), (50.0, 10.0));
    }

    /// The contract with the engine: the n-th square of a place is the n-th task of `tasks_at(place)`, in every
    /// preset at several moments of its run.
    #[test]
    fn squares_match_the_engine_tasks_at_order() {
        use fleetplan_engine::{presets, SimTime, Simulation};
        let mut checked = 0;
        for preset in presets::all().iter().filter(|p| p.id != "stress-100k") {
            let Ok(scenario) = preset.scenario() else { continue };
            let mut sim = Simulation::new(scenario, 3);
            for t in [20.0, 90.0, 240.0] {
                sim.step_until(SimTime::from_secs_f64(t));
                let view = sim.view();
                let layout = layout(&view, 1600.0, 1200.0);
                assert_fits(&layout);
                for grid in &layout.grids {
                    let tasks = sim.tasks_at(grid.place);
                    assert!(tasks.len() >= grid.drawn as usize, "{}: {:?}", preset.id, grid.place);
                    for (s, (name, _)) in STATE_COLOURS.iter().enumerate() {
                        let (first, end) = grid.range(s);
                        for n in first..end {
                            assert_eq!(
                                tasks[n as usize].state.name(),
                                *name,
                                "{} {:?} square {n}",
                                preset.id,
                                grid.place
                            );
                            checked += 1;
                        }
                    }
                    if let Place::Instance(_) = grid.place {
                        assert_eq!(tasks.len(), grid.drawn as usize, "{}: every task on an instance drawn", preset.id);
                    }
                }
            }
        }
        assert!(checked > 1000, "only {checked} squares checked");
    }

    #[test]
    fn a_task_retirement_notice_is_written_above_the_pools() {
        let mut view = fleet(1, 4, 2);
        let mut r = TaskRetirementView { notice_s: 600.0, retirement_s: 1200.0, tasks: 24, still_running: 24 };
        view.task_retirement = Some(r.clone());
        let layout = layout_of(&view);
        let first = layout.labels.first().map(|l| l.text.as_str());
        assert_eq!(
            first,
            Some(
                "Fargate task retirement notice at 600 s: 24 tasks on the retired platform revision, retired at 1200 s"
            )
        );
        r.still_running = 5;
        assert_eq!(
            retirement_note(&r, 1300.0),
            "Fargate task retirement at 1200 s: 5 of 24 tasks still on the retired revision (their replacements come \
             first within the deployment bounds)"
        );
        r.still_running = 0;
        assert_eq!(retirement_note(&r, 1300.0), "Fargate task retirement at 1200 s: all 24 tasks replaced or stopped");
    }
}
