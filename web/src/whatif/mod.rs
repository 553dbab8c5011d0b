//! Live what-ifs during playback (issue 13): from the stage, interrupt a Spot instance, hit a Spot pool with a
//! wave, dry up Fargate Spot, scale or redeploy a service, or have other callers in the account empty a token
//! bucket. Each becomes a timed event of the scenario at the playback time ([`event`]); the app's document adds
//! it to the draft, the stage's player is rebuilt with the edited scenario and replays to the same time (the
//! engine is deterministic, so everything before it is the same run) and goes on with it. Undo takes the last
//! one out again; the share link carries them, as they are scenario events, marked `what_if` so that the link
//! reopens with the list and Undo (in the receiver's page too).
//!
//! This component is the panel under the cluster view: what is selected on the cluster (an instance, a task's
//! service, Fargate Spot) with its what-ifs, a menu of every what-if for the keyboard, and the list applied.

mod event;

use std::rc::Rc;

use fleetplan_engine::scenario::Provider;
use fleetplan_engine::spec::Purchase;
use fleetplan_engine::Scenario;
use yew::prelude::*;

use crate::i18n::{mark, tr, tr_dyn, trf};

pub use event::{add, applied, remove, Applied, WhatIf, BUCKETS};

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
            Kind::Interrupt => mark("Interrupt a Spot instance (two-minute notice)"),
            Kind::Wave => mark("Spot wave on a pool (instance type in a zone)"),
            Kind::DryUp => mark("Dry up Fargate Spot (no capacity from now on)"),
            Kind::Scale => mark("Scale a service (desired count)"),
            Kind::Deploy => mark("Deploy a new revision of a service"),
            Kind::Bucket => mark("Empty an account token bucket (other callers)"),
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

/// When a what-if's event goes, applied at playback time `now_ms`: then, but for a wave on a group whose rebalance
/// recommendations come ahead of its notices (Capacity Rebalancing with `rebalance_recommendation_lead_s`): the
/// engine sends those the lead before the wave (`docs/model.md` §4.5), so the wave goes the lead later and its
/// recommendations arrive now, not in the part of the run already played. At most the horizon.
pub fn event_time(what_if: &WhatIf, scenario: &Scenario, now_ms: u64) -> u64 {
    let lead = match what_if {
        WhatIf::SpotWave { provider, .. } => scenario
            .providers
            .iter()
            .find(|p| &p.name == provider && p.capacity_rebalance)
            .map_or(0, |p| p.rebalance_lead_ms),
        _ => 0,
    };
    now_ms.saturating_add(lead).min(scenario.horizon.as_millis())
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

/// The menu's choices of target for a what-if: Spot instances, Spot pools, services or buckets, as (text) in the
/// order [`menu_what_if`] reads their index.
fn targets(kind: Kind, scenario: &Scenario, instances: &[(String, String)]) -> Vec<String> {
    match kind {
        Kind::Interrupt => instances.iter().map(|(_, text)| text.clone()).collect(),
        Kind::Wave => spot_pools(scenario)
            .into_iter()
            .map(|(p, t, z)| {
                trf("{provider}: {instance_type} in {zone}", &[("provider", &p), ("instance_type", &t), ("zone", &z)])
            })
            .collect(),
        Kind::Scale | Kind::Deploy => scenario.services.iter().map(|s| s.name.clone()).collect(),
        Kind::Bucket => BUCKETS.iter().map(|(_, name)| tr_dyn(name)).collect(),
        Kind::DryUp => Vec::new(),
    }
}

/// The shares of a pool a wave takes, as the menu offers them.
const FRACTIONS: [(&str, &str); 3] =
    [("0.5", mark("50% of its instances")), ("0.25", mark("25% of its instances")), ("1", mark("all its instances"))];

/// The what-if the menu makes of a target (an index into [`targets`]) and the second control's text (a wave's
/// share, a desired count); `None` when they do not make one.
fn menu_what_if(
    kind: Kind,
    scenario: &Scenario,
    instances: &[(String, String)],
    target: usize,
    extra: &str,
) -> Option<WhatIf> {
    let service = || scenario.services.get(target).map(|s| s.name.clone());
    match kind {
        Kind::Interrupt => instances.get(target).map(|(id, _)| WhatIf::InterruptInstance { instance: id.clone() }),
        Kind::Wave => {
            let fraction = extra.parse::<f64>().ok().filter(|f| *f > 0.0 && *f <= 1.0)?;
            let (provider, instance_type, zone) = spot_pools(scenario).into_iter().nth(target)?;
            Some(WhatIf::SpotWave { provider, instance_type, zone, fraction })
        }
        Kind::DryUp => Some(WhatIf::DryUpFargateSpot),
        Kind::Scale => {
            let desired = extra.trim().parse::<u32>().ok()?;
            service().map(|service| WhatIf::Scale { service, desired })
        }
        Kind::Deploy => service().map(|service| WhatIf::Deploy { service }),
        Kind::Bucket => BUCKETS.get(target).map(|(bucket, _)| WhatIf::EmptyBucket { bucket: *bucket }),
    }
}

/// The what-ifs a selection offers, as (button id, text, what-if), and a note when an instance offers none.
fn selection_actions(
    sel: &Selection,
    scenario: &Scenario,
) -> (Vec<(&'static str, String, WhatIf)>, Option<&'static str>) {
    let mut actions = Vec::new();
    let mut note = None;
    if let Some(i) = &sel.instance {
        if i.spot {
            let wave = WhatIf::SpotWave {
                provider: i.provider.clone(),
                instance_type: i.instance_type.clone(),
                zone: i.zone.clone(),
                fraction: 0.5,
            };
            actions.push((
                "whatif-interrupt-selected",
                trf("Interrupt {instance} now", &[("instance", &i.id)]),
                WhatIf::InterruptInstance { instance: i.id.clone() },
            ));
            actions.push((
                "whatif-wave-selected",
                trf(
                    "Spot wave: half of {instance_type} in {zone}",
                    &[("instance_type", &i.instance_type), ("zone", &i.zone)],
                ),
                wave,
            ));
        } else {
            note = Some(mark("An On-Demand instance: EC2 sends Spot interruption notices only to Spot Instances, so there is nothing to interrupt here."));
        }
    }
    if let Some(service) = &sel.service {
        let desired =
            scenario.services.iter().find(|s| &s.name == service).map_or(1, |s| s.desired.saturating_mul(2).max(1));
        actions.push((
            "whatif-scale-selected",
            trf("Scale {service} to {desired} tasks", &[("service", service), ("desired", &desired)]),
            WhatIf::Scale { service: service.clone(), desired },
        ));
        actions.push((
            "whatif-deploy-selected",
            trf("Deploy a new revision of {service}", &[("service", service)]),
            WhatIf::Deploy { service: service.clone() },
        ));
    }
    if sel.fargate_spot {
        actions.push(("whatif-dry-up-selected", tr("Dry up Fargate Spot"), WhatIf::DryUpFargateSpot));
    }
    (actions, note)
}

fn select_value(node: &NodeRef) -> String {
    node.cast::<web_sys::HtmlSelectElement>().map(|s| s.value()).unwrap_or_default()
}

#[component]
pub fn WhatIfPanel(props: &WhatIfProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let kinds = kinds(&props.scenario);
    let kind = use_state(|| None::<Kind>);
    let chosen = (*kind).filter(|k| kinds.contains(k)).or_else(|| kinds.first().copied());
    let (target_ref, extra_ref) = (use_node_ref(), use_node_ref());
    let instances = Rc::new(if chosen == Some(Kind::Interrupt) { props.spot_instances.emit(()) } else { Vec::new() });
    let targets = chosen.map(|k| targets(k, &props.scenario, &instances)).unwrap_or_default();

    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            let value = crate::dom::input_value(&e).unwrap_or_default();
            kind.set(Kind::ALL.into_iter().find(|k| k.id() == value));
        })
    };
    let on_apply_menu = {
        let (on_apply, scenario) = (props.on_apply.clone(), props.scenario.clone());
        let (target_ref, extra_ref, instances) = (target_ref.clone(), extra_ref.clone(), instances.clone());
        Callback::from(move |_: MouseEvent| {
            let target = select_value(&target_ref).parse::<usize>().unwrap_or(0);
            let extra = match extra_ref.cast::<web_sys::HtmlInputElement>() {
                Some(input) if chosen == Some(Kind::Scale) => input.value(),
                _ => select_value(&extra_ref),
            };
            if let Some(what_if) = chosen.and_then(|k| menu_what_if(k, &scenario, &instances, target, &extra)) {
                on_apply.emit(what_if);
            }
        })
    };
    let apply = |what_if: WhatIf| {
        let on_apply = props.on_apply.clone();
        Callback::from(move |_: MouseEvent| on_apply.emit(what_if.clone()))
    };
    let on_undo = props.on_undo.reform(|_: MouseEvent| ());
    let on_clear = props.on_clear_selection.reform(|_: MouseEvent| ());
    let at = &props.time_label;
    let disabled = !props.can_run;
    let (actions, note) = match &props.selection {
        Some(sel) => selection_actions(sel, &props.scenario),
        None => (Vec::new(), None),
    };
    let default_desired = props.scenario.services.first().map_or(1, |s| s.desired).to_string();

    html! {
        <section id="whatif" class="whatif" aria-label={tr("What if")}>
            <h2>{ tr("What if… ") }<span class="whatif-at">{ trf("at {time}", &[("time", at)]) }</span></h2>
            if let Some(sel) = &props.selection {
                <p id="whatif-selection"><strong>{ sel.title.clone() }</strong>
                    { sel.instance.as_ref().map(|i| format!(" · {} · {} in {} · {}", i.id, i.instance_type, i.zone, i.provider)).unwrap_or_default() }
                    <button class="small" onclick={on_clear} aria-label={tr("Clear the selection")}>{ "×" }</button>
                </p>
            } else {
                <p class="note">{ tr("Click an instance or a task in the cluster to act on it, or pick a what-if here. It becomes a timed event at the playback time; the run replays to it and goes on.") }</p>
            }
            if let Some(note) = note { <p class="note">{ tr_dyn(note) }</p> }
            if !actions.is_empty() {
                <div class="whatif-actions">
                    { for actions.into_iter().map(|(id, text, what_if)| html! {
                        <button id={id} {disabled} onclick={apply(what_if)}>{ text }</button>
                    }) }
                </div>
            }
            <div class="whatif-menu">
                <select id="whatif-kind" onchange={on_kind} aria-label={tr("What-if")}>
                    { for kinds.iter().map(|k| html! {
                        <option value={k.id()} selected={Some(*k) == chosen}>{ tr_dyn(k.title()) }</option>
                    }) }
                </select>
                if !targets.is_empty() {
                    <select id="whatif-target" key={chosen.map_or("", Kind::id)} ref={target_ref} aria-label={tr("Which one")}>
                        // The first selected outright: Yew inserts options last first, and a select takes the first one inserted.
                        { for targets.into_iter().enumerate().map(|(i, text)| html! { <option value={i.to_string()} selected={i == 0}>{ text }</option> }) }
                    </select>
                }
                if chosen == Some(Kind::Wave) {
                    <select id="whatif-fraction" key="fraction" ref={extra_ref} aria-label={tr("Share of the pool's instances")}>
                        { for FRACTIONS.iter().enumerate().map(|(i, (v, text))| html! { <option value={*v} selected={i == 0}>{ tr_dyn(text) }</option> }) }
                    </select>
                } else if chosen == Some(Kind::Scale) {
                    <input id="whatif-desired" key="desired" ref={extra_ref} type="number" min="0" step="1"
                        value={default_desired} aria-label={tr("Desired count")} />
                }
                <button id="whatif-apply" class="primary" {disabled} onclick={on_apply_menu}>{ trf("Apply at {time}", &[("time", at)]) }</button>
            </div>
            if !props.applied.is_empty() {
                <div class="whatif-applied">
                    <ol id="whatif-list" aria-label={tr("What-ifs applied")}>
                        { for props.applied.iter().map(|a| html! { <li>{ format!("{} · {}", crate::stage::clock(a.at_ms), a.label()) }</li> }) }
                    </ol>
                    <button id="whatif-undo" onclick={on_undo} title={tr("Take the last what-if out of the scenario")}>{ tr("Undo last what-if") }</button>
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
    fn the_menu_makes_the_what_if_of_its_target_and_second_control() {
        let spot = scenario("ec2-spot-draining");
        let instances = vec![("i-00000004".to_string(), "i-00000004 · m5.xlarge".to_string())];
        assert_eq!(
            menu_what_if(Kind::Interrupt, &spot, &instances, 0, ""),
            Some(WhatIf::InterruptInstance { instance: "i-00000004".into() })
        );
        let (provider, instance_type, zone) = spot_pools(&spot).remove(1);
        assert_eq!(
            menu_what_if(Kind::Wave, &spot, &instances, 1, "0.25"),
            Some(WhatIf::SpotWave { provider, instance_type, zone, fraction: 0.25 })
        );
        assert_eq!(menu_what_if(Kind::Wave, &spot, &instances, 1, "2"), None);
        let service = spot.services[1].name.clone();
        assert_eq!(
            menu_what_if(Kind::Scale, &spot, &instances, 1, " 40 "),
            Some(WhatIf::Scale { service: service.clone(), desired: 40 })
        );
        assert_eq!(menu_what_if(Kind::Scale, &spot, &instances, 1, "many"), None);
        assert_eq!(menu_what_if(Kind::Deploy, &spot, &instances, 1, ""), Some(WhatIf::Deploy { service }));
        assert_eq!(
            menu_what_if(Kind::Bucket, &spot, &instances, 2, ""),
            Some(WhatIf::EmptyBucket { bucket: fleetplan_engine::spec::AccountBucket::RunTaskApi })
        );
        assert_eq!(menu_what_if(Kind::Interrupt, &spot, &instances, 5, ""), None);
        assert_eq!(targets(Kind::Bucket, &spot, &instances).len(), BUCKETS.len());
    }

    /// An On-Demand instance offers no interruption (EC2 interrupts only Spot Instances), a Spot one offers its
    /// notice and a wave on its pool; a service task offers scaling and a deployment of its service.
    #[test]
    fn a_selection_offers_what_is_faithful_for_it() {
        let spot = scenario("ec2-spot-draining");
        let picked = |spot: bool| PickedInstance {
            id: "i-00000001".into(),
            provider: "p".into(),
            spot,
            instance_type: "m5.large".into(),
            zone: "us-east-1a".into(),
        };
        let on_demand = Selection { title: "Instance".into(), instance: Some(picked(false)), ..Selection::default() };
        let (actions, note) = selection_actions(&on_demand, &spot);
        assert!(actions.is_empty() && note.is_some());
        let service = spot.services[0].name.clone();
        let task = Selection {
            title: "Task 3".into(),
            service: Some(service.clone()),
            instance: Some(picked(true)),
            fargate_spot: false,
        };
        let (actions, note) = selection_actions(&task, &spot);
        let ids: Vec<&str> = actions.iter().map(|(id, _, _)| *id).collect();
        assert_eq!(
            ids,
            ["whatif-interrupt-selected", "whatif-wave-selected", "whatif-scale-selected", "whatif-deploy-selected"]
        );
        assert!(note.is_none());
        assert_eq!(actions[2].2, WhatIf::Scale { service, desired: spot.services[0].desired * 2 });
    }

    #[test]
    fn a_wave_with_early_recommendations_goes_their_lead_later() {
        let mut spot = scenario("ec2-spot-draining");
        let wave = |provider: &str| WhatIf::SpotWave {
            provider: provider.to_string(),
            instance_type: "m5.xlarge".into(),
            zone: "us-east-1a".into(),
            fraction: 0.5,
        };
        let name = spot.providers[0].name.clone();
        assert_eq!(event_time(&wave(&name), &spot, 300_000), 300_000);
        spot.providers[0].capacity_rebalance = true;
        spot.providers[0].rebalance_lead_ms = 90_000;
        assert_eq!(event_time(&wave(&name), &spot, 300_000), 390_000);
        assert_eq!(event_time(&WhatIf::DryUpFargateSpot, &spot, 300_000), 300_000);
        let horizon = spot.horizon.as_millis();
        assert_eq!(event_time(&wave(&name), &spot, horizon - 1), horizon);
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
