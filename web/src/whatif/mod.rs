//! Live what-ifs during playback (issue 13): from the stage, interrupt a Spot instance, hit a Spot pool with a
//! wave, dry up Fargate Spot, scale or redeploy a service, or have other callers in the account empty a token
//! bucket. Each becomes a timed event of the scenario at the playback time ([`event`]); the app's document adds
//! it to the draft, the stage's player is rebuilt with the edited scenario and replays to the same time (the
//! engine is deterministic, so everything before it is the same run) and goes on with it. Undo takes the last
//! one out again; the share link carries them, as they are scenario events.
//!
//! This component is the panel under the cluster view: what is selected on the cluster (an instance, a task's
//! service, Fargate Spot) with its what-ifs, a menu of every what-if for the keyboard, and the list applied.

mod event;

use std::rc::Rc;

use fleetplan_engine::scenario::Provider;
use fleetplan_engine::spec::Purchase;
use fleetplan_engine::Scenario;
use serde_json::Value;
use yew::prelude::*;

pub use event::{add, remove, WhatIf, BUCKETS};

/// A what-if applied from the stage: what the list says, when, and the event it added to the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub label: String,
    pub at_ms: u64,
    pub event: Value,
}

/// An instance picked on the cluster view.
#[derive(Clone, Debug, PartialEq)]
pub struct PickedInstance {
    pub id: String,
    pub provider: String,
    /// In an EC2 Spot group: EC2 can interrupt it.
    pub spot: bool,
    pub instance_type: String,
    pub zone: String,
}

/// What is selected on the cluster view (a click on an instance or a task), for its what-ifs.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Selection {
    /// How the panel names it: "Task 12", "Instance i-00000003".
    pub title: String,
    /// The task's service, when a service task was picked.
    pub service: Option<String>,
    /// The instance picked, or the instance the picked task is on.
    pub instance: Option<PickedInstance>,
    /// A Fargate Spot task (or the Fargate Spot pool) was picked.
    pub fargate_spot: bool,
}

/// The menu's what-ifs, in the order offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Interrupt,
    Wave,
    DryUp,
    Scale,
    Deploy,
    Bucket,
}

impl Kind {
    const ALL: [Kind; 6] = [Kind::Interrupt, Kind::Wave, Kind::DryUp, Kind::Scale, Kind::Deploy, Kind::Bucket];

    fn id(self) -> &'static str {
        match self {
            Kind::Interrupt => "interrupt",
            Kind::Wave => "wave",
            Kind::DryUp => "dry-up",
            Kind::Scale => "scale",
            Kind::Deploy => "deploy",
            Kind::Bucket => "bucket",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Interrupt => "Interrupt a Spot instance (two-minute notice)",
            Kind::Wave => "Spot wave on a pool (instance type in a zone)",
            Kind::DryUp => "Dry up Fargate Spot (no capacity from now on)",
            Kind::Scale => "Scale a service (desired count)",
            Kind::Deploy => "Deploy a new revision of a service",
            Kind::Bucket => "Empty an account token bucket (other callers)",
        }
    }
}

/// The Spot pools a wave can hit: (provider, instance type, zone) of every EC2 Spot group.
fn spot_pools(scenario: &Scenario) -> Vec<(String, String, String)> {
    scenario
        .providers
        .iter()
        .filter(|p| p.purchase == Purchase::Spot && !p.external)
        .flat_map(|p| {
            p.instance_types
                .iter()
                .flat_map(move |t| p.zones.iter().map(move |z| (p.name.clone(), t.name.to_string(), z.clone())))
        })
        .collect()
}

/// Whether anything in the scenario launches on Fargate Spot.
fn uses_fargate_spot(scenario: &Scenario) -> bool {
    let spot =
        |items: &[fleetplan_engine::scenario::StrategyItem]| items.iter().any(|i| i.provider == Provider::FargateSpot);
    scenario.services.iter().any(|s| spot(&s.strategy.items))
        || scenario.run_tasks.iter().any(|w| spot(&w.strategy.items))
}

/// Which of the menu's what-ifs apply to the scenario.
fn kinds(scenario: &Scenario) -> Vec<Kind> {
    let has_spot_groups = !spot_pools(scenario).is_empty();
    Kind::ALL
        .into_iter()
        .filter(|k| match k {
            Kind::Interrupt | Kind::Wave => has_spot_groups,
            Kind::DryUp => uses_fargate_spot(scenario),
            Kind::Scale | Kind::Deploy => !scenario.services.is_empty(),
            Kind::Bucket => true,
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct WhatIfProps {
    pub scenario: Rc<Scenario>,
    pub selection: Option<Selection>,
    pub applied: Rc<Vec<Applied>>,
    /// The playback time, as the clock shows it.
    pub time_label: String,
    pub can_run: bool,
    /// Applies a what-if at the playback time.
    pub on_apply: Callback<WhatIf>,
    pub on_undo: Callback<()>,
    pub on_clear_selection: Callback<()>,
    /// The live Spot instances not yet noticed, as (id, description), read when the menu offers them.
    pub spot_instances: Callback<(), Vec<(String, String)>>,
}

fn select_value(node: &NodeRef) -> Option<String> {
    node.cast::<web_sys::HtmlSelectElement>().map(|s| s.value())
}

#[component]
pub fn WhatIfPanel(props: &WhatIfProps) -> Html {
    let kinds = kinds(&props.scenario);
    let kind = use_state(|| None::<Kind>);
    let chosen = (*kind).filter(|k| kinds.contains(k)).or_else(|| kinds.first().copied());
    let (instance_ref, pool_ref, fraction_ref, service_ref, desired_ref, bucket_ref) =
        (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let pools = spot_pools(&props.scenario);
    let services: Vec<(String, u32)> = props.scenario.services.iter().map(|s| (s.name.clone(), s.desired)).collect();
    let instances = if chosen == Some(Kind::Interrupt) { props.spot_instances.emit(()) } else { Vec::new() };

    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            let value = crate::dom::input_value(&e).unwrap_or_default();
            kind.set(Kind::ALL.into_iter().find(|k| k.id() == value));
        })
    };
    let on_apply_menu = {
        let (on_apply, pools) = (props.on_apply.clone(), pools.clone());
        let refs = (
            instance_ref.clone(),
            pool_ref.clone(),
            fraction_ref.clone(),
            service_ref.clone(),
            desired_ref.clone(),
            bucket_ref.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (instance, pool, fraction, service, desired, bucket) = &refs;
            let what_if = match chosen {
                Some(Kind::Interrupt) => select_value(instance).map(|instance| WhatIf::InterruptInstance { instance }),
                Some(Kind::Wave) => {
                    let index = select_value(pool).and_then(|v| v.parse::<usize>().ok());
                    let fraction = select_value(fraction).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.5);
                    index.and_then(|i| pools.get(i)).map(|(provider, instance_type, zone)| WhatIf::SpotWave {
                        provider: provider.clone(),
                        instance_type: instance_type.clone(),
                        zone: zone.clone(),
                        fraction,
                    })
                }
                Some(Kind::DryUp) => Some(WhatIf::DryUpFargateSpot),
                Some(Kind::Scale) => {
                    let desired = desired
                        .cast::<web_sys::HtmlInputElement>()
                        .and_then(|input| input.value().trim().parse::<u32>().ok());
                    select_value(service).zip(desired).map(|(service, desired)| WhatIf::Scale { service, desired })
                }
                Some(Kind::Deploy) => select_value(service).map(|service| WhatIf::Deploy { service }),
                Some(Kind::Bucket) => select_value(bucket).map(|bucket| WhatIf::EmptyBucket { bucket }),
                None => None,
            };
            if let Some(what_if) = what_if {
                on_apply.emit(what_if);
            }
        })
    };
    let apply = |what_if: WhatIf| {
        let on_apply = props.on_apply.clone();
        Callback::from(move |_: MouseEvent| on_apply.emit(what_if.clone()))
    };
    let on_undo = {
        let on_undo = props.on_undo.clone();
        Callback::from(move |_: MouseEvent| on_undo.emit(()))
    };
    let on_clear = {
        let on_clear = props.on_clear_selection.clone();
        Callback::from(move |_: MouseEvent| on_clear.emit(()))
    };
    let at = &props.time_label;
    let disabled = !props.can_run;

    html! {
        <section id="whatif" class="whatif" aria-label="What if">
            <h2>{ "What if… " }<span class="whatif-at">{ format!("at {at}") }</span></h2>
            if let Some(sel) = &props.selection {
                <div id="whatif-selection" class="whatif-selection">
                    <p><strong>{ sel.title.clone() }</strong>
                        if let Some(i) = &sel.instance {
                            { format!(" · {} · {} in {} · {}", i.id, i.instance_type, i.zone, i.provider) }
                        }
                        <button class="small" onclick={on_clear} aria-label="Clear the selection">{ "×" }</button>
                    </p>
                    <div class="whatif-actions">
                        if let Some(i) = &sel.instance {
                            if i.spot {
                                <button id="whatif-interrupt-selected" {disabled}
                                    onclick={apply(WhatIf::InterruptInstance { instance: i.id.clone() })}>
                                    { format!("Interrupt {} now", i.id) }</button>
                                <button id="whatif-wave-selected" {disabled}
                                    onclick={apply(WhatIf::SpotWave { provider: i.provider.clone(), instance_type: i.instance_type.clone(), zone: i.zone.clone(), fraction: 0.5 })}>
                                    { format!("Spot wave: half of {} in {}", i.instance_type, i.zone) }</button>
                            } else {
                                <p class="note">{ "An On-Demand instance: EC2 sends Spot interruption notices only to Spot Instances, so there is nothing to interrupt here." }</p>
                            }
                        }
                        if let Some(service) = &sel.service {
                            <button id="whatif-scale-selected" {disabled}
                                onclick={apply(WhatIf::Scale { service: service.clone(), desired: services.iter().find(|(n, _)| n == service).map_or(1, |(_, d)| d.saturating_mul(2).max(1)) })}>
                                { format!("Scale {service} to twice its desired count") }</button>
                            <button id="whatif-deploy-selected" {disabled}
                                onclick={apply(WhatIf::Deploy { service: service.clone() })}>
                                { format!("Deploy a new revision of {service}") }</button>
                        }
                        if sel.fargate_spot {
                            <button id="whatif-dry-up-selected" {disabled} onclick={apply(WhatIf::DryUpFargateSpot)}>
                                { "Dry up Fargate Spot" }</button>
                        }
                    </div>
                </div>
            } else {
                <p class="note">{ "Click an instance or a task in the cluster to act on it, or pick a what-if here. It becomes a timed event at the playback time; the run replays to it and goes on." }</p>
            }
            <div class="whatif-menu">
                <label for="whatif-kind" class="visually-hidden">{ "What-if" }</label>
                <select id="whatif-kind" onchange={on_kind}>
                    { for kinds.iter().map(|k| html! {
                        <option value={k.id()} selected={Some(*k) == chosen}>{ k.title() }</option>
                    }) }
                </select>
                { match chosen {
                    Some(Kind::Interrupt) => html! {
                        <select id="whatif-instance" ref={instance_ref} aria-label="Spot instance">
                            { for instances.iter().map(|(id, text)| html! { <option value={id.clone()}>{ text.clone() }</option> }) }
                        </select>
                    },
                    Some(Kind::Wave) => html! {
                        <>
                        <select id="whatif-pool" ref={pool_ref} aria-label="Spot pool">
                            { for pools.iter().enumerate().map(|(i, (p, t, z))| html! {
                                <option value={i.to_string()}>{ format!("{p}: {t} in {z}") }</option>
                            }) }
                        </select>
                        <select id="whatif-fraction" ref={fraction_ref} aria-label="Share of the pool's instances">
                            <option value="0.25">{ "25% of its instances" }</option>
                            <option value="0.5" selected=true>{ "50% of its instances" }</option>
                            <option value="1">{ "all its instances" }</option>
                        </select>
                        </>
                    },
                    Some(Kind::Scale) | Some(Kind::Deploy) => html! {
                        <>
                        <select id="whatif-service" ref={service_ref} aria-label="Service">
                            { for services.iter().map(|(name, _)| html! { <option value={name.clone()}>{ name.clone() }</option> }) }
                        </select>
                        if chosen == Some(Kind::Scale) {
                            <input id="whatif-desired" ref={desired_ref} type="number" min="0" step="1"
                                value={services.first().map_or(1, |(_, d)| *d).to_string()} aria-label="Desired count" />
                        }
                        </>
                    },
                    Some(Kind::Bucket) => html! {
                        <select id="whatif-bucket" ref={bucket_ref} aria-label="Token bucket">
                            { for BUCKETS.iter().map(|(id, name)| html! { <option value={*id}>{ *name }</option> }) }
                        </select>
                    },
                    _ => html! {},
                } }
                <button id="whatif-apply" class="primary" {disabled} onclick={on_apply_menu}>{ format!("Apply at {at}") }</button>
            </div>
            if !props.applied.is_empty() {
                <div class="whatif-applied">
                    <ol id="whatif-list" aria-label="What-ifs applied">
                        { for props.applied.iter().map(|a| html! {
                            <li>{ format!("{} · {}", crate::stage::clock(a.at_ms), a.label) }</li>
                        }) }
                    </ol>
                    <button id="whatif-undo" onclick={on_undo} title="Take the last what-if out of the scenario">{ "Undo last what-if" }</button>
                </div>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fleetplan_engine::presets;

    fn scenario(id: &str) -> Scenario {
        presets::get(id).unwrap().scenario().unwrap()
    }

    #[test]
    fn the_menu_offers_what_applies_to_the_scenario() {
        let fargate = kinds(&scenario("fargate-ondemand-1000"));
        assert_eq!(fargate, [Kind::Scale, Kind::Deploy, Kind::Bucket]);
        assert!(kinds(&scenario("fargate-spot-1000")).contains(&Kind::DryUp));
        let spot = scenario("ec2-spot-draining");
        assert!(kinds(&spot).starts_with(&[Kind::Interrupt, Kind::Wave]));
        let pools = spot_pools(&spot);
        let expected: usize = spot
            .providers
            .iter()
            .filter(|p| p.purchase == Purchase::Spot)
            .map(|p| p.instance_types.len() * p.zones.len())
            .sum();
        assert_eq!(pools.len(), expected);
        assert!(pools.len() >= 2, "{pools:?}");
    }
}
