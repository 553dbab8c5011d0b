//! The AWS Batch part of the cluster view (`docs/model.md` §12), on its own canvas under the ECS one: each job
//! queue with its RUNNABLE count, then each compute environment with its vCPUs against maxvCpus, its instances as
//! boxes (outlined like ECS instances: dashed blue while launching, vermillion once reclaimed by Spot) holding one
//! square per job STARTING or RUNNING, and a Fargate environment's jobs as one grid. Squares use
//! [`JOB_STATE_COLOURS`](crate::palette::JOB_STATE_COLOURS), the charts' colours.
//!
//! Like the ECS view, [`layout`] is pure arithmetic (tested natively) choosing the largest square that fits, and
//! painting is one path per colour.

use fleetplan_engine::output::{BatchJobState, BatchView};
use wasm_bindgen::JsValue;

use super::layout::Rect;
use super::paint::js_error;
use crate::palette::JOB_STATE_COLOURS;

const MARGIN: f64 = 8.0;
const LINE_H: f64 = 20.0;
const BOX_PAD: f64 = 3.0;
const BOX_GAP: f64 = 6.0;
/// Square sizes tried, largest first; the first whose layout fits the canvas' height is used.
const CELLS: [f64; 9] = [14.0, 12.0, 10.0, 8.0, 6.0, 5.0, 4.0, 3.0, 2.0];

/// A job STARTING or RUNNING as the engine lists it: (job number, compute environment, instance or None on
/// Fargate, state).
pub type Placed = (u32, u16, Option<u32>, BatchJobState);

/// What the Batch canvas shows, for painting and hit tests; keeps the view it came from for the details box.
#[derive(Default, Clone, Debug)]
pub struct BatchLayout {
    pub(super) cell: f64,
    pub(super) pitch: f64,
    pub(super) bottom: f64,
    /// Text lines: where (left, middle), the text, bold.
    pub(super) texts: Vec<(f64, f64, String, bool)>,
    pub(super) boxes: Vec<JobBox>,
    /// Each queue's line, for hovering.
    pub(super) queue_lines: Vec<Rect>,
    pub view: Option<BatchView>,
}

/// An instance box (or a Fargate environment's grid, `instance` None) and the jobs on it, STARTING first.
#[derive(Clone, Debug)]
pub(super) struct JobBox {
    pub(super) rect: Rect,
    pub(super) ce: u16,
    pub(super) instance: Option<u32>,
    /// `launching`, `active` or `reclaimed` (instances only).
    pub(super) state: &'static str,
    pub(super) cols: u32,
    pub(super) jobs: Vec<(u32, BatchJobState)>,
}

impl JobBox {
    fn cells_origin(&self) -> (f64, f64) {
        let pad = if self.instance.is_some() { BOX_PAD } else { 0.0 };
        (self.rect.x + pad, self.rect.y + pad)
    }
}

/// What is under a point of the Batch canvas.
#[derive(Clone, Debug, PartialEq)]
pub enum BatchHit {
    /// A job square: the job's number in `Simulation::batch_jobs`.
    Job(u32),
    /// An instance box off its squares: compute environment and instance id.
    Instance { ce: u16, id: u32 },
    /// A job queue's line (index in the view's queues).
    Queue(usize),
}

/// Lays out `view` with the jobs `placed` for a canvas `width` × `height` CSS px.
pub fn layout(view: &BatchView, placed: &[Placed], width: f64, height: f64) -> BatchLayout {
    // The jobs on each instance (by id), then on each environment's Fargate (after the instances): STARTING before
    // RUNNING, each in job order (the engine lists them so). No sort: a pass per state.
    let fargate_at = placed.iter().filter_map(|p| p.2).max().map_or(0, |id| id as usize + 1);
    let mut on = vec![Vec::new(); fargate_at + view.compute_environments.len()];
    for pass in [BatchJobState::Starting, BatchJobState::Running] {
        for &(job, ce, instance, state) in placed.iter().filter(|p| p.3 == pass) {
            if let Some(list) = on.get_mut(instance.map_or(fargate_at + usize::from(ce), |id| id as usize)) {
                list.push((job, state));
            }
        }
    }
    let jobs_at = |ce: u16, instance: Option<u32>| -> Vec<(u32, BatchJobState)> {
        on.get(instance.map_or(fargate_at + usize::from(ce), |id| id as usize)).cloned().unwrap_or_default()
    };
    let mut best = BatchLayout::default();
    for cell in CELLS {
        best = flow(view, &jobs_at, width, cell);
        if best.bottom <= height {
            break;
        }
    }
    best.view = Some(view.clone());
    best
}

/// Lays out with squares of `cell` px; `jobs_at(ce, instance)` lists the jobs on an instance (None: on Fargate).
fn flow(
    view: &BatchView,
    jobs_at: &dyn Fn(u16, Option<u32>) -> Vec<(u32, BatchJobState)>,
    width: f64,
    cell: f64,
) -> BatchLayout {
    let pitch = cell + if cell <= 4.0 { 1.0 } else { 2.0 };
    let mut out = BatchLayout { cell, pitch, ..BatchLayout::default() };
    let mut y = MARGIN;
    let line = |out: &mut BatchLayout, y: &mut f64, text: String, bold: bool| {
        out.texts.push((MARGIN, *y + LINE_H / 2.0, text, bold));
        *y += LINE_H;
    };
    for q in &view.queues {
        out.queue_lines.push(Rect { x: 0.0, y, w: width, h: LINE_H });
        line(
            &mut out,
            &mut y,
            format!("Job queue {} (priority {}): {} RUNNABLE", q.name, q.priority, q.runnable),
            false,
        );
    }
    let inner = (width - 2.0 * MARGIN).max(pitch);
    for (c, ce) in (0u16..).zip(&view.compute_environments) {
        y += 4.0;
        let vcpus = if ce.kind.starts_with("FARGATE") {
            format!("{:.1} of max {} vCPUs used", ce.used_vcpus, ce.max_vcpus)
        } else {
            format!(
                "{:.1} vCPUs used of {} on {} instances, max {}",
                ce.used_vcpus,
                ce.instance_vcpus,
                ce.instances.len(),
                ce.max_vcpus
            )
        };
        line(&mut out, &mut y, format!("{} · {} · {vcpus}", ce.name, ce.kind), true);
        let fargate = jobs_at(c, None);
        if !fargate.is_empty() {
            let cols = ((inner / pitch).floor() as u32).max(1);
            let rows = (fargate.len() as u32).div_ceil(cols);
            let rect = Rect { x: MARGIN, y, w: f64::from(cols) * pitch, h: f64::from(rows) * pitch };
            y += rect.h + BOX_GAP;
            out.boxes.push(JobBox { rect, ce: c, instance: None, state: "", cols, jobs: fargate });
        }
        let mut x = MARGIN;
        let mut row_h: f64 = 0.0;
        for instance in &ce.instances {
            let jobs = jobs_at(c, Some(instance.id));
            // Room for one square per vCPU (more if smaller jobs pack more), roughly square.
            let capacity = instance.vcpus.max(jobs.len() as u32).max(1);
            let cols = (f64::from(capacity).sqrt().ceil() as u32).max(2);
            let rows = capacity.div_ceil(cols);
            let (w, h) = (f64::from(cols) * pitch + 2.0 * BOX_PAD, f64::from(rows) * pitch + 2.0 * BOX_PAD);
            if x > MARGIN && x + w > width - MARGIN {
                x = MARGIN;
                y += row_h + BOX_GAP;
                row_h = 0.0;
            }
            let rect = Rect { x, y, w, h };
            out.boxes.push(JobBox { rect, ce: c, instance: Some(instance.id), state: instance.state, cols, jobs });
            x += w + BOX_GAP;
            row_h = row_h.max(h);
        }
        y += row_h + if row_h > 0.0 { BOX_GAP } else { 0.0 };
    }
    out.bottom = y;
    out
}

/// What is at (x, y) in CSS px.
pub fn hit_test(layout: &BatchLayout, x: f64, y: f64) -> Option<BatchHit> {
    if let Some(b) = layout.boxes.iter().find(|b| b.rect.contains(x, y)) {
        let (x0, y0) = b.cells_origin();
        let (col, row) = (((x - x0) / layout.pitch).floor(), ((y - y0) / layout.pitch).floor());
        if col >= 0.0 && row >= 0.0 && col < f64::from(b.cols) {
            let ordinal = row as usize * b.cols as usize + col as usize;
            if let Some(&(job, _)) = b.jobs.get(ordinal) {
                return Some(BatchHit::Job(job));
            }
        }
        return b.instance.map(|id| BatchHit::Instance { ce: b.ce, id });
    }
    layout.queue_lines.iter().position(|r| r.contains(x, y)).map(BatchHit::Queue)
}

/// Draws the layout (the context already scaled to CSS px).
pub(super) fn paint(
    ctx: &web_sys::CanvasRenderingContext2d,
    layout: &BatchLayout,
    width: f64,
    height: f64,
) -> Result<(), String> {
    ctx.set_fill_style_str("#FFFFFF");
    ctx.fill_rect(0.0, 0.0, width, height);
    ctx.set_text_baseline("middle");
    ctx.set_fill_style_str("#333333");
    for (x, y, text, bold) in &layout.texts {
        ctx.set_font(if *bold { "bold 14px sans-serif" } else { "13px sans-serif" });
        ctx.fill_text(text, *x, *y).map_err(js_error)?;
    }
    let solid = JsValue::from(js_sys::Array::new());
    for b in layout.boxes.iter().filter(|b| b.instance.is_some()) {
        let (fill, line, line_w, dashed) = match b.state {
            "launching" => ("#E3F1FA", "#0072B2", 1.0, true),
            "reclaimed" => ("#FFFFFF", "#D55E00", 3.0, false),
            _ => ("#FFFFFF", "#444444", 1.0, false),
        };
        let r = b.rect;
        ctx.set_fill_style_str(fill);
        ctx.fill_rect(r.x, r.y, r.w, r.h);
        let dash = if dashed { JsValue::from(js_sys::Array::of2(&4.0.into(), &3.0.into())) } else { solid.clone() };
        ctx.set_line_dash(&dash).map_err(js_error)?;
        ctx.set_line_width(line_w);
        ctx.set_stroke_style_str(line);
        let inset = line_w / 2.0;
        ctx.stroke_rect(r.x + inset, r.y + inset, r.w - line_w, r.h - line_w);
    }
    ctx.set_line_dash(&solid).map_err(js_error)?;
    for (state, (_, colour)) in BatchJobState::ALL.iter().zip(JOB_STATE_COLOURS) {
        ctx.begin_path();
        let mut any = false;
        for b in &layout.boxes {
            let (x0, y0) = b.cells_origin();
            for (n, _) in b.jobs.iter().enumerate().filter(|(_, (_, s))| s == state) {
                let (col, row) = ((n as u32 % b.cols) as f64, (n as u32 / b.cols) as f64);
                ctx.rect(x0 + col * layout.pitch, y0 + row * layout.pitch, layout.cell, layout.cell);
                any = true;
            }
        }
        if any {
            ctx.set_fill_style_str(colour);
            ctx.fill();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fleetplan_engine::output::{BatchInstanceView, ComputeEnvironmentView, JobQueueView};

    fn view(instances: u32) -> BatchView {
        let instance = |id| BatchInstanceView {
            id,
            instance_type: "c5.4xlarge",
            state: "active",
            vcpus: 16,
            used_vcpus: 16.0,
            jobs: 16,
        };
        BatchView {
            compute_environments: vec![
                ComputeEnvironmentView {
                    name: "spot".into(),
                    kind: "SPOT",
                    max_vcpus: 256,
                    instance_vcpus: 16 * instances,
                    used_vcpus: 16.0,
                    instances: (0..instances).map(instance).collect(),
                    fargate_jobs: 0,
                },
                ComputeEnvironmentView {
                    name: "fargate".into(),
                    kind: "FARGATE",
                    max_vcpus: 64,
                    instance_vcpus: 0,
                    used_vcpus: 3.0,
                    instances: Vec::new(),
                    fargate_jobs: 3,
                },
            ],
            jobs_by_state: vec![0; 7],
            queues: vec![JobQueueView { name: "nightly".into(), priority: 1, runnable: 9000 }],
        }
    }

    #[test]
    fn jobs_sit_on_their_instances_starting_first_and_are_hit_by_number() {
        let placed: Vec<Placed> = vec![
            (0, 0, Some(1), BatchJobState::Running),
            (1, 0, Some(1), BatchJobState::Starting),
            (2, 1, None, BatchJobState::Running),
            (3, 0, Some(0), BatchJobState::Running),
        ];
        let l = layout(&view(2), &placed, 800.0, 600.0);
        assert_eq!(l.cell, CELLS[0]);
        let on_1 = l.boxes.iter().find(|b| b.instance == Some(1)).expect("box");
        assert_eq!(on_1.jobs, vec![(1, BatchJobState::Starting), (0, BatchJobState::Running)]);
        let (x0, y0) = on_1.cells_origin();
        let middle = l.cell / 2.0;
        assert_eq!(hit_test(&l, x0 + middle, y0 + middle), Some(BatchHit::Job(1)));
        assert_eq!(hit_test(&l, x0 + l.pitch + middle, y0 + middle), Some(BatchHit::Job(0)));
        // An empty slot of the box: the instance.
        let far = (on_1.rect.x + on_1.rect.w - 4.0, on_1.rect.y + on_1.rect.h - 4.0);
        assert_eq!(hit_test(&l, far.0, far.1), Some(BatchHit::Instance { ce: 0, id: 1 }));
        let fargate = l.boxes.iter().find(|b| b.instance.is_none()).expect("grid");
        assert_eq!(hit_test(&l, fargate.rect.x + 1.0, fargate.rect.y + 1.0), Some(BatchHit::Job(2)));
        assert_eq!(hit_test(&l, 400.0, MARGIN + 2.0), Some(BatchHit::Queue(0)));
    }

    #[test]
    fn many_instances_shrink_the_squares_to_fit() {
        let placed: Vec<Placed> = (0..16 * 64).map(|j| (j, 0, Some(j / 16), BatchJobState::Running)).collect();
        let l = layout(&view(64), &placed, 600.0, 400.0);
        assert!(l.cell < CELLS[0] && l.bottom <= 400.0, "{} {}", l.cell, l.bottom);
        assert!(l.boxes.iter().all(|b| b.rect.x + b.rect.w <= 600.0));
        assert_eq!(l.boxes.iter().map(|b| b.jobs.len()).sum::<usize>(), 16 * 64);
    }
}
