//! The importer and exporter end to end on the example documents: what lands in the scenario, what the report
//! lists, errors that name the document path, budgets, and import(export(x)) for the examples and the presets.

use super::*;
use crate::spec::{
    AllocationStrategy, Architecture, BinpackField, NetworkMode, PlacementConstraintSpec, PlacementStrategySpec,
    Purchase,
};

use super::examples::ALL;

const TASKDEF_WEB: &str = ALL[0].1;
const TASKDEF_WORKER: &str = ALL[1].1;
const CREATE_SERVICE: &str = ALL[3].1;

fn docs<'a>(list: &[(&'a str, &'a str)]) -> Vec<Document<'a>> {
    list.iter().map(|(name, text)| Document { name, text }).collect()
}

fn describe_set() -> Imported {
    let list = [ALL[0], ALL[1], ALL[2], ALL[3], ALL[4], ALL[5]];
    match import(&docs(&list), "shop") {
        Ok(i) => i,
        Err(e) => panic!("{}", e.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")),
    }
}

fn has_note(notes: &[Note], source: &str, path: &str, kind: NoteKind) -> bool {
    notes.iter().any(|n| n.source == source && n.path == path && n.kind == kind)
}

#[test]
fn describe_output_and_create_input_make_one_scenario() {
    let imported = describe_set();
    let spec = &imported.spec;
    let web = &spec.task_definitions[0];
    assert_eq!((web.name.as_str(), web.cpu, web.memory), ("shop-web", 1024, 2048));
    assert_eq!((web.network_mode, web.architecture), (NetworkMode::Awsvpc, Architecture::Arm64));
    assert_eq!(web.port_mappings.len(), 1);
    assert_eq!((web.port_mappings[0].container_port, web.port_mappings[0].host_port), (8080, Some(8080)));
    let hc = web.health_check.as_ref().expect("the app's health check");
    assert_eq!((hc.interval_s, hc.retries, hc.start_period_s), (15.0, 4, 20.0));
    assert_eq!(web.stop_timeout_s, 45.0);
    assert_eq!(web.image_mb, crate::defaults::IMAGE_MB);
    // No task size: the containers' reservations (memoryReservation over memory), and their cpu.
    let worker = &spec.task_definitions[1];
    assert_eq!((worker.name.as_str(), worker.cpu, worker.memory), ("thumbnailer", 576, 768 + 128));
    assert_eq!(worker.network_mode, NetworkMode::Bridge);
    // hostPort 0 on bridge is a dynamic port.
    assert_eq!(worker.port_mappings[0].host_port, None);

    assert_eq!(spec.services.len(), 3, "DAEMON node-exporter is left out");
    let s = &spec.services[0];
    assert_eq!((s.name.as_str(), s.task_definition.as_str(), s.desired_count), ("shop-web", "shop-web", 40));
    assert_eq!(s.capacity_provider_strategy.len(), 2);
    assert_eq!((s.capacity_provider_strategy[0].base, s.capacity_provider_strategy[1].weight), (10, 3));
    assert_eq!((s.deployment.maximum_percent, s.deployment.minimum_healthy_percent), (150, 100));
    assert!(s.deployment.circuit_breaker.as_ref().is_some_and(|cb| cb.enable && cb.rollback));
    assert!(s.load_balancer.is_some());
    let t = &spec.services[1];
    assert_eq!(t.task_definition, "thumbnailer");
    assert_eq!(
        t.placement_strategy,
        vec![
            PlacementStrategySpec::Spread { field: "attribute:ecs.availability-zone".into() },
            PlacementStrategySpec::Binpack { field: BinpackField::Memory }
        ]
    );
    assert!(
        matches!(&t.placement_constraints[0], PlacementConstraintSpec::MemberOf { expression } if expression.contains("xlarge"))
    );
    let api = &spec.services[2];
    assert_eq!((api.name.as_str(), api.desired_count, api.assign_public_ip), ("shop-api", 6, true));
    assert_eq!(api.launch_type, Some(LaunchType::Fargate));

    assert_eq!(spec.capacity_providers.len(), 1, "FARGATE is built in; bastion has no provider");
    let p = &spec.capacity_providers[0];
    assert_eq!(p.name, "shop-spot");
    assert_eq!(p.instance_types, ["m5.xlarge", "c5.xlarge", "m6i.xlarge"]);
    assert_eq!((p.purchase, p.allocation_strategy), (Purchase::Spot, AllocationStrategy::PriceCapacityOptimized));
    assert_eq!((p.min_size, p.max_size, p.desired_capacity), (0, 30, 6));
    assert_eq!(p.availability_zones, ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]);
    assert!(p.capacity_rebalance && p.managed_termination_protection && p.managed_draining);
    let ms = p.managed_scaling.as_ref().expect("managed scaling");
    assert_eq!((ms.target_capacity, ms.maximum_scaling_step_size, ms.instance_warmup_period_s), (90, 20, 180.0));

    // The scenario runs.
    let summary = crate::run(Scenario::from_spec(spec.clone()).expect("valid"), 1);
    assert!(summary.completion_s.is_some(), "every service reaches its desired count");
}

#[test]
fn every_field_not_imported_is_listed() {
    let notes = describe_set().notes;
    let web = "describe-task-definition-web.json";
    assert!(has_note(&notes, web, "taskDefinition.containerDefinitions[0].environment", NoteKind::NotModelled));
    assert!(has_note(&notes, web, "taskDefinition.containerDefinitions[0].logConfiguration", NoteKind::NotModelled));
    assert!(has_note(&notes, web, "taskDefinition.containerDefinitions[0].healthCheck.timeout", NoteKind::NotModelled));
    assert!(has_note(&notes, web, "taskDefinition.containerDefinitions[0].image", NoteKind::Assumed));
    assert!(has_note(&notes, web, "taskDefinition.revision", NoteKind::ReadOnly));
    assert!(has_note(
        &notes,
        web,
        "taskDefinition.containerDefinitions[1].firelensConfiguration",
        NoteKind::NotModelled
    ));
    let worker = "register-task-definition-worker.json";
    assert!(has_note(&notes, worker, "someFutureField", NoteKind::Unknown));
    assert!(has_note(&notes, worker, "containerDefinitions[1].ulimits", NoteKind::NotModelled));
    let services = "describe-services.json";
    assert!(has_note(&notes, services, "services[0].healthCheckGracePeriodSeconds", NoteKind::NotModelled));
    assert!(has_note(&notes, services, "services[0].events", NoteKind::ReadOnly));
    assert!(has_note(&notes, services, "services[2].schedulingStrategy", NoteKind::NotModelled));
    assert!(has_note(&notes, "describe-auto-scaling-groups.json", "AutoScalingGroups[1]", NoteKind::NotModelled));
    assert!(has_note(
        &notes,
        "describe-auto-scaling-groups.json",
        "AutoScalingGroups[0].VPCZoneIdentifier",
        NoteKind::NotModelled
    ));
    let text = report_text(&notes);
    assert!(text.starts_with(&format!("{} fields not imported as is:\n", notes.len())));
    assert!(text.contains("\nunknown (1):\n  register-task-definition-worker.json: someFutureField: "));
}

#[test]
fn a_template_resolves_references_parameters_and_mappings() {
    let imported = match import(&docs(&[ALL[6]]), "orders") {
        Ok(i) => i,
        Err(e) => panic!("{}", e.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")),
    };
    let spec = &imported.spec;
    let td = &spec.task_definitions[0];
    // `Fn::Sub` of a parameter's default; "1 vCPU" and "3 GB".
    assert_eq!((td.name.as_str(), td.cpu, td.memory), ("orders-prod", 1024, 3072));
    let p = &spec.capacity_providers[0];
    // `Fn::Join`; the group by `Ref`; its type from the launch template it names by `Ref`; `Fn::FindInMap`.
    assert_eq!(p.name, "orders-prod-ec2");
    assert_eq!(p.instance_types, ["m6i.large"]);
    assert_eq!((p.min_size, p.max_size, p.desired_capacity), (0, 20, 2));
    assert_eq!(p.purchase, Purchase::OnDemand);
    assert!(p.managed_termination_protection);
    assert_eq!(p.managed_scaling.as_ref().map(|m| m.instance_warmup_period_s), Some(120.0));
    let s = &spec.services[0];
    assert_eq!((s.name.as_str(), s.task_definition.as_str(), s.desired_count), ("orders", "orders-prod", 12));
    // Neither launch type nor strategy: the cluster's default strategy from the associations.
    assert_eq!(s.capacity_provider_strategy[0].capacity_provider, "orders-prod-ec2");
    assert_eq!(s.placement_constraints, vec![PlacementConstraintSpec::DistinctInstance]);
    let notes = &imported.notes;
    let t = "template.json";
    assert!(has_note(
        notes,
        t,
        "Resources.OrdersTask.Properties.ContainerDefinitions[0].Image.Fn::Sub",
        NoteKind::Unresolved
    ));
    assert!(has_note(notes, t, "Parameters.VpcSubnets", NoteKind::Unresolved));
    assert!(has_note(
        notes,
        t,
        "Resources.OrdersTask.Properties.ContainerDefinitions[0].Secrets",
        NoteKind::NotModelled
    ));
    assert!(has_note(notes, t, "Resources.OrdersLogGroup", NoteKind::NotModelled));
    assert!(has_note(notes, t, "Resources.OrdersService.DependsOn", NoteKind::NotModelled));
    assert!(has_note(notes, t, "Outputs", NoteKind::NotModelled));
    assert!(crate::run(Scenario::from_spec(spec.clone()).expect("valid"), 1).completion_s.is_some());
}

fn errors_of(list: &[(&str, &str)]) -> Vec<ImportError> {
    match import(&docs(list), "x") {
        Ok(i) => panic!("imported {:?}", i.spec.name),
        Err(e) => e,
    }
}

fn with(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

#[test]
fn values_out_of_bounds_are_errors_naming_the_document_path() {
    let bad = with(TASKDEF_WEB, "\"cpu\": \"1024\"", "\"cpu\": \"lots\"");
    let e = errors_of(&[("td.json", &bad), ALL[3]]);
    assert!(
        e.iter().any(|e| e.source == "td.json" && e.path == "taskDefinition.cpu" && e.message.contains("got \"lots\"")),
        "{e:?}"
    );

    let bad = with(CREATE_SERVICE, "\"desiredCount\": 6", "\"desiredCount\": -3");
    let e = errors_of(&[ALL[0], ("svc.json", &bad)]);
    assert!(e.iter().any(|e| e.path == "desiredCount" && e.message.contains("whole number")), "{e:?}");

    // The scenario's own validation, mapped back: over the 5,000 tasks per service.
    let bad = with(CREATE_SERVICE, "\"desiredCount\": 6", "\"desiredCount\": 6000");
    let e = errors_of(&[ALL[0], ("svc.json", &bad)]);
    assert!(e.iter().any(|e| e.source == "svc.json" && e.path == "desiredCount"), "{e:?}");

    // A size Fargate does not offer, named at the task definition's memory (in the task definition's document,
    // where it is fixed; the message names the service that runs it on Fargate).
    let bad = with(TASKDEF_WEB, "\"memory\": \"2048\"", "\"memory\": \"9000\"");
    let e = errors_of(&[("td.json", &bad), ALL[3]]);
    assert!(
        e.iter().any(|e| e.source == "td.json"
            && e.path == "taskDefinition.memory"
            && e.message.contains("memory 9000")
            && e.message.contains("runs it on Fargate")),
        "{e:?}"
    );

    // Containers reserving more than the task.
    let bad = with(TASKDEF_WEB, "\"memoryReservation\": 1536", "\"memoryReservation\": 4096");
    let e = errors_of(&[("td.json", &bad)]);
    assert!(e.iter().any(|e| e.path == "taskDefinition.memory" && e.message.contains("more than the task")), "{e:?}");
}

#[test]
fn missing_pieces_and_unknown_documents_are_named() {
    let e = errors_of(&[ALL[3]]);
    assert!(e[0].message.contains("task definition `shop-web:14` is not among the documents"), "{e:?}");
    let e = errors_of(&[ALL[0], ALL[2], ALL[1], ALL[4]]);
    assert!(e.iter().any(|e| e.message.contains("Auto Scaling group") && e.path == "capacityProviders[0]"), "{e:?}");
    let e = errors_of(&[("x.json", "{\"hello\": 1}")]);
    assert!(e[0].message.starts_with("not a document this importer knows"));
    let e = errors_of(&[("x.json", "{\"family\": ")]);
    assert!(e[0].message.starts_with("not valid JSON"));
    let e = errors_of(&[("x.json", "[1]")]);
    assert_eq!(e[0].path, "[0]");
    // A group no provider uses may lack what a provider would need.
    assert!(import(&docs(&[ALL[0], ALL[3], ALL[5]]), "x").is_ok());
    let no_name = with(TASKDEF_WORKER, "\"family\": \"thumbnailer\",", "");
    let e = errors_of(&[("w.json", &no_name)]);
    assert!(e.iter().any(|e| e.message.contains("family")), "{e:?}");
}

#[test]
fn task_size_rules() {
    // No task size and a container with neither memory nor memoryReservation.
    let bad = with(TASKDEF_WORKER, "\"memory\": 128,", "");
    let e = errors_of(&[("w.json", &bad)]);
    assert!(
        e.iter().any(|e| e.path == "containerDefinitions[1]" && e.message.contains("no memory or memoryReservation")),
        "{e:?}"
    );
    // No network mode on EC2: bridge, said in the report.
    let text = with(TASKDEF_WORKER, "\"networkMode\": \"bridge\",", "");
    let service =
        r#"{"serviceName": "thumbs", "taskDefinition": "thumbnailer", "desiredCount": 2, "launchType": "EC2"}"#;
    let i = import(&docs(&[("w.json", &text), ("s.json", service), ALL[4], ALL[5]]), "x").expect("imports");
    assert_eq!(i.spec.task_definitions[0].network_mode, NetworkMode::Bridge);
    assert!(i.notes.iter().any(|n| n.kind == NoteKind::Assumed && n.message.contains("bridge")));
}

#[test]
fn families_and_revisions() {
    assert_eq!(ecs::family_of("web"), "web");
    assert_eq!(ecs::family_of("web:12"), "web");
    assert_eq!(ecs::family_of("arn:aws:ecs:us-east-1:111122223333:task-definition/web:12"), "web");
}

/// What the exported shapes carry, with the defaults an import fills in made explicit.
fn carried(spec: &ScenarioSpec) -> String {
    let mut out = String::new();
    for td in &spec.task_definitions {
        let hc = td.health_check.as_ref().map(|h| (h.interval_s, h.retries, h.start_period_s));
        let ports: Vec<_> = td
            .port_mappings
            .iter()
            .map(|p| {
                (
                    p.container_port,
                    if td.network_mode == NetworkMode::Bridge { p.host_port.filter(|&h| h != 0) } else { p.host_port },
                )
            })
            .collect();
        out.push_str(&format!(
            "td {} {} {} {:?} {:?} {ports:?} {hc:?} {}\n",
            td.name, td.cpu, td.memory, td.network_mode, td.architecture, td.stop_timeout_s
        ));
    }
    for s in &spec.services {
        let launch = match (s.launch_type, s.capacity_provider_strategy.is_empty()) {
            (None, true) => Some(LaunchType::Fargate),
            (l, _) => l,
        };
        let awsvpc =
            spec.task_definitions.iter().any(|t| t.name == s.task_definition && t.network_mode == NetworkMode::Awsvpc);
        out.push_str(&format!(
            "svc {} {} {} {launch:?} {:?} {:?} {:?} {:?} {} {}\n",
            s.name,
            s.task_definition,
            s.desired_count,
            s.capacity_provider_strategy,
            s.deployment,
            s.placement_strategy,
            s.placement_constraints,
            s.load_balancer.is_some(),
            s.assign_public_ip && awsvpc
        ));
    }
    for p in &spec.capacity_providers {
        let allocation = match (p.purchase, p.allocation_strategy) {
            (Purchase::OnDemand, _) => AllocationStrategy::Prioritized,
            (Purchase::Spot, AllocationStrategy::Prioritized) => AllocationStrategy::LowestPrice,
            (_, a) => a,
        };
        out.push_str(&format!(
            "cp {} {:?} {:?} {allocation:?} {:?} {} {} {} {:?} {} {} {}\n",
            p.name,
            p.instance_types,
            p.purchase,
            p.availability_zones,
            p.min_size,
            p.max_size,
            p.desired_capacity,
            p.managed_scaling,
            p.managed_termination_protection,
            p.managed_draining,
            p.capacity_rebalance
        ));
    }
    // A template's resources come in the order of their logical ids.
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort_unstable();
    lines.join("\n")
}

fn reimport(exported: &export::Exported) -> Result<Imported, Vec<ImportError>> {
    let texts: Vec<(String, String)> = exported.documents.iter().map(|(n, v)| (n.clone(), v.to_string())).collect();
    let docs: Vec<Document> = texts.iter().map(|(name, text)| Document { name, text }).collect();
    import(&docs, "again")
}

#[test]
fn import_of_export_gives_back_what_the_documents_carry() {
    let original = describe_set().spec;
    for exported in [export::cli(&original), export::cloudformation(&original)] {
        let again = reimport(&exported).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(carried(&again.spec), carried(&original));
        assert!(exported.notes.iter().any(|n| n.contains("the image is not in a scenario")));
    }
}

#[test]
fn presets_round_trip_through_both_export_formats() {
    let mut checked = 0;
    for preset in crate::presets::all() {
        let spec: ScenarioSpec = serde_json::from_str(preset.json).expect("preset parses");
        // Services on Managed Instances or ECS Anywhere hosts need capacity these documents do not describe.
        if spec.services.is_empty()
            || !spec.managed_instances_providers.is_empty()
            || !spec.external_instances.is_empty()
        {
            continue;
        }
        for exported in [export::cli(&spec), export::cloudformation(&spec)] {
            match reimport(&exported) {
                Ok(again) => assert!(carried(&again.spec) == carried(&spec), "{}", preset.id),
                Err(e) => panic!("{}: {}", preset.id, e.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")),
            }
        }
        checked += 1;
    }
    assert!(checked > 10, "{checked} presets");
}

#[test]
fn many_documents_and_huge_ones_are_refused() {
    let many: Vec<Document> = (0..=MAX_DOCUMENTS).map(|_| Document { name: "a", text: TASKDEF_WEB }).collect();
    assert!(import(&many, "x").is_err());
    let huge = " ".repeat(MAX_DOCUMENT_BYTES + 1);
    let e = errors_of(&[("big.json", &huge)]);
    assert!(e[0].message.contains("larger than"));
}

#[cfg(feature = "yaml")]
#[test]
fn a_yaml_template_with_short_forms_imports() {
    let text = ALL[7].1;
    let imported = import(&[Document { name: "template.yaml", text }], "checkout").unwrap_or_else(|e| panic!("{e:?}"));
    let spec = &imported.spec;
    let td = &spec.task_definitions[0];
    assert_eq!((td.name.as_str(), td.cpu, td.memory, td.stop_timeout_s), ("checkout-api-prod", 512, 1024, 20.0));
    assert_eq!(td.health_check.as_ref().map(|h| (h.interval_s, h.start_period_s)), Some((10.0, 15.0)));
    let s = &spec.services[0];
    assert_eq!((s.name.as_str(), s.task_definition.as_str()), ("checkout-api", "checkout-api-prod"));
    // `!If` on a condition of `!Equals` over a parameter's default.
    assert_eq!(s.desired_count, 8);
    assert!(s.load_balancer.is_some());
    let p = &spec.capacity_providers[0];
    assert_eq!(
        (p.name.as_str(), p.purchase, p.allocation_strategy),
        ("BatchProvider", Purchase::Spot, AllocationStrategy::CapacityOptimized)
    );
    assert_eq!(p.instance_types, ["c5.large", "m5.large"]);
}

#[test]
fn references_that_multiply_stop_at_the_budget() {
    // Each level's `Fn::Sub` names the level below ten times: 10^12 characters if expanded.
    let mut sub = serde_json::json!(
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    );
    for _ in 0..12 {
        sub = serde_json::json!({ "Fn::Sub": ["${v}${v}${v}${v}${v}${v}${v}${v}${v}${v}", { "v": sub }] });
    }
    // Conditions that name the one below twice: 2^30 evaluations if not bounded.
    let mut conditions = serde_json::Map::new();
    for i in 0..30 {
        let next = format!("C{}", i + 1);
        conditions
            .insert(format!("C{i}"), serde_json::json!({ "Fn::And": [{ "Condition": next }, { "Condition": next }] }));
    }
    conditions.insert("C30".into(), serde_json::json!({ "Fn::Equals": ["a", "a"] }));
    let template = serde_json::json!({
        "Conditions": conditions,
        "Resources": {
            "Td": { "Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": "t", "Cpu": "256", "Memory": "512", "NetworkMode": "awsvpc", "RequiresCompatibilities": ["FARGATE"],
                "ContainerDefinitions": [{ "Name": "c", "Image": sub }] } },
            "Svc": { "Type": "AWS::ECS::Service", "Condition": "C0", "Properties": {
                "ServiceName": "s", "TaskDefinition": { "Ref": "Td" }, "DesiredCount": 1, "LaunchType": "FARGATE" } }
        }
    });
    let text = template.to_string();
    let imported = import(&[Document { name: "t.json", text: &text }], "x").unwrap_or_else(|e| panic!("{e:?}"));
    assert!(imported.notes.iter().any(|n| n.kind == NoteKind::Unresolved && n.message.contains("budget")));
    assert_eq!(imported.spec.services.len(), 1);
    assert!(imported.notes.iter().any(|n| n.path == "Resources.Svc.Condition" && n.kind == NoteKind::Unresolved));
}
