//! CloudFormation templates: the ECS and Auto Scaling resources, with `Ref`, `Fn::GetAtt` and `Fn::Sub` that name
//! another resource of the template resolved to that resource, parameters taken at their `Default`, and whatever
//! cannot be resolved reported where it was found (and read as absent).

use std::cell::Cell;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::capacity;
use super::ecs;
use super::read::{join, Ctx, Obj};
use super::{Drafts, NoteKind};

/// What a reference can resolve to.
struct Env<'a> {
    parameters: BTreeMap<&'a str, &'a Value>,
    /// Logical id to the resource's name (its `Family`, `ServiceName`, `Name`, ... or the logical id itself).
    resources: BTreeMap<&'a str, String>,
    mappings: Option<&'a Map<String, Value>>,
    conditions: Option<&'a Map<String, Value>>,
    /// Bytes of text and values the functions have copied or built so far: a template whose references multiply
    /// (a `Fn::Sub` of a `Fn::Sub` of ..., a large default referenced many times) stops at [`EXPANSION_BUDGET`].
    spent: Cell<usize>,
    /// Condition evaluations so far (conditions that name conditions can multiply too).
    evaluations: Cell<u32>,
}

/// Most bytes the functions of one template may copy or build: several times any real template.
pub const EXPANSION_BUDGET: usize = 16 << 20;
/// Most condition evaluations in one template.
pub const MAX_CONDITION_EVALUATIONS: u32 = 10_000;

/// The size a value adds: its text plus a little per node, walked only until the budget is spent.
fn weight(v: &Value, limit: usize) -> usize {
    let mut total = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total += 8;
        match v {
            Value::String(s) => total += s.len(),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                for (k, v) in map {
                    total += k.len();
                    stack.push(v);
                }
            }
            _ => {}
        }
        if total > limit {
            break;
        }
    }
    total
}

impl Env<'_> {
    /// Charges a copied or built value to the budget; false once it is spent.
    fn charge(&self, v: &Value) -> bool {
        let left = EXPANSION_BUDGET.saturating_sub(self.spent.get());
        let w = weight(v, left);
        self.spent.set(self.spent.get().saturating_add(w));
        w <= left
    }
}

/// A condition's value, when it can be evaluated: `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not` and `Condition` over
/// values that resolve (parameters at their defaults, mappings). `None` otherwise.
fn condition(name: &str, env: &Env, depth: usize) -> Option<bool> {
    let body = env.conditions?.get(name)?;
    truth(body, env, depth + 1)
}

fn truth(v: &Value, env: &Env, depth: usize) -> Option<bool> {
    env.evaluations.set(env.evaluations.get().saturating_add(1));
    if depth > 32 || env.evaluations.get() > MAX_CONDITION_EVALUATIONS {
        return None;
    }
    let map = v.as_object().filter(|m| m.len() == 1)?;
    let (key, arg) = map.iter().next()?;
    let list = || arg.as_array();
    match key.as_str() {
        "Condition" => condition(arg.as_str()?, env, depth),
        "Fn::Not" => truth(list()?.first()?, env, depth + 1).map(|b| !b),
        "Fn::And" => list()?.iter().try_fold(true, |all, c| truth(c, env, depth + 1).map(|b| all && b)),
        "Fn::Or" => list()?.iter().try_fold(false, |any, c| truth(c, env, depth + 1).map(|b| any || b)),
        "Fn::Equals" => {
            let items = list().filter(|l| l.len() == 2)?;
            let mut quiet = Ctx::new("");
            let a = resolve(&items[0], "", env, &mut quiet);
            let b = resolve(&items[1], "", env, &mut quiet);
            if !quiet.notes.is_empty() {
                return None;
            }
            Some(scalar_text(&a)? == scalar_text(&b)?)
        }
        _ => None,
    }
}

/// The property holding a resource's own name, per type.
fn name_key(kind: &str) -> Option<&'static str> {
    match kind {
        "AWS::ECS::TaskDefinition" => Some("Family"),
        "AWS::ECS::Service" => Some("ServiceName"),
        "AWS::ECS::CapacityProvider" => Some("Name"),
        "AWS::ECS::Cluster" => Some("ClusterName"),
        "AWS::AutoScaling::AutoScalingGroup" => Some("AutoScalingGroupName"),
        "AWS::EC2::LaunchTemplate" => Some("LaunchTemplateName"),
        _ => None,
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn unresolved(path: &str, why: String, ctx: &mut Ctx) -> Value {
    ctx.note(path, NoteKind::Unresolved, format!("{why}; read as absent"));
    Value::Null
}

/// `${Name}` / `${Resource.Attribute}` inside an `Fn::Sub` string.
fn substitute(text: &str, vars: Option<&Map<String, Value>>, env: &Env, path: &str, ctx: &mut Ctx) -> Value {
    // Each variable is resolved once, however often the string names it.
    let mut resolved: BTreeMap<&str, Option<String>> = BTreeMap::new();
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        if out.len() > EXPANSION_BUDGET.saturating_sub(env.spent.get()) {
            return unresolved(path, "`Fn::Sub` expands beyond the importer's budget".into(), ctx);
        }
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return unresolved(
                path,
                format!("`Fn::Sub` string {} has an unclosed `${{`", super::read::short(&Value::String(text.into()))),
                ctx,
            );
        };
        let name = &after[..end];
        if let Some(literal) = name.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
        } else if let Some(v) = vars.and_then(|m| m.get(name)) {
            let text = resolved.entry(name).or_insert_with(|| scalar_text(&resolve(v, path, env, ctx)));
            match text {
                Some(s) => out.push_str(s),
                None => return unresolved(path, format!("`Fn::Sub` variable `{name}` is not a text value"), ctx),
            }
        } else if let Some(v) = env.parameters.get(name).and_then(|v| scalar_text(v)) {
            out.push_str(&v);
        } else if let Some(r) = env.resources.get(name.split('.').next().unwrap_or(name)) {
            out.push_str(r);
        } else {
            return unresolved(
                path,
                format!("`${{{name}}}` in `Fn::Sub` names no parameter with a default and no resource of the template"),
                ctx,
            );
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    let out = Value::String(out);
    if env.charge(&out) {
        out
    } else {
        unresolved(path, "`Fn::Sub` expands beyond the importer's budget".into(), ctx)
    }
}

/// A value a function copied or built, if the budget allows it.
fn charged(v: Value, here: &str, env: &Env, ctx: &mut Ctx) -> Value {
    if env.charge(&v) {
        v
    } else {
        unresolved(here, "references expand beyond the importer's budget".into(), ctx)
    }
}

/// The value with every intrinsic function this importer knows replaced by its result.
fn resolve(v: &Value, path: &str, env: &Env, ctx: &mut Ctx) -> Value {
    match v {
        Value::Array(items) => Value::Array(
            items.iter().enumerate().map(|(i, item)| resolve(item, &format!("{path}[{i}]"), env, ctx)).collect(),
        ),
        Value::Object(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next().expect("one entry");
            let here = join(path, key);
            match key.as_str() {
                "Ref" => {
                    let Some(name) = arg.as_str() else { return unresolved(&here, "`Ref` takes a name".into(), ctx) };
                    if name == "AWS::NoValue" {
                        Value::Null
                    } else if let Some(v) = env.parameters.get(name) {
                        charged((*v).clone(), &here, env, ctx)
                    } else if let Some(r) = env.resources.get(name) {
                        Value::String(r.clone())
                    } else {
                        unresolved(
                            &here,
                            format!("`Ref: {name}` names no parameter with a default and no resource of the template"),
                            ctx,
                        )
                    }
                }
                "Fn::GetAtt" => {
                    let id = match arg {
                        Value::String(s) => s.split('.').next().map(str::to_string),
                        Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_string),
                        _ => None,
                    };
                    match id.as_deref().and_then(|id| env.resources.get(id)) {
                        Some(r) => Value::String(r.clone()),
                        None => unresolved(
                            &here,
                            format!("`Fn::GetAtt` of {} names no resource of the template", super::read::short(arg)),
                            ctx,
                        ),
                    }
                }
                "Fn::Sub" => match arg {
                    Value::String(s) => substitute(s, None, env, &here, ctx),
                    Value::Array(a) => match (a.first().and_then(Value::as_str), a.get(1).and_then(Value::as_object)) {
                        (Some(s), Some(vars)) => substitute(s, Some(vars), env, &here, ctx),
                        _ => unresolved(&here, "`Fn::Sub` takes a string or [string, {variables}]".into(), ctx),
                    },
                    _ => unresolved(&here, "`Fn::Sub` takes a string or [string, {variables}]".into(), ctx),
                },
                "Fn::Join" => {
                    let parts = arg.as_array().filter(|a| a.len() == 2);
                    let Some(parts) = parts else {
                        return unresolved(&here, "`Fn::Join` takes [separator, [values]]".into(), ctx);
                    };
                    let sep = parts[0].as_str().unwrap_or("");
                    match resolve(&parts[1], &here, env, ctx) {
                        Value::Array(items) => {
                            let texts: Option<Vec<String>> = items.iter().map(scalar_text).collect();
                            match texts {
                                Some(t) => charged(Value::String(t.join(sep)), &here, env, ctx),
                                None => unresolved(&here, "`Fn::Join` of values that are not all text".into(), ctx),
                            }
                        }
                        _ => unresolved(&here, "`Fn::Join` takes [separator, [values]]".into(), ctx),
                    }
                }
                "Fn::Select" => {
                    let parts = arg.as_array().filter(|a| a.len() == 2);
                    let Some(parts) = parts else {
                        return unresolved(&here, "`Fn::Select` takes [index, [values]]".into(), ctx);
                    };
                    let index = scalar_text(&resolve(&parts[0], &here, env, ctx)).and_then(|s| s.parse::<usize>().ok());
                    match (index, resolve(&parts[1], &here, env, ctx)) {
                        (Some(i), Value::Array(mut items)) if i < items.len() => items.swap_remove(i),
                        _ => unresolved(&here, "`Fn::Select` index is not within its list".into(), ctx),
                    }
                }
                "Fn::FindInMap" => {
                    let keys: Option<Vec<String>> = arg
                        .as_array()
                        .filter(|a| a.len() == 3)
                        .and_then(|a| a.iter().map(|k| scalar_text(&resolve(k, &here, env, ctx))).collect());
                    let found = keys.as_ref().and_then(|k| env.mappings?.get(&k[0])?.get(&k[1])?.get(&k[2]));
                    match found {
                        Some(v) => charged(v.clone(), &here, env, ctx),
                        None => unresolved(&here, "`Fn::FindInMap` finds no entry".into(), ctx),
                    }
                }
                "Fn::If" => {
                    let parts = arg.as_array().filter(|a| a.len() == 3);
                    let Some(parts) = parts else {
                        return unresolved(&here, "`Fn::If` takes [condition, then, else]".into(), ctx);
                    };
                    match parts[0].as_str().and_then(|c| condition(c, env, 0)) {
                        Some(true) => resolve(&parts[1], &here, env, ctx),
                        Some(false) => resolve(&parts[2], &here, env, ctx),
                        None => unresolved(
                            &here,
                            format!("`Fn::If` condition {} cannot be evaluated", super::read::short(&parts[0])),
                            ctx,
                        ),
                    }
                }
                other if other.starts_with("Fn::") || other == "Condition" => {
                    unresolved(&here, format!("`{other}` is not evaluated by this importer"), ctx)
                }
                _ => {
                    Value::Object(map.iter().map(|(k, v)| (k.clone(), resolve(v, &join(path, k), env, ctx))).collect())
                }
            }
        }
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), resolve(v, &join(path, k), env, ctx))).collect())
        }
        other => other.clone(),
    }
}

const RESOURCE_ATTRIBUTES: &[&str] =
    &["DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy"];

/// A CloudFormation template's ECS and Auto Scaling resources into drafts.
pub(super) fn template(root: &Map<String, Value>, drafts: &mut Drafts, ctx: &mut Ctx) {
    let mut top = Obj::new(root, String::new());
    top.get("AWSTemplateFormatVersion");
    top.get("Description");
    top.known(
        &["Conditions", "Outputs", "Metadata", "Rules"],
        NoteKind::NotModelled,
        "not read: resources are imported unconditionally",
        ctx,
    );
    top.known(&["Transform"], NoteKind::Unresolved, "macros and transforms are not expanded", ctx);
    let mut parameters = BTreeMap::new();
    if let Some(mut params) = top.obj("Parameters", ctx) {
        let entries: Vec<(&String, &Value)> =
            root.get("Parameters").and_then(Value::as_object).into_iter().flatten().collect();
        for (name, p) in entries {
            params.get(name);
            match p.get("Default") {
                Some(default) => {
                    parameters.insert(name.as_str(), default);
                }
                None => ctx.note(
                    &join("Parameters", name),
                    NoteKind::Unresolved,
                    "no Default: references to it are read as absent",
                ),
            }
        }
        params.finish(ctx);
    }
    let mappings = root.get("Mappings").and_then(Value::as_object);
    top.get("Mappings");
    let Some((resources, _)) = top.get("Resources") else {
        ctx.error("", "a template needs `Resources`");
        top.finish(ctx);
        return;
    };
    top.finish(ctx);
    let Some(resources) = resources.as_object() else {
        ctx.error("Resources", "expected an object of resources");
        return;
    };
    // Names first, from parameters only (a name naming another resource is not supported).
    let conditions = root.get("Conditions").and_then(Value::as_object);
    let mut env = Env {
        parameters,
        resources: BTreeMap::new(),
        mappings,
        conditions,
        spent: Cell::new(0),
        evaluations: Cell::new(0),
    };
    let mut names = BTreeMap::new();
    for (id, res) in resources {
        let kind = res.get("Type").and_then(Value::as_str).unwrap_or("");
        let own = name_key(kind).and_then(|key| res.get("Properties")?.get(key)).map(|v| {
            let mut quiet = Ctx::new(&ctx.source);
            resolve(v, "", &env, &mut quiet)
        });
        let name = own.as_ref().and_then(Value::as_str).map_or_else(|| id.clone(), str::to_string);
        names.insert(id.as_str(), name);
    }
    env.resources = names;
    // Launch templates' instance types, for groups that name no overrides.
    let mut launch_templates = BTreeMap::new();
    for (id, res) in resources {
        if res.get("Type").and_then(Value::as_str) == Some("AWS::EC2::LaunchTemplate") {
            let path = format!("Resources.{id}.Properties.LaunchTemplateData.InstanceType");
            if let Some(t) = res.get("Properties").and_then(|p| p.get("LaunchTemplateData")?.get("InstanceType")) {
                if let Value::String(t) = resolve(t, &path, &env, ctx) {
                    launch_templates.insert(env.resources[id.as_str()].clone(), t);
                }
            }
        }
    }
    for (id, res) in resources {
        let path = format!("Resources.{id}");
        let Some(mut r) = Obj::of(res, path.clone(), ctx) else { continue };
        let kind = r.str("Type", ctx).map_or("", |(k, _)| k);
        r.known(RESOURCE_ATTRIBUTES, NoteKind::NotModelled, "a CloudFormation resource attribute, not modelled", ctx);
        r.known(
            &["Condition"],
            NoteKind::Unresolved,
            "conditions are not evaluated: the resource is imported as if created",
            ctx,
        );
        let props = r.get("Properties").map(|(v, p)| (resolve(v, &p, &env, ctx), p));
        r.finish(ctx);
        let name = Some(env.resources[id.as_str()].clone());
        let empty = Value::Object(Map::new());
        let (props, props_path) = match &props {
            Some((v, p)) => (v, p.clone()),
            None => (&empty, join(&path, "Properties")),
        };
        let Some(mut o) = Obj::of(props, props_path, ctx) else { continue };
        match kind {
            "AWS::ECS::TaskDefinition" => {
                if !o.has("Family") {
                    ctx.note(
                        &path,
                        NoteKind::Assumed,
                        format!("no Family: CloudFormation makes one up from the stack name; named `{id}` here"),
                    );
                }
                drafts.task_defs.extend(ecs::task_definition(o, name, ctx));
            }
            "AWS::ECS::Service" => drafts.services.extend(ecs::service(o, name, ctx)),
            "AWS::ECS::CapacityProvider" => drafts.providers.extend(capacity::provider(o, name, ctx)),
            "AWS::AutoScaling::AutoScalingGroup" => {
                drafts.asgs.extend(capacity::auto_scaling_group(o, name, &launch_templates, ctx));
            }
            "AWS::ECS::ClusterCapacityProviderAssociations" => {
                o.get("CapacityProviders");
                o.known(&["Cluster"], NoteKind::NotModelled, "one cluster is modelled", ctx);
                if let Some((strategy, path)) = ecs::strategy(&mut o, "DefaultCapacityProviderStrategy", ctx) {
                    drafts.default_strategy = Some((strategy, ctx.source.clone(), path));
                }
                o.finish(ctx);
            }
            "AWS::EC2::LaunchTemplate" => {
                ctx.note(&path, NoteKind::NotModelled, "only the launch template's instance type is read");
            }
            other => ctx.note(&path, NoteKind::NotModelled, format!("`{other}` resources are not modelled")),
        }
    }
}
