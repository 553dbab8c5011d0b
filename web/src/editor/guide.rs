//! The guided part of the editor: fields that name something in the scenario (a task definition, a capacity
//! provider, a service) or an instance type are picked from lists made from the scenario itself and the engine's
//! instance type catalogue; "add service" copies the last service under a name not taken yet; one-click recipes
//! edit the scenario as a user would and say what they changed. Pure functions over the scenario JSON (unit-tested
//! below) and the recipe bar that calls them.

use serde_json::{Map, Value};
use yew::prelude::*;

use crate::i18n::{mark, tr, tr_dyn, trf};

use super::{data_path, Edit, Path, Seg};
use fleetplan_engine::instance_types;

/// The names of the items of a top-level list (`task_definitions`, `services`, `capacity_providers`).
fn names(root: &Value, list: &str) -> Vec<String> {
    root.get(list)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|i| i.get("name").and_then(Value::as_str)).map(str::to_string).collect())
        .unwrap_or_default()
}

/// The values a field may take when it names something, by its schema path (`services[].task_definition`), or
/// `None` for a field typed freely. The field's current value is kept as an option by the form even when it is
/// not in the list (so a dangling name shows, with its error).
pub fn choices(root: &Value, schema: &str) -> Option<Vec<String>> {
    let last = schema.rsplit('.').next().unwrap_or(schema);
    let list = match last {
        "task_definition" if !schema.starts_with("batch") => names(root, "task_definitions"),
        "service" if schema.starts_with("events[]") => names(root, "services"),
        "capacity_provider" if schema.ends_with("capacity_provider_strategy[].capacity_provider") => {
            // FARGATE and FARGATE_SPOT are there in every cluster; the rest are the scenario's own providers.
            let mut all = vec!["FARGATE".to_string(), "FARGATE_SPOT".to_string()];
            all.extend(names(root, "capacity_providers"));
            all.extend(names(root, "managed_instances_providers"));
            all
        }
        "provider" if schema.starts_with("events[]") => names(root, "capacity_providers"),
        "instance_type" if schema.starts_with("events[]") => instance_type_names(),
        "instance_types[]" if schema == "capacity_providers[].instance_types[]" => instance_type_names(),
        "job_queue" if schema.starts_with("batch.submissions[]") => batch_names(root, "job_queues"),
        "job_definition" if schema.starts_with("batch.submissions[]") => batch_names(root, "job_definitions"),
        "compute_environments[]" if schema == "batch.job_queues[].compute_environments[]" => {
            batch_names(root, "compute_environments")
        }
        _ => return None,
    };
    Some(list)
}

fn batch_names(root: &Value, list: &str) -> Vec<String> {
    root.get("batch").map(|batch| names(batch, list)).unwrap_or_default()
}

/// Every instance type the engine knows (`crates/engine/src/instance_types.rs`), in its table's order.
pub fn instance_type_names() -> Vec<String> {
    instance_types::all().iter().map(|t| t.name.to_string()).collect()
}

/// `base` if no item of the list is called that, else `base-2`, `base-3`, … (the first free one).
pub fn unique_name(root: &Value, list: &str, base: &str) -> String {
    let taken = names(root, list);
    if !taken.iter().any(|n| n == base) {
        return base.to_string();
    }
    (2u32..)
        .map(|i| format!("{base}-{i}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_else(|| base.to_string())
}

/// A copy of the last service under a name no service has (`web` → `web-2`), or `None` when there is none.
pub fn next_service(root: &Value) -> Option<Value> {
    let last = root.get("services")?.as_array()?.last()?.clone();
    let base = last.get("name").and_then(Value::as_str).unwrap_or("service").to_string();
    // `web-2` copied again becomes `web-3`, not `web-2-2`.
    let stem = match base.rsplit_once('-') {
        Some((stem, n)) if n.parse::<u32>().is_ok() && !stem.is_empty() => stem,
        _ => base.as_str(),
    };
    let mut copy = last.clone();
    copy["name"] = Value::String(unique_name(root, "services", stem));
    Some(copy)
}

/// A one-click change to the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipe {
    /// Every service on Fargate split half and half between FARGATE and FARGATE_SPOT.
    FiftyFiftySpot,
    /// A Spot interruption of half the Spot capacity at the playback time.
    SpotWaveNow,
    /// An EC2 Auto Scaling group capacity provider whose instances are already running with the image cached.
    WarmEc2Provider,
}

pub const RECIPES: [(Recipe, &str, &str); 3] = [
    (
        Recipe::FiftyFiftySpot,
        mark("50/50 Fargate/Spot"),
        mark("Run every Fargate service half on FARGATE and half on FARGATE_SPOT (weights 1 and 1)"),
    ),
    (
        Recipe::SpotWaveNow,
        mark("Spot wave now"),
        mark("Interrupt half of the Spot capacity at the playback time (EC2 Spot in a Spot group, else Fargate Spot)"),
    ),
    (
        Recipe::WarmEc2Provider,
        mark("Add warm EC2 provider"),
        mark("Add an EC2 capacity provider with 10 c5.2xlarge instances already running and the image cached"),
    ),
];

// The recipes' pieces as JSON text: parsed by the parser the page has anyway, smaller in the wasm than the
// code `json!` expands to.
const FIFTY_FIFTY: &str =
    r#"[{ "capacity_provider": "FARGATE", "weight": 1 }, { "capacity_provider": "FARGATE_SPOT", "weight": 1 }]"#;
const EC2_SPOT_WAVE: &str = r#"{ "type": "ec2_spot_interruption", "at_s": 0, "provider": "", "fraction": 0.5 }"#;
const FARGATE_SPOT_WAVE: &str = r#"{ "type": "fargate_spot_interruption", "at_s": 0, "fraction": 0.5 }"#;
/// As the ec2-warm-1000 preset's group: 10 instances up before the first task, the image already on them.
const WARM_EC2: &str = r#"{ "name": "", "instance_types": ["c5.2xlarge"], "min_size": 10, "max_size": 10,
    "desired_capacity": 10, "images_cached": true }"#;

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// Whether a service runs on Fargate: no launch type or strategy (the default is FARGATE), launch type FARGATE,
/// or a strategy of FARGATE / FARGATE_SPOT only.
fn on_fargate(service: &Value) -> bool {
    if let Some(strategy) = service.get("capacity_provider_strategy").and_then(Value::as_array) {
        return strategy.iter().all(|item| {
            matches!(item.get("capacity_provider").and_then(Value::as_str), Some("FARGATE" | "FARGATE_SPOT"))
        });
    }
    matches!(service.get("launch_type").and_then(Value::as_str), None | Some("FARGATE"))
}

/// Applies a recipe to a copy of the scenario; `at_s` is the playback time for timed recipes. The error says why
/// the recipe does not apply (nothing is changed then).
pub fn apply_recipe(root: &Value, recipe: Recipe, at_s: f64) -> Result<Value, String> {
    let mut next = root.clone();
    let Some(map) = next.as_object_mut() else {
        return Err(tr("The scenario must be a JSON object first."));
    };
    match recipe {
        Recipe::FiftyFiftySpot => {
            let services = map.get_mut("services").and_then(Value::as_array_mut);
            let mut changed = 0;
            for service in services.into_iter().flatten() {
                if !on_fargate(service) {
                    continue;
                }
                if let Some(s) = service.as_object_mut() {
                    s.remove("launch_type");
                    s.insert("capacity_provider_strategy".into(), parse(FIFTY_FIFTY));
                    changed += 1;
                }
            }
            if changed == 0 {
                return Err(tr(
                    "No service runs on Fargate, so there is nothing to split between FARGATE and FARGATE_SPOT.",
                ));
            }
        }
        Recipe::SpotWaveNow => {
            let spot_group = map.get("capacity_providers").and_then(Value::as_array).and_then(|providers| {
                providers
                    .iter()
                    .find(|p| p.get("purchase").and_then(Value::as_str) == Some("spot"))
                    .and_then(|p| p.get("name").and_then(Value::as_str))
                    .map(str::to_string)
            });
            let uses_fargate_spot = |list: &str| {
                map.get(list).and_then(Value::as_array).is_some_and(|items| {
                    items.iter().any(|s| {
                        s.get("capacity_provider_strategy").and_then(Value::as_array).is_some_and(|strategy| {
                            strategy
                                .iter()
                                .any(|i| i.get("capacity_provider").and_then(Value::as_str) == Some("FARGATE_SPOT"))
                        })
                    })
                })
            };
            let at_s = if at_s.is_finite() && at_s > 0.0 { (at_s * 1000.0).round() / 1000.0 } else { 0.0 };
            let mut event = match spot_group {
                Some(provider) => {
                    let mut event = parse(EC2_SPOT_WAVE);
                    event["provider"] = Value::String(provider);
                    event
                }
                None if uses_fargate_spot("services") || uses_fargate_spot("run_tasks") => parse(FARGATE_SPOT_WAVE),
                None => {
                    return Err(tr("Nothing runs on Spot: use “50/50 Fargate/Spot” or a Spot capacity provider first."))
                }
            };
            // Whole seconds (the scrubber moves by seconds) as a whole number: `42`, not `42.0`.
            event["at_s"] =
                if at_s.fract() == 0.0 && at_s < 1e15 { Value::from(at_s as u64) } else { Value::from(at_s) };
            map.entry("events").or_insert_with(|| Value::Array(Vec::new()));
            match map.get_mut("events") {
                Some(Value::Array(events)) => events.push(event),
                _ => return Err("`events` must be a list.".into()),
            }
        }
        Recipe::WarmEc2Provider => {
            let name = unique_name(root, "capacity_providers", "warm-ec2");
            // As the ec2-warm-1000 preset's group: instances up before the first task, images on them.
            let mut provider = parse(WARM_EC2);
            provider["name"] = Value::String(name);
            map.entry("capacity_providers").or_insert_with(|| Value::Array(Vec::new()));
            match map.get_mut("capacity_providers") {
                Some(Value::Array(providers)) => providers.push(provider),
                _ => return Err("`capacity_providers` must be a list.".into()),
            }
        }
    }
    Ok(next)
}

/// What changed between two versions of the scenario, one line per changed field or item, in the engine's path
/// notation: `services[0].launch_type: removed`, `capacity_providers[1]: added (warm-ec2)`.
pub fn changes(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(&mut Vec::new(), before, after, &mut out);
    out
}

fn short(value: &Value) -> String {
    match value {
        Value::Object(map) => match map.get("name").or_else(|| map.get("type")).and_then(Value::as_str) {
            Some(name) => name.to_string(),
            None => compact(value),
        },
        _ => compact(value),
    }
}

/// JSON on one line, cut at 80 characters.
fn compact(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn diff(path: &mut Path, before: &Value, after: &Value, out: &mut Vec<String>) {
    if before == after {
        return;
    }
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => diff_maps(path, a, b, out),
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                path.push(Seg::Index(i));
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => diff(path, x, y, out),
                    (Some(x), None) => out.push(format!("{}: removed ({})", data_path(path), short(x))),
                    (None, Some(y)) => out.push(format!("{}: added ({})", data_path(path), short(y))),
                    (None, None) => {}
                }
                path.pop();
            }
        }
        _ => out.push(format!("{}: {} → {}", data_path(path), compact(before), compact(after))),
    }
}

fn diff_maps(path: &mut Path, a: &Map<String, Value>, b: &Map<String, Value>, out: &mut Vec<String>) {
    for (key, x) in a {
        path.push(Seg::Key(key.clone()));
        match b.get(key) {
            Some(y) => diff(path, x, y, out),
            None => out.push(format!("{}: removed", data_path(path))),
        }
        path.pop();
    }
    for (key, y) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
        path.push(Seg::Key(key.clone()));
        match y {
            // A new list of one item reads better as the item.
            Value::Array(items) if items.len() == 1 => {
                out.push(format!("{}[0]: added ({})", data_path(path), short(&items[0])))
            }
            _ => out.push(format!("{}: added ({})", data_path(path), short(y))),
        }
        path.pop();
    }
}

/// The playback time in seconds, read from the stage's scrubber (milliseconds), or 0 when there is none.
fn playback_s() -> f64 {
    use wasm_bindgen::JsCast;
    crate::dom::element_by_id("scrubber")
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.value().parse::<f64>().ok())
        .map_or(0.0, |ms| ms / 1000.0)
}

#[derive(Properties, PartialEq)]
pub struct RecipeBarProps {
    pub draft: std::rc::Rc<Value>,
    pub on_edit: Callback<Edit>,
}

/// The recipe buttons, and what the last one changed (or why it did not apply).
#[component]
pub fn RecipeBar(props: &RecipeBarProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let outcome = use_state(|| None::<Result<(String, Vec<String>), String>>);
    let buttons = RECIPES.iter().map(|&(recipe, title, help)| {
        let draft = props.draft.clone();
        let on_edit = props.on_edit.clone();
        let outcome = outcome.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let at_s = if recipe == Recipe::SpotWaveNow { playback_s() } else { 0.0 };
            match apply_recipe(&draft, recipe, at_s) {
                Ok(next) => {
                    let changed = changes(&draft, &next);
                    on_edit.emit(Edit::Set(Vec::new(), next));
                    outcome.set(Some(Ok((tr_dyn(title), changed))));
                }
                Err(why) => outcome.set(Some(Err(why))),
            }
        });
        html! { <button type="button" class="recipe" title={tr_dyn(help)} onclick={onclick}>{ tr_dyn(title) }</button> }
    });
    html! {
        <section id="recipes" class="recipes" aria-label={tr("Recipes")}>
            <span class="recipes-title">{ tr("Recipes:") }</span>
            { for buttons }
            { match &*outcome {
                Some(Ok((title, changed))) => html! {
                    <div id="recipe-changes" class="recipe-changes" role="status">
                        <span>{ trf("{title} changed:", &[("title", title)]) }</span>
                        <ul>{ for changed.iter().map(|c| html! { <li><code>{ c.clone() }</code></li> }) }</ul>
                    </div>
                },
                Some(Err(why)) => html! { <p id="recipe-changes" class="field-error" role="status">{ why.clone() }</p> },
                None => html! {},
            } }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fleetplan_engine::{presets, Scenario};
    use serde_json::json;

    fn preset(id: &str) -> Value {
        serde_json::to_value(presets::get(id).unwrap().scenario().unwrap().spec).unwrap()
    }

    fn valid(v: &Value) {
        if let Err(e) = Scenario::from_json(&v.to_string()) {
            panic!("{e}");
        }
    }

    #[test]
    fn reference_fields_list_the_scenario_s_own_names() {
        let v = preset("ec2-warm-1000");
        assert_eq!(choices(&v, "services[].task_definition"), Some(vec!["web".to_string()]));
        assert_eq!(
            choices(&v, "services[].capacity_provider_strategy[].capacity_provider"),
            Some(vec!["FARGATE".into(), "FARGATE_SPOT".into(), "warm-asg".into()])
        );
        assert_eq!(choices(&v, "events[].provider"), Some(vec!["warm-asg".to_string()]));
        let types = choices(&v, "capacity_providers[].instance_types[]").unwrap();
        assert!(types.contains(&"c5.2xlarge".to_string()) && types.len() > 20, "{types:?}");
        assert_eq!(choices(&v, "services[].desired_count"), None);
        assert_eq!(choices(&v, "services[].name"), None);
    }

    #[test]
    fn add_service_copies_the_last_under_a_free_name() {
        let mut v = preset("fargate-ondemand-1000");
        let copy = next_service(&v).unwrap();
        assert_eq!(copy["name"], "web-2");
        assert_eq!(copy["desired_count"], v["services"][0]["desired_count"]);
        v["services"].as_array_mut().unwrap().push(copy);
        valid(&v);
        assert_eq!(next_service(&v).unwrap()["name"], "web-3");
        assert_eq!(unique_name(&v, "capacity_providers", "warm-ec2"), "warm-ec2");
        let mut empty = v.clone();
        empty["services"] = json!([]);
        assert_eq!(next_service(&empty), None);
    }

    #[test]
    fn fifty_fifty_moves_fargate_services_and_says_what_changed() {
        let v = preset("fargate-ondemand-1000");
        let next = apply_recipe(&v, Recipe::FiftyFiftySpot, 0.0).unwrap();
        valid(&next);
        // The same strategy as the fargate-5050-1000 preset's.
        let strategy = |v: &Value| Scenario::from_json(&v.to_string()).unwrap().services[0].strategy.clone();
        assert_eq!(strategy(&next), strategy(&preset("fargate-5050-1000")));
        let changed = changes(&v, &next);
        assert!(changed.iter().any(|c| c.starts_with("services[0].capacity_provider_strategy")), "{changed:?}");
        // Nothing on Fargate: refused, with the reason.
        assert!(apply_recipe(&preset("ec2-warm-1000"), Recipe::FiftyFiftySpot, 0.0).is_err());
    }

    #[test]
    fn a_spot_wave_lands_at_the_playback_time_on_the_spot_capacity() {
        let v = apply_recipe(&preset("fargate-ondemand-1000"), Recipe::FiftyFiftySpot, 0.0).unwrap();
        let next = apply_recipe(&v, Recipe::SpotWaveNow, 95.4).unwrap();
        valid(&next);
        let events = next["events"].as_array().unwrap();
        assert_eq!(
            events.last().unwrap(),
            &json!({ "type": "fargate_spot_interruption", "at_s": 95.4, "fraction": 0.5 })
        );
        assert_eq!(changes(&v, &next), vec!["events[0]: added (fargate_spot_interruption)".to_string()]);
        let ec2 = preset("ec2-spot-draining");
        let next = apply_recipe(&ec2, Recipe::SpotWaveNow, 0.0).unwrap();
        valid(&next);
        assert_eq!(next["events"].as_array().unwrap().last().unwrap()["type"], "ec2_spot_interruption");
        assert_eq!(apply_recipe(&v, Recipe::SpotWaveNow, 42.0).unwrap()["events"][0]["at_s"].to_string(), "42");
        assert!(apply_recipe(&preset("fargate-ondemand-1000"), Recipe::SpotWaveNow, 10.0).is_err());
    }

    #[test]
    fn a_warm_provider_is_added_under_a_free_name_and_is_valid() {
        let v = preset("ec2-warm-1000");
        let next = apply_recipe(&v, Recipe::WarmEc2Provider, 0.0).unwrap();
        valid(&next);
        let again = apply_recipe(&next, Recipe::WarmEc2Provider, 0.0).unwrap();
        valid(&again);
        assert_eq!(again["capacity_providers"][2]["name"], "warm-ec2-2");
        assert_eq!(changes(&next, &again), vec!["capacity_providers[2]: added (warm-ec2-2)".to_string()]);
        let fargate = preset("fargate-ondemand-1000");
        let added = apply_recipe(&fargate, Recipe::WarmEc2Provider, 0.0).unwrap();
        valid(&added);
        assert_eq!(changes(&fargate, &added), vec!["capacity_providers[0]: added (warm-ec2)".to_string()]);
    }

    #[test]
    fn changes_name_each_field() {
        let a = json!({ "services": [{ "name": "web", "launch_type": "FARGATE", "desired_count": 1 }] });
        let b = json!({ "services": [{ "name": "web", "desired_count": 2 }] });
        let mut changed = changes(&a, &b);
        changed.sort();
        assert_eq!(changed, vec!["services[0].desired_count: 1 → 2", "services[0].launch_type: removed"]);
    }
}
