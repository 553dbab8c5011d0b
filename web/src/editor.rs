//! The scenario editor: every field of the scenario file as a form, generated from the scenario's JSON itself (so
//! it covers everything the engine reads), with what can be added taken from `editor_catalogue.json`. Each edit is
//! validated by the engine at once and its own error message is shown beside the field it names.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::OnceLock;

use fleetplan_engine::scenario::FieldError;
use serde::Deserialize;
use serde_json::{Map, Value};
use yew::prelude::*;

use crate::dom;
use crate::i18n::{tr, trf};

pub mod guide;
pub mod import;
pub mod plain;

/// One step of a path into the scenario JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

pub type Path = Vec<Seg>;

/// A change to the scenario, made by the editor and applied by the app's reducer.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Replace the value at a path.
    Set(Path, Value),
    /// Text typed into a field: stored as a number where it reads as one (see [`typed_value`]); the app keeps
    /// the text as typed so `0.` stays `0.` while the user goes on to `0.25`.
    Type(Path, String),
    /// Remove an object key or an array item.
    Remove(Path),
    /// Add a key to the object at a path.
    AddKey(Path, String, Value),
    /// Append an item to the array at a path.
    Push(Path, Value),
}

/// The path as the engine writes it in errors: `services[0].desired_count`.
pub fn data_path(path: &[Seg]) -> String {
    write_path(path, true)
}

/// The path with indices left out (`services[].desired_count`): how the catalogue names fields.
pub fn schema_path(path: &[Seg]) -> String {
    write_path(path, false)
}

fn write_path(path: &[Seg], with_indices: bool) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Seg::Index(i) if with_indices => out.push_str(&format!("[{i}]")),
            Seg::Index(_) => out.push_str("[]"),
        }
    }
    out
}

fn get_mut<'a>(root: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |value, seg| match seg {
        Seg::Key(key) => value.as_object_mut()?.get_mut(key),
        Seg::Index(i) => value.as_array_mut()?.get_mut(*i),
    })
}

/// Applies an edit to the scenario JSON. Returns false (and changes nothing) if the path does not exist.
pub fn apply(root: &mut Value, edit: Edit) -> bool {
    match edit {
        Edit::Type(path, text) => {
            let value = typed_value(&path, &text);
            apply(root, Edit::Set(path, value))
        }
        Edit::Set(path, new) => match get_mut(root, &path) {
            Some(slot) => {
                *slot = new;
                true
            }
            None => false,
        },
        Edit::Remove(path) => {
            let Some((last, parent)) = path.split_last() else { return false };
            match (get_mut(root, parent), last) {
                (Some(Value::Object(map)), Seg::Key(key)) => map.remove(key).is_some(),
                (Some(Value::Array(items)), Seg::Index(i)) if *i < items.len() => {
                    items.remove(*i);
                    true
                }
                _ => false,
            }
        }
        Edit::AddKey(path, key, value) => match get_mut(root, &path) {
            Some(Value::Object(map)) if !map.contains_key(&key) => {
                map.insert(key, value);
                true
            }
            _ => false,
        },
        Edit::Push(path, item) => match get_mut(root, &path) {
            Some(Value::Array(items)) => {
                items.push(item);
                true
            }
            _ => false,
        },
    }
}

/// What can be added where, and which fields take one of a list of values (see `editor_catalogue.json`).
#[derive(Deserialize)]
pub struct Catalogue {
    /// Optional fields by the schema path of their object.
    pub add: BTreeMap<String, Map<String, Value>>,
    /// Item templates by the schema path of their array.
    pub items: BTreeMap<String, Vec<Value>>,
    /// Allowed values by the schema path of the field.
    pub choices: BTreeMap<String, Vec<String>>,
}

pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        // Checked by a unit test, so a broken catalogue fails the build's tests, not the page.
        serde_json::from_str(include_str!("editor_catalogue.json")).unwrap_or(Catalogue {
            add: BTreeMap::new(),
            items: BTreeMap::new(),
            choices: BTreeMap::new(),
        })
    })
}

/// Fields whose values are text even when they look like numbers; every other text input that reads as a number
/// is stored as one (so typing `12` into `desired_count` gives the number 12, and `abc` gives the engine's
/// "invalid type" message).
const TEXT_KEYS: [&str; 22] = [
    "name",
    "text",
    "description",
    "task_definition",
    "service",
    "capacity_provider",
    "provider",
    "expression",
    "field",
    "zone",
    "instance_type",
    "location",
    "profile",
    "availability",
    "network_mode",
    "architecture",
    "launch_type",
    "on_throttle",
    "purchase",
    "allocation_strategy",
    "interruption_frequency",
    "type",
];

/// Fields shown first, in this order (what a thing is called and how big it is before its details); the rest
/// follow alphabetically. Without it the form would follow the JSON map's alphabetical order.
const KEY_ORDER: [&str; 22] = [
    "name",
    "type",
    "at_s",
    "description",
    "horizon_s",
    "task_definitions",
    "services",
    "capacity_providers",
    "external_instances",
    "run_tasks",
    "events",
    "task_definition",
    "service",
    "desired_count",
    "count",
    "cpu",
    "memory",
    "instance_types",
    "limits",
    "fargate_spot",
    "latencies",
    "prices",
];

/// Turns what was typed into a field into a JSON value.
pub fn typed_value(path: &[Seg], text: &str) -> Value {
    let is_text = match path.last() {
        Some(Seg::Key(key)) => TEXT_KEYS.contains(&key.as_str()),
        // Items of string lists (instance_types, availability_zones).
        Some(Seg::Index(_)) => true,
        None => true,
    };
    if !is_text {
        let trimmed = text.trim();
        if let Ok(n) = trimmed.parse::<u64>() {
            return Value::from(n);
        }
        if let Ok(n) = trimmed.parse::<i64>() {
            return Value::from(n);
        }
        if let Some(n) = trimmed.parse::<f64>().ok().filter(|n| n.is_finite()).and_then(serde_json::Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

/// The `text` of a pasted CSV part of a profile (`services[].demand.profile[].text`, a queue's arrivals, a custom
/// metric's profile): shown as a text area.
fn is_csv_text(path: &[Seg]) -> bool {
    matches!(path.last(), Some(Seg::Key(k)) if k == "text")
        && matches!(path.iter().rev().nth(2), Some(Seg::Key(k)) if k == "profile" || k == "arrivals")
}

/// A label for a field key: `desired_count` → `desired count`.
fn label(key: &str) -> String {
    key.replace('_', " ")
}

/// A short title for an array item: its name, its type, or its position.
fn item_title(value: &Value, index: usize) -> String {
    let field = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    match (field("name"), field("type"), value.as_str()) {
        (Some(name), _, _) => name,
        (None, Some(kind), _) => match value.get("at_s").and_then(Value::as_f64) {
            Some(at) => format!("{} at {at} s", label(&kind)),
            None => label(&kind),
        },
        (None, None, Some(text)) => text.to_string(),
        _ => format!("item {}", index + 1),
    }
}

/// Errors by field path, for showing each beside its field. (Every error is also in the list above the form, so
/// one naming a field the form does not show, such as a missing one, is still seen.)
pub struct Problems {
    by_field: BTreeMap<String, Vec<String>>,
}

impl Problems {
    pub fn new(errors: &[FieldError]) -> Problems {
        let mut by_field: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in errors {
            by_field.entry(e.field.clone()).or_default().push(e.message.clone());
        }
        Problems { by_field }
    }

    fn at(&self, path: &str) -> Option<&Vec<String>> {
        self.by_field.get(path)
    }
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub draft: Rc<Value>,
    /// Text as typed, by data path, for fields whose typed text reads as their current value.
    pub typed: Rc<BTreeMap<String, String>>,
    pub errors: Rc<Vec<FieldError>>,
    pub on_edit: Callback<Edit>,
}

/// The form over the whole scenario.
#[component]
pub fn ScenarioForm(props: &EditorProps) -> Html {
    // Re-rendered in the language chosen.
    let _lang = crate::i18n::use_lang();
    let problems = Problems::new(&props.errors);
    let ctx = Ctx {
        problems: &problems,
        on_edit: &props.on_edit,
        catalogue: catalogue(),
        typed: &props.typed,
        root: &props.draft,
    };
    match props.draft.as_ref() {
        Value::Object(_) => html! {
            <>
            <guide::RecipeBar draft={props.draft.clone()} on_edit={props.on_edit.clone()} />
            <div class="form">{ ctx.children(&[], &props.draft) }</div>
            </>
        },
        _ => {
            html! { <p class="field-error">{ tr("The scenario must be a JSON object; use the JSON tab to fix it.") }</p> }
        }
    }
}

struct Ctx<'a> {
    problems: &'a Problems,
    typed: &'a BTreeMap<String, String>,
    on_edit: &'a Callback<Edit>,
    catalogue: &'a Catalogue,
    /// The whole scenario, for the lists of names a reference field picks from (see [`guide::choices`]).
    root: &'a Value,
}

impl Ctx<'_> {
    fn errors_html(&self, path: &[Seg], id: &str) -> Html {
        match self.problems.at(&data_path(path)) {
            // Not role=alert: opening the editor on a scenario with many problems would announce every one; the
            // status line above the form says how many there are, and each input points here (aria-describedby).
            Some(messages) => html! {
                <span class="field-error" id={id.to_string()}>{ messages.join(" ") }</span>
            },
            None => html! {},
        }
    }

    /// The fields of an object or the items of an array, then what can be added to it.
    fn children(&self, path: &[Seg], value: &Value) -> Html {
        match value {
            Value::Object(map) => {
                let optional = self.catalogue.add.get(&schema_path(path));
                let mut keys: Vec<(&String, &Value)> = map.iter().collect();
                fleetplan_engine::sort::sort_by_key(&mut keys, |(key, _)| {
                    (KEY_ORDER.iter().position(|k| k == key).unwrap_or(KEY_ORDER.len()), *key)
                });
                let fields = keys.into_iter().map(|(key, child)| {
                    let mut child_path = path.to_vec();
                    child_path.push(Seg::Key(key.clone()));
                    // Optional settings can go; so can any field of a tagged item (an event, a strategy) but its
                    // `type`, since changing the type leaves fields the new type does not take.
                    let tagged = map.contains_key("type") && key != "type";
                    let removable = tagged || optional.is_some_and(|o| o.contains_key(key));
                    self.node(child_path, label(key), child, removable)
                });
                let addable: Vec<(String, Value)> = optional
                    .map(|o| {
                        o.iter().filter(|(k, _)| !map.contains_key(*k)).map(|(k, v)| (k.clone(), v.clone())).collect()
                    })
                    .unwrap_or_default();
                html! {
                    <>
                    { for fields }
                    { self.add_key_menu(path, addable) }
                    </>
                }
            }
            Value::Array(items) => {
                let rows = items.iter().enumerate().map(|(i, child)| {
                    let mut child_path = path.to_vec();
                    child_path.push(Seg::Index(i));
                    self.node(child_path, item_title(child, i), child, true)
                });
                html! {
                    <>
                    { for rows }
                    { self.add_item_menu(path, items) }
                    </>
                }
            }
            _ => html! {},
        }
    }

    fn node(&self, path: Path, title: String, value: &Value, removable: bool) -> Html {
        let data = data_path(&path);
        let remove = removable.then(|| {
            let on_edit = self.on_edit.clone();
            let target = path.clone();
            let onclick = Callback::from(move |_: MouseEvent| on_edit.emit(Edit::Remove(target.clone())));
            html! {
                <button type="button" class="remove" onclick={onclick} aria-label={trf("Remove {data}", &[("data", &data)])}
                    title={trf("Remove {data}", &[("data", &data)])}>{ "×" }</button>
            }
        });
        match value {
            Value::Object(_) | Value::Array(_) => {
                // Top-level sections and small groups start open; long lists start closed.
                let open = path.len() <= 1
                    || matches!(value, Value::Object(m) if m.len() <= 6)
                    || matches!(value, Value::Array(a) if a.len() <= 4);
                let error_id = format!("err-{data}");
                html! {
                    <details class="group" open={open} data-path={data.clone()}>
                        <summary>
                            <span class="group-title">{ title }</span>
                            { for remove }
                            { self.errors_html(&path, &error_id) }
                        </summary>
                        <div class="group-body">{ self.children(&path, value) }</div>
                    </details>
                }
            }
            _ => self.scalar(path, title, value, remove),
        }
    }

    fn scalar(&self, path: Path, title: String, value: &Value, remove: Option<Html>) -> Html {
        let data = data_path(&path);
        let input_id = format!("f-{data}");
        let error_id = format!("err-{data}");
        let has_error = self.problems.at(&data).is_some();
        let described = has_error.then(|| AttrValue::from(error_id.clone()));
        let on_edit = self.on_edit.clone();
        let input = match value {
            Value::Bool(checked) => {
                let target = path.clone();
                let onchange = Callback::from(move |e: Event| {
                    if let Some(checked) = dom::checkbox_checked(&e) {
                        on_edit.emit(Edit::Set(target.clone(), Value::Bool(checked)));
                    }
                });
                html! {
                    <input id={input_id.clone()} type="checkbox" checked={*checked} data-path={data.clone()}
                        aria-invalid={has_error.to_string()} aria-describedby={described} onchange={onchange} />
                }
            }
            _ => {
                let canonical = match value {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                // What the user typed, while it still means the stored value (`0.` for 0, `1.50` for 1.5).
                let text = match self.typed.get(&data) {
                    Some(typed) if typed_value(&path, typed) == *value => typed.clone(),
                    _ => canonical,
                };
                let schema = schema_path(&path);
                let named = guide::choices(self.root, &schema);
                match named.as_ref().or_else(|| self.catalogue.choices.get(&schema)) {
                    // A pasted demand or arrival profile (`time_s,rps` lines): a text area, one point a line; the
                    // engine names each line it cannot read beside it.
                    None if is_csv_text(&path) => {
                        let target = path.clone();
                        let oninput = Callback::from(move |e: InputEvent| {
                            if let Some(v) = dom::textarea_value(&e) {
                                on_edit.emit(Edit::Type(target.clone(), v));
                            }
                        });
                        html! {
                            <textarea id={input_id.clone()} class="csv" rows="6" value={text} data-path={data.clone()}
                                spellcheck="false" placeholder="time_s,rps"
                                aria-invalid={has_error.to_string()} aria-describedby={described} oninput={oninput} />
                        }
                    }
                    Some(choices) => {
                        let target = path.clone();
                        let onchange = Callback::from(move |e: Event| {
                            if let Some(v) = dom::input_value(&e) {
                                on_edit.emit(Edit::Set(target.clone(), Value::String(v)));
                            }
                        });
                        let known = choices.contains(&text);
                        html! {
                            <select id={input_id.clone()} data-path={data.clone()} onchange={onchange}
                                aria-invalid={has_error.to_string()} aria-describedby={described}>
                                if !known {
                                    <option value={text.clone()} selected=true>{ text.clone() }</option>
                                }
                                { for choices.iter().map(|c| html! {
                                    <option value={c.clone()} selected={*c == text}>{ c.clone() }</option>
                                }) }
                            </select>
                        }
                    }
                    None => {
                        let target = path.clone();
                        let oninput = Callback::from(move |e: InputEvent| {
                            if let Some(v) = dom::input_value(&e) {
                                on_edit.emit(Edit::Type(target.clone(), v));
                            }
                        });
                        let numeric = matches!(value, Value::Number(_));
                        html! {
                            <input id={input_id.clone()} type="text" value={text} data-path={data.clone()}
                                inputmode={numeric.then_some("decimal")} spellcheck="false"
                                aria-invalid={has_error.to_string()} aria-describedby={described} oninput={oninput} />
                        }
                    }
                }
            }
        };
        html! {
            <div class={classes!("field", has_error.then_some("invalid"))}>
                <label for={input_id}>{ title }</label>
                { input }
                { for remove }
                { self.errors_html(&path, &error_id) }
            </div>
        }
    }

    /// A select of the optional fields the object does not have yet.
    fn add_key_menu(&self, path: &[Seg], addable: Vec<(String, Value)>) -> Html {
        if addable.is_empty() {
            return html! {};
        }
        let on_edit = self.on_edit.clone();
        let target = path.to_vec();
        let templates = addable.clone();
        let onchange = Callback::from(move |e: Event| {
            let Some(key) = dom::input_value(&e) else { return };
            if let Some((_, template)) = templates.iter().find(|(k, _)| *k == key) {
                on_edit.emit(Edit::AddKey(target.clone(), key, template.clone()));
            }
            dom::reset_select(&e);
        });
        let where_ = if path.is_empty() { tr("the scenario") } else { data_path(path) };
        html! {
            <div class="add">
                <select onchange={onchange} aria-label={trf("Add a setting to {where_}", &[("where_", &where_)])}>
                    <option value="" selected=true>{ tr("+ add a setting…") }</option>
                    { for addable.iter().map(|(key, _)| html! { <option value={key.clone()}>{ label(key) }</option> }) }
                </select>
            </div>
        }
    }

    /// A button (one template) or a select (several) that appends an item to the array.
    fn add_item_menu(&self, path: &[Seg], items: &[Value]) -> Html {
        let mut templates = self.catalogue.items.get(&schema_path(path)).cloned().unwrap_or_default();
        // "Add service" copies the last service under a free name (`web` → `web-2`): its task definition and
        // capacity are what the next one most likely shares.
        if path == [Seg::Key("services".into())] {
            if let Some(copy) = guide::next_service(self.root) {
                templates = vec![copy];
            }
        }
        if templates.is_empty() {
            // Nothing in the catalogue: a copy of the last item is the best guess.
            templates.extend(items.last().cloned());
        }
        if templates.is_empty() {
            return html! {};
        }
        let where_ = data_path(path);
        let on_edit = self.on_edit.clone();
        let target = path.to_vec();
        if templates.len() == 1 {
            let template = templates[0].clone();
            let text = match (&template, where_.as_str()) {
                (Value::Object(service), "services") => match service.get("name").and_then(Value::as_str) {
                    Some(name) => trf("+ add service (a copy of the last, as {name})", &[("name", &name)]),
                    None => tr("+ add service"),
                },
                _ => trf("+ add to {what}", &[("what", &label(&where_))]),
            };
            let onclick =
                Callback::from(move |_: MouseEvent| on_edit.emit(Edit::Push(target.clone(), template.clone())));
            return html! {
                <div class="add">
                    <button type="button" onclick={onclick} data-add={where_.clone()}>{ text }</button>
                </div>
            };
        }
        let choices = templates.clone();
        let onchange = Callback::from(move |e: Event| {
            let Some(index) = dom::input_value(&e).and_then(|v| v.parse::<usize>().ok()) else { return };
            if let Some(template) = choices.get(index) {
                on_edit.emit(Edit::Push(target.clone(), template.clone()));
            }
            dom::reset_select(&e);
        });
        html! {
            <div class="add">
                <select onchange={onchange} data-add={where_.clone()} aria-label={trf("Add to {where_}", &[("where_", &where_)])}>
                    <option value="" selected=true>{ trf("+ add to {what}…", &[("what", &label(&where_))]) }</option>
                    { for templates.iter().enumerate().map(|(i, t)| html! {
                        <option value={i.to_string()}>{ item_title(t, i) }</option>
                    }) }
                </select>
            </div>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fleetplan_engine::{presets, Scenario};

    fn key(k: &str) -> Seg {
        Seg::Key(k.to_string())
    }

    #[test]
    fn pasted_csv_profiles_are_text_areas_and_stay_text() {
        let path = vec![key("services"), Seg::Index(0), key("demand"), key("profile"), Seg::Index(1), key("text")];
        assert!(is_csv_text(&path));
        assert!(!is_csv_text(&[key("services"), Seg::Index(0), key("name")]));
        // A single line that reads as a number is still the CSV text.
        assert_eq!(typed_value(&path, "100"), Value::String("100".into()));
        assert_eq!(typed_value(&path, "0,100\n60,200"), Value::String("0,100\n60,200".into()));
    }

    #[test]
    fn paths_are_written_like_the_engine_writes_them() {
        let path = vec![key("services"), Seg::Index(2), key("deployment"), key("maximum_percent")];
        assert_eq!(data_path(&path), "services[2].deployment.maximum_percent");
        assert_eq!(schema_path(&path), "services[].deployment.maximum_percent");
    }

    #[test]
    fn typed_numbers_become_numbers_and_names_stay_text() {
        assert_eq!(typed_value(&[key("desired_count")], "12"), Value::from(12u64));
        assert_eq!(typed_value(&[key("spread")], " 0.25"), serde_json::json!(0.25));
        assert_eq!(typed_value(&[key("desired_count")], "12x"), Value::from("12x"));
        assert_eq!(typed_value(&[key("name")], "123"), Value::from("123"));
        assert_eq!(typed_value(&[key("instance_types"), Seg::Index(0)], "1"), Value::from("1"));
    }

    fn base() -> Value {
        let scenario = presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap();
        serde_json::to_value(&scenario.spec).unwrap()
    }

    #[test]
    fn edits_apply_and_an_invalid_value_gets_the_engine_message_at_its_path() {
        let mut draft = base();
        assert!(apply(
            &mut draft,
            Edit::Set(vec![key("services"), Seg::Index(0), key("desired_count")], "many".into())
        ));
        let error = Scenario::from_json(&draft.to_string()).unwrap_err();
        assert_eq!(error.problems()[0].field, "services[0].desired_count");
        assert!(apply(&mut draft, Edit::Set(vec![key("services"), Seg::Index(0), key("desired_count")], 5.into())));
        assert!(Scenario::from_json(&draft.to_string()).is_ok());
        assert!(!apply(&mut draft, Edit::Set(vec![key("nope"), Seg::Index(3)], 1.into())));
        assert!(apply(&mut draft, Edit::Remove(vec![key("services"), Seg::Index(0)])));
        assert_eq!(draft["services"].as_array().map(Vec::len), Some(0));
    }

    /// Every template in the catalogue, added where the catalogue says, leaves a valid scenario (after the
    /// fix-ups a user would make for cross-references, which the test makes explicitly).
    #[test]
    fn every_catalogue_template_validates() {
        let catalogue: Catalogue = serde_json::from_str(include_str!("editor_catalogue.json")).unwrap();
        let mut base = base();
        // A provider, a Spot provider, a RunTask burst and a queue so paths under them exist.
        for (array, index) in [("capacity_providers", 0), ("run_tasks", 0), ("queues", 0)] {
            let item = catalogue.items[array][index].clone();
            base.as_object_mut()
                .unwrap()
                .entry(array)
                .or_insert_with(|| Value::Array(vec![]))
                .as_array_mut()
                .unwrap()
                .push(item);
        }
        let mut spot = catalogue.items["capacity_providers"][0].clone();
        spot["name"] = "spot".into();
        spot["purchase"] = "spot".into();
        spot["allocation_strategy"] = "price-capacity-optimized".into();
        // The Spot group first: Spot-only settings are added to `capacity_providers[0]`.
        base["capacity_providers"].as_array_mut().unwrap().insert(0, spot);
        base["services"][0]["name"] = "web".into();
        base["task_definitions"][0]["name"] = "app".into();
        base["services"][0]["task_definition"] = "app".into();
        // AWS Batch as the editor adds it, so paths under `batch` exist.
        base["batch"] = catalogue.add[""]["batch"].clone();
        // A wall-clock start, so cron schedules (scheduled tasks, recurring scaling actions) have dates.
        base["start"] = "2026-12-02T20:00:00+09:00".into();
        let check = |draft: &Value, what: &str| {
            if let Err(e) = Scenario::from_json(&draft.to_string()) {
                panic!("{what}: {e}");
            }
        };
        check(&base, "base");
        let resolve = |schema: &str| -> Path {
            schema
                .split('.')
                .filter(|s| !s.is_empty())
                .flat_map(|part| match part.strip_suffix("[]") {
                    Some(k) => vec![key(k), Seg::Index(0)],
                    None => vec![key(part)],
                })
                .collect()
        };
        let fields_demand = catalogue.add["services[]"]["demand"].clone();
        for (object, fields) in &catalogue.add {
            for (field, template) in fields {
                let mut draft = base.clone();
                let path = resolve(object);
                if let Some(Value::Object(map)) = get_mut(&mut draft, &path) {
                    map.insert(field.clone(), template.clone());
                }
                // Auto scaling follows the service's demand and keeps the desired count within its range.
                if field == "autoscaling" {
                    draft["services"][0]["demand"] = fields_demand.clone();
                    draft["services"][0]["desired_count"] = 10.into();
                }
                // A strategy next to a launch type is invalid by design; launch type alone is what is tested.
                if field == "launch_type" {
                    if let Some(Value::Object(map)) = get_mut(&mut draft, &path) {
                        map.remove("capacity_provider_strategy");
                    }
                }
                check(&draft, &format!("{object}.{field}"));
            }
        }
        for (array, items) in &catalogue.items {
            for item in items {
                let mut draft = base.clone();
                let path = resolve(array);
                let target = get_mut(&mut draft, &path);
                match target {
                    Some(Value::Array(list)) => {
                        let same =
                            |key: &str| item.get(key).is_some() && list.iter().any(|v| v.get(key) == item.get(key));
                        if same("name") || same("capacity_provider") {
                            continue; // A second item with the same name is a (correct) duplicate error.
                        }
                        list.push(item.clone());
                    }
                    _ => {
                        let (last, parent) = path.split_last().unwrap();
                        if let (Some(Value::Object(map)), Seg::Key(k)) = (get_mut(&mut draft, parent), last) {
                            map.insert(k.clone(), Value::Array(vec![item.clone()]));
                        }
                    }
                }
                // Placement applies to EC2 capacity: move the service onto the EC2 group.
                if array.starts_with("services[].placement") {
                    draft["services"][0]["capacity_provider_strategy"] =
                        serde_json::json!([{ "capacity_provider": "ec2", "weight": 1 }]);
                    draft["services"][0]["assign_public_ip"] = false.into();
                }
                // Strategies and launch types exclude each other on one service.
                if array.ends_with("capacity_provider_strategy") {
                    let owner = &resolve(array)[..2];
                    if let Some(Value::Object(map)) = get_mut(&mut draft, owner) {
                        map.remove("launch_type");
                    }
                }
                check(&draft, &format!("{array}[] {item}"));
            }
        }
        // The customized-metric policy needs no demand: a service scaled on it alone is valid.
        let mut draft = base.clone();
        let custom = catalogue.items["services[].autoscaling.target_tracking"][1].clone();
        assert!(custom.get("custom_metric").is_some());
        draft["services"][0]["autoscaling"] =
            serde_json::json!({ "min_capacity": 1, "max_capacity": 2000, "target_tracking": [custom] });
        check(&draft, "a custom metric policy");
        for (field, values) in &catalogue.choices {
            assert!(!values.is_empty(), "{field} has no choices");
        }
    }
}
