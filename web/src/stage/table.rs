//! The cluster as counts: the live status line's numbers and the table that is the canvas' text alternative (a
//! row per Fargate pool, per provider's waiting tasks and per provider × zone).

use std::rc::Rc;

use crate::i18n::{tr, trf};
use fleetplan_engine::output::BatchJobState;
use fleetplan_engine::task::TaskState;
use fleetplan_engine::{Simulation, View};
use yew::prelude::*;

/// One row of the table: a pool, or a provider's zone.
#[derive(Clone, PartialEq)]
pub struct GroupRow {
    label: String,
    instances: Option<usize>,
    /// Tasks by state, PROVISIONING..DEPROVISIONING.
    by_state: [u32; 7],
    /// A service's row instead: what holds it at the playback instant (`Simulation::explain_service`).
    why: Option<String>,
}

/// The most services the table explains (each explanation reads the service's tasks).
const MAX_SERVICE_ROWS: usize = 20;

/// A row per service (the first [`MAX_SERVICE_ROWS`]) saying what holds it at the playback instant, in the words
/// of `fleetplan explain --service`.
pub fn service_rows(sim: &Simulation) -> Vec<GroupRow> {
    sim.scenario()
        .services
        .iter()
        .take(MAX_SERVICE_ROWS)
        .filter_map(|s| {
            let why = sim.explain_service(&s.name).ok()?;
            Some(GroupRow {
                label: trf("service {name}", &[("name", &s.name)]),
                instances: None,
                by_state: [0; 7],
                why: Some(crate::i18n::explanation(&why)),
            })
        })
        .collect()
}

/// The numbers of the live status line.
#[derive(Clone, Copy, PartialEq, Default)]
pub struct LiveCounts {
    pub running: u32,
    pub desired: u32,
    pub instances: usize,
    pub waiting: u32,
    /// AWS Batch jobs RUNNING and RUNNABLE, when the scenario has Batch.
    pub batch: Option<(u32, u32)>,
}

pub fn live_counts(view: &View) -> LiveCounts {
    LiveCounts {
        running: view.pools.iter().map(|p| p.by_state[TaskState::Running.index()]).sum(),
        desired: view.services.iter().map(|s| s.desired).sum(),
        instances: view.instances.len(),
        waiting: view.providers.iter().map(|p| p.waiting).sum::<u32>() + view.spot_capacity_waiting,
        batch: view.batch.as_ref().map(|b| {
            let count = |s: BatchJobState| b.jobs_by_state.get(s.index()).copied().unwrap_or(0);
            (count(BatchJobState::Running), count(BatchJobState::Runnable))
        }),
    }
}

/// The cluster view's content as rows: Fargate pools, then each provider's waiting tasks and zones.
pub fn group_rows(view: &View) -> Vec<GroupRow> {
    let mut rows = Vec::new();
    for pool in view.pools.iter().take(2) {
        let mut by_state = [0; 7];
        by_state.copy_from_slice(&pool.by_state[..7]);
        if by_state.iter().any(|&n| n > 0) {
            rows.push(GroupRow { label: pool.capacity.name().to_string(), instances: None, by_state, why: None });
        }
    }
    // Zone rows of every provider, then one pass over the instances adds each to its row.
    let mut zone_row = Vec::with_capacity(view.providers.len());
    for provider in &view.providers {
        if provider.waiting > 0 {
            let mut by_state = [0; 7];
            by_state[0] = provider.waiting;
            let label = trf("{provider}: waiting for an instance", &[("provider", &provider.name)]);
            rows.push(GroupRow { label, instances: None, by_state, why: None });
        }
        zone_row.push(rows.len());
        for zone in &provider.zones {
            rows.push(GroupRow {
                label: format!("{} · {zone}", provider.name),
                instances: Some(0),
                by_state: [0; 7],
                why: None,
            });
        }
    }
    for instance in &view.instances {
        let at =
            zone_row.get(usize::from(instance.provider_index)).map(|first| first + usize::from(instance.zone_index));
        if let Some(row) = at.and_then(|at| rows.get_mut(at)) {
            row.instances = row.instances.map(|n| n + 1);
            for (total, n) in row.by_state.iter_mut().zip(instance.by_state) {
                *total += n;
            }
        }
    }
    rows
}

#[derive(Properties, PartialEq)]
pub struct ClusterTableProps {
    pub groups: Rc<Vec<GroupRow>>,
}

/// The cluster as a table, folded away under a `<details>`.
#[component]
pub fn ClusterTable(props: &ClusterTableProps) -> Html {
    // Re-rendered in the language chosen.
    let _lang = crate::i18n::use_lang();
    html! {
        <details id="cluster-table" class="cluster-table">
            <summary>{ tr("The cluster as a table") }</summary>
            <table>
                <thead><tr>
                    <th scope="col">{ tr("Where") }</th><th scope="col">{ tr("Instances") }</th>
                    { for crate::palette::STATE_COLOURS.iter().map(|(name, _)| html! { <th scope="col">{ *name }</th> }) }
                </tr></thead>
                <tbody>
                    { for props.groups.iter().filter(|g| g.why.is_none()).map(|g| html! {
                        <tr>
                            <th scope="row">{ g.label.clone() }</th>
                            <td>{ g.instances.map_or_else(|| "–".to_string(), |n| n.to_string()) }</td>
                            { for g.by_state.iter().map(|n| html! { <td>{ *n }</td> }) }
                        </tr>
                    }) }
                </tbody>
                <tbody class="why">
                    { for props.groups.iter().filter_map(|g| g.why.as_ref().map(|why| (g, why))).map(|(g, why)| html! {
                        <tr>
                            <th scope="row">{ g.label.clone() }</th>
                            <td colspan={(crate::palette::STATE_COLOURS.len() + 1).to_string()}>{ why.clone() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </details>
    }
}
