//! Real AWS documents in and out (`docs/model.md` §13): task definitions, services, capacity providers and their
//! Auto Scaling groups, from the AWS CLI's describe output, the create / register calls' input, or a CloudFormation
//! template, into one [`ScenarioSpec`]; and a scenario's task definitions and services back out ([`export`]).
//!
//! Pure: text in, a scenario and a report out. Every field of the input is either read into the scenario or listed
//! in the report with why (not modelled, read-only state, unknown, unresolved); values outside Fleetplan's bounds
//! are errors naming the document and the path in it.

mod capacity;
mod cfn;
mod ecs;
pub mod examples;
pub mod export;
mod read;
#[cfg(test)]
mod tests;
#[cfg(feature = "yaml")]
pub mod yaml;

use std::fmt;

use serde_json::Value;

use crate::scenario::{Scenario, ScenarioError};
use crate::spec::{CapacityProviderSpec, LaunchType, ScenarioSpec, StrategyItemSpec, FORMAT_VERSION};
use read::{Ctx, Obj};

/// One document given to the importer: a name for messages (a file name) and its text.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// Why a field of the input is not in the scenario, or where the scenario took a value the input does not give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteKind {
    /// A known AWS field the model has no place for.
    NotModelled,
    /// A field this importer does not know.
    Unknown,
    /// State that a describe call reports (ARNs, counts, timestamps), not configuration.
    ReadOnly,
    /// A CloudFormation function or reference the importer could not evaluate: read as absent.
    Unresolved,
    /// A value the input does not give, and the default the scenario uses instead.
    Assumed,
}

impl NoteKind {
    pub const ALL: [NoteKind; 5] =
        [NoteKind::NotModelled, NoteKind::Unknown, NoteKind::Unresolved, NoteKind::Assumed, NoteKind::ReadOnly];

    pub fn title(self) -> &'static str {
        match self {
            NoteKind::NotModelled => "not modelled",
            NoteKind::Unknown => "unknown",
            NoteKind::ReadOnly => "read-only state",
            NoteKind::Unresolved => "unresolved",
            NoteKind::Assumed => "assumed",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// The document's name.
    pub source: String,
    /// The path in the document (`taskDefinition.containerDefinitions[0].environment`).
    pub path: String,
    pub kind: NoteKind,
    pub message: String,
}

/// A problem that stops the import.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportError {
    pub source: String,
    pub path: String,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.is_empty() {
            write!(f, "{}", self.message)
        } else if self.path.is_empty() {
            write!(f, "{}: {}", self.source, self.message)
        } else {
            write!(f, "{}: {}: {}", self.source, self.path, self.message)
        }
    }
}

/// What an import made: the scenario and the report.
#[derive(Debug, Clone)]
pub struct Imported {
    pub spec: ScenarioSpec,
    pub notes: Vec<Note>,
}

/// The report as plain text, grouped by kind, with a count.
pub fn report_text(notes: &[Note]) -> String {
    let mut out = format!("{} field{} not imported as is:\n", notes.len(), if notes.len() == 1 { "" } else { "s" });
    for kind in NoteKind::ALL {
        let group: Vec<&Note> = notes.iter().filter(|n| n.kind == kind).collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!("{} ({}):\n", kind.title(), group.len()));
        for n in group {
            if n.path.is_empty() {
                out.push_str(&format!("  {}: {}\n", n.source, n.message));
            } else {
                out.push_str(&format!("  {}: {}: {}\n", n.source, n.path, n.message));
            }
        }
    }
    out
}

/// Where a scenario entry came from: its document and path, and the paths of its fields (scenario field name to
/// document path), so that validation errors name the document's path.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origin {
    source: String,
    path: String,
    fields: Vec<(&'static str, String)>,
}

impl Origin {
    fn new(source: &str, path: &str) -> Origin {
        Origin { source: source.to_string(), path: path.to_string(), fields: Vec::new() }
    }

    fn field(&mut self, name: &'static str, path: String) {
        self.fields.push((name, path));
    }
}

/// Everything read from the documents, before it is put together.
#[derive(Default)]
struct Drafts {
    task_defs: Vec<ecs::TaskDefDraft>,
    services: Vec<ecs::ServiceDraft>,
    providers: Vec<capacity::ProviderDraft>,
    asgs: Vec<capacity::AsgDraft>,
    /// A cluster's default capacity provider strategy, its document and path.
    default_strategy: Option<(Vec<StrategyItemSpec>, String, String)>,
}

/// Largest document, in bytes, all documents together, and most documents in one import (a list counts each of
/// its items).
pub const MAX_DOCUMENT_BYTES: usize = 8 << 20;
pub const MAX_TOTAL_BYTES: usize = 16 << 20;
pub const MAX_DOCUMENTS: usize = 1000;

/// What a document is, from its top-level keys.
fn read_document(value: &Value, path: &str, drafts: &mut Drafts, ctx: &mut Ctx) {
    let map = match value {
        Value::Array(items) => {
            for (i, item) in items.iter().take(MAX_DOCUMENTS).enumerate() {
                read_document(item, &format!("{path}[{i}]"), drafts, ctx);
            }
            if items.len() > MAX_DOCUMENTS {
                ctx.error(path, format!("at most {MAX_DOCUMENTS} documents in one list"));
            }
            return;
        }
        Value::Object(map) => map,
        other => {
            ctx.error(path, format!("expected an AWS document (a JSON object), got {}", read::kind_of(other)));
            return;
        }
    };
    let mut o = Obj::new(map, path.to_string());
    let empty = serde_json::Map::new();
    if map.contains_key("Resources") {
        if path.is_empty() {
            cfn::template(map, drafts, ctx);
        } else {
            ctx.error(path, "a CloudFormation template must be a document of its own");
        }
    } else if map.get("taskDefinition").is_some_and(Value::is_object) {
        // describe-task-definition output.
        if let Some(td) = o.obj("taskDefinition", ctx) {
            drafts.task_defs.extend(ecs::task_definition(td, None, ctx));
        }
        o.known(&["tags"], NoteKind::NotModelled, "not modelled", ctx);
        o.finish(ctx);
    } else if map.contains_key("containerDefinitions") {
        drafts.task_defs.extend(ecs::task_definition(o, None, ctx));
    } else if map.get("services").is_some_and(Value::is_array) {
        if let Some((list, lpath)) = o.array("services", ctx) {
            for (i, item) in list.iter().enumerate() {
                if let Some(s) = Obj::of(item, format!("{lpath}[{i}]"), ctx) {
                    drafts.services.extend(ecs::service(s, None, ctx));
                }
            }
        }
        o.known(&["failures"], NoteKind::ReadOnly, "state reported by a describe call, not configuration", ctx);
        o.finish(ctx);
    } else if map.contains_key("serviceName") {
        drafts.services.extend(ecs::service(o, None, ctx));
    } else if map.get("capacityProviders").is_some_and(Value::is_array) {
        if let Some((list, lpath)) = o.array("capacityProviders", ctx) {
            for (i, item) in list.iter().enumerate() {
                if let Some(p) = Obj::of(item, format!("{lpath}[{i}]"), ctx) {
                    drafts.providers.extend(capacity::provider(p, None, ctx));
                }
            }
        }
        o.known(
            &["failures", "nextToken"],
            NoteKind::ReadOnly,
            "state reported by a describe call, not configuration",
            ctx,
        );
        o.finish(ctx);
    } else if map.contains_key("autoScalingGroupProvider") {
        drafts.providers.extend(capacity::provider(o, None, ctx));
    } else if map.get("AutoScalingGroups").is_some_and(Value::is_array) {
        if let Some((list, lpath)) = o.array("AutoScalingGroups", ctx) {
            for (i, item) in list.iter().enumerate() {
                if let Some(g) = Obj::of(item, format!("{lpath}[{i}]"), ctx) {
                    drafts.asgs.extend(capacity::auto_scaling_group(g, None, &Default::default(), ctx));
                }
            }
        }
        o.known(&["NextToken"], NoteKind::ReadOnly, "state reported by a describe call, not configuration", ctx);
        o.finish(ctx);
    } else if map.contains_key("AutoScalingGroupName") {
        drafts.asgs.extend(capacity::auto_scaling_group(o, None, &Default::default(), ctx));
    } else {
        let _ = empty;
        ctx.error(
            path,
            "not a document this importer knows: expected describe-task-definition / describe-services / describe-capacity-providers / describe-auto-scaling-groups output, register-task-definition / create-service / create-capacity-provider / create-auto-scaling-group input, or a CloudFormation template",
        );
    }
}

/// Parses one document's text: JSON, or (with the `yaml` feature) a YAML CloudFormation template.
fn parse(doc: &Document, ctx: &mut Ctx) -> Option<Value> {
    if doc.text.len() > MAX_DOCUMENT_BYTES {
        ctx.error("", format!("larger than {} MiB", MAX_DOCUMENT_BYTES >> 20));
        return None;
    }
    let trimmed = doc.text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return match serde_json::from_str::<Value>(doc.text) {
            Ok(v) => Some(v),
            Err(e) => {
                ctx.error("", format!("not valid JSON: {e}"));
                None
            }
        };
    }
    read_yaml(doc.text, ctx)
}

#[cfg(feature = "yaml")]
fn read_yaml(text: &str, ctx: &mut Ctx) -> Option<Value> {
    match yaml::to_json(text) {
        Ok(v) => Some(v),
        Err(e) => {
            ctx.error("", e);
            None
        }
    }
}

#[cfg(not(feature = "yaml"))]
fn read_yaml(_text: &str, ctx: &mut Ctx) -> Option<Value> {
    ctx.error("", "not JSON (a JSON document starts with `{` or `[`); this build reads YAML templates only in the command line's `fleetplan import`");
    None
}

/// Imports documents into one scenario named `name`. Errors (unreadable documents, values out of bounds, references
/// to resources that none of the documents hold, and the scenario's own validation) name their document and path.
pub fn import(documents: &[Document], name: &str) -> Result<Imported, Vec<ImportError>> {
    let mut drafts = Drafts::default();
    let mut notes = Vec::new();
    let mut errors = Vec::new();
    if documents.is_empty() {
        errors.push(ImportError {
            source: String::new(),
            path: String::new(),
            message: "no documents to import".into(),
        });
    }
    if documents.len() > MAX_DOCUMENTS {
        errors.push(ImportError {
            source: String::new(),
            path: String::new(),
            message: format!("at most {MAX_DOCUMENTS} documents in one import, got {}", documents.len()),
        });
        return Err(errors);
    }
    let total: usize = documents.iter().map(|d| d.text.len()).sum();
    if total > MAX_TOTAL_BYTES {
        errors.push(ImportError {
            source: String::new(),
            path: String::new(),
            message: format!(
                "the documents are {total} bytes together; at most {} MiB in one import",
                MAX_TOTAL_BYTES >> 20
            ),
        });
        return Err(errors);
    }
    for doc in documents {
        let mut ctx = Ctx::new(doc.name);
        if let Some(value) = parse(doc, &mut ctx) {
            read_document(&value, "", &mut drafts, &mut ctx);
        }
        notes.append(&mut ctx.notes);
        errors.append(&mut ctx.errors);
    }
    let (spec, origins) = assemble(drafts, name, &mut notes, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    match Scenario::from_spec(spec.clone()) {
        Ok(_) => Ok(Imported { spec, notes }),
        Err(ScenarioError::Invalid(problems)) => Err(problems
            .into_iter()
            .map(|p| {
                let (source, path) = origins.locate(&p.field);
                ImportError { source, path, message: format!("{} ({})", p.message, p.field) }
            })
            .collect()),
        Err(other) => Err(vec![ImportError { source: String::new(), path: String::new(), message: other.to_string() }]),
    }
}

/// Scenario paths (`services[0].desired_count`) to document paths.
#[derive(Default)]
struct Origins(Vec<(String, String, String)>);

impl Origins {
    fn add(&mut self, prefix: &str, origin: &Origin) {
        self.0.push((prefix.to_string(), origin.source.clone(), origin.path.clone()));
        for (field, path) in &origin.fields {
            let key = if field.is_empty() { prefix.to_string() } else { format!("{prefix}.{field}") };
            self.0.push((key, origin.source.clone(), path.clone()));
        }
    }

    /// The document and path of the longest recorded prefix of a scenario path.
    fn locate(&self, field: &str) -> (String, String) {
        let matches = |prefix: &str| {
            field == prefix
                || field.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        };
        self.0
            .iter()
            .filter(|(prefix, _, _)| matches(prefix))
            .max_by_key(|(prefix, _, _)| prefix.len())
            .map_or_else(|| (String::new(), String::new()), |(_, s, p)| (s.clone(), p.clone()))
    }
}

/// Puts the drafts together: services to their task definitions, providers to their groups.
fn assemble(
    drafts: Drafts,
    name: &str,
    notes: &mut Vec<Note>,
    errors: &mut Vec<ImportError>,
) -> (ScenarioSpec, Origins) {
    let mut origins = Origins::default();
    let note = |notes: &mut Vec<Note>, o: &Origin, kind: NoteKind, message: String| {
        notes.push(Note { source: o.source.clone(), path: o.path.clone(), kind, message });
    };
    let error = |errors: &mut Vec<ImportError>, o: &Origin, message: String| {
        errors.push(ImportError { source: o.source.clone(), path: o.path.clone(), message });
    };
    let mut task_definitions = Vec::new();
    for td in &drafts.task_defs {
        if task_definitions.iter().any(|t: &crate::spec::TaskDefinitionSpec| t.name == td.spec.name) {
            error(
                errors,
                &td.origin,
                format!("task definition family `{}` is given twice; import one revision", td.spec.name),
            );
            continue;
        }
        origins.add(&format!("task_definitions[{}]", task_definitions.len()), &td.origin);
        task_definitions.push(td.spec.clone());
    }
    let mut capacity_providers = Vec::new();
    let mut used_groups = vec![false; drafts.asgs.len()];
    for p in &drafts.providers {
        let Some(g) = drafts.asgs.iter().position(|g| capacity::names_group(&p.asg_ref, g)) else {
            error(
                errors,
                &p.origin,
                format!(
                    "capacity provider `{}`: its Auto Scaling group `{}` is not among the documents; add its describe-auto-scaling-groups output",
                    p.name, p.asg_ref
                ),
            );
            continue;
        };
        let group = &drafts.asgs[g];
        if !used_groups[g] {
            errors.extend(group.pending_errors.iter().cloned());
        }
        used_groups[g] = true;
        let prefix = format!("capacity_providers[{}]", capacity_providers.len());
        origins.add(&prefix, &p.origin);
        origins.add(&prefix, &group.origin);
        capacity_providers.push(CapacityProviderSpec {
            name: p.name.clone(),
            instance_types: group.instance_types.clone(),
            purchase: group.purchase,
            allocation_strategy: group.allocation_strategy,
            availability_zones: group
                .availability_zones
                .clone()
                .unwrap_or_else(|| crate::defaults::AVAILABILITY_ZONES.map(String::from).to_vec()),
            min_size: group.min_size,
            max_size: group.max_size,
            desired_capacity: group.desired_capacity,
            managed_scaling: p.managed_scaling.clone(),
            managed_termination_protection: p.managed_termination_protection,
            eni_trunking: false,
            images_cached: false,
            spot_draining: false,
            managed_draining: p.managed_draining,
            capacity_rebalance: group.capacity_rebalance,
            rebalance_recommendation_lead_s: 0.0,
            interruption_frequency: None,
            interruption_frequency_by_type: Default::default(),
            insufficient_capacity: Vec::new(),
            cpu_credits: None,
        });
    }
    for (g, used) in drafts.asgs.iter().zip(used_groups) {
        if !used {
            note(
                notes,
                &g.origin,
                NoteKind::NotModelled,
                format!("Auto Scaling group `{}`: no capacity provider of the documents uses it; not imported", g.name),
            );
        }
    }
    let mut services = Vec::new();
    for draft in drafts.services {
        let mut spec = draft.spec;
        let family = ecs::family_of(&draft.task_ref);
        let Some(td) = drafts.task_defs.iter().find(|t| t.spec.name == family) else {
            if !draft.task_ref.is_empty() {
                error(
                    errors,
                    &draft.origin,
                    format!(
                        "service `{}`: task definition `{}` is not among the documents; add its describe-task-definition output",
                        spec.name, draft.task_ref
                    ),
                );
            }
            continue;
        };
        spec.task_definition = td.spec.name.clone();
        let providers: Vec<&str> = capacity_providers.iter().map(|p| p.name.as_str()).collect();
        if spec.launch_type.is_none() && spec.capacity_provider_strategy.is_empty() {
            // "If no capacityProviderStrategy or launchType is specified, the defaultCapacityProviderStrategy for the
            // cluster is used" (CreateService).
            if let Some((strategy, source, path)) = &drafts.default_strategy {
                spec.capacity_provider_strategy = strategy.clone();
                notes.push(Note {
                    source: source.clone(),
                    path: path.clone(),
                    kind: NoteKind::Assumed,
                    message: format!("service `{}` names no capacity: the cluster's default strategy", spec.name),
                });
            } else if td.fargate {
                spec.launch_type = Some(LaunchType::Fargate);
                note(notes, &draft.origin, NoteKind::Assumed, format!("service `{}` names no launch type or strategy and the cluster's default strategy is not among the documents: FARGATE, which its task definition requires", spec.name));
            } else if let [only] = providers.as_slice() {
                spec.capacity_provider_strategy =
                    vec![StrategyItemSpec { capacity_provider: (*only).to_string(), base: 0, weight: 1 }];
                note(
                    notes,
                    &draft.origin,
                    NoteKind::Assumed,
                    format!(
                        "service `{}` names no launch type or strategy: the one capacity provider, `{only}`",
                        spec.name
                    ),
                );
            } else {
                note(notes, &draft.origin, NoteKind::Assumed, format!("service `{}` names no launch type or strategy and the cluster's default strategy is not among the documents: FARGATE", spec.name));
            }
        } else if spec.launch_type == Some(LaunchType::Ec2) {
            if let [only] = providers.as_slice() {
                spec.launch_type = None;
                spec.capacity_provider_strategy =
                    vec![StrategyItemSpec { capacity_provider: (*only).to_string(), base: 0, weight: 1 }];
                note(notes, &draft.origin, NoteKind::NotModelled, format!("service `{}`: launch type EC2 without a capacity provider is not simulated; placed on the one provider, `{only}`", spec.name));
            }
        }
        origins.add(&format!("services[{}]", services.len()), &draft.origin);
        services.push(spec);
    }
    let spec = ScenarioSpec {
        version: FORMAT_VERSION,
        name: name.to_string(),
        description: String::new(),
        horizon_s: crate::defaults::HORIZON_S,
        timeline_end_s: None,
        limits: Default::default(),
        latencies: Default::default(),
        prices: Default::default(),
        fargate_spot: Default::default(),
        task_definitions,
        services,
        run_tasks: Vec::new(),
        events: Vec::new(),
        capacity_providers,
        external_instances: Vec::new(),
        batch: None,
        scheduled_tasks: Vec::new(),
        managed_instances_providers: Vec::new(),
        commitments: Default::default(),
        start: None,
        queues: Vec::new(),
        lesson: None,
    };
    (spec, origins)
}
