//! Capacity providers (`describe-capacity-providers`, `create-capacity-provider`, `AWS::ECS::CapacityProvider`) and
//! their Auto Scaling groups (`describe-auto-scaling-groups`, `create-auto-scaling-group`,
//! `AWS::AutoScaling::AutoScalingGroup`).

use std::collections::BTreeMap;

use super::read::{Ctx, Obj};
use super::{NoteKind, Origin};
use crate::spec::{AllocationStrategy, ManagedScalingSpec, Purchase};

/// An Auto Scaling group capacity provider, its group still a reference (a name or an ARN).
pub(super) struct ProviderDraft {
    pub name: String,
    pub asg_ref: String,
    pub managed_scaling: Option<ManagedScalingSpec>,
    pub managed_termination_protection: bool,
    pub managed_draining: bool,
    pub origin: Origin,
}

/// An Auto Scaling group: what a capacity provider over it needs.
pub(super) struct AsgDraft {
    pub name: String,
    pub arn: Option<String>,
    pub instance_types: Vec<String>,
    pub purchase: Purchase,
    pub allocation_strategy: AllocationStrategy,
    pub availability_zones: Option<Vec<String>>,
    pub min_size: u32,
    pub max_size: u32,
    pub desired_capacity: u32,
    pub capacity_rebalance: bool,
    pub origin: Origin,
    /// Problems that matter only if a capacity provider uses the group (a group of other workloads may be in the
    /// same describe output).
    pub pending_errors: Vec<super::ImportError>,
}

/// One capacity provider. `None` for FARGATE / FARGATE_SPOT (built in) and providers of other kinds, after saying so.
pub(super) fn provider(mut o: Obj, name: Option<String>, ctx: &mut Ctx) -> Option<ProviderDraft> {
    let mut origin = Origin::new(&ctx.source, &o.path);
    let own = o.str("name", ctx).map(|(s, _)| s.to_string());
    o.known(
        &["capacityProviderArn", "status", "updateStatus", "updateStatusReason", "type"],
        NoteKind::ReadOnly,
        "state reported by a describe call, not configuration",
        ctx,
    );
    o.known(&["tags", "cluster"], NoteKind::NotModelled, "not modelled", ctx);
    o.known(
        &["managedInstancesProvider"],
        NoteKind::NotModelled,
        "Managed Instances providers are imported only from a scenario's managed_instances_providers, not from AWS JSON yet",
        ctx,
    );
    let Some(name) = own.or(name) else {
        ctx.error(&o.path, "a capacity provider needs a `name`");
        o.finish(ctx);
        return None;
    };
    if name == "FARGATE" || name == "FARGATE_SPOT" {
        ctx.note(&o.path, NoteKind::Assumed, format!("`{name}` is built in"));
        o.finish(ctx);
        return None;
    }
    let Some(mut asg) = o.obj("autoScalingGroupProvider", ctx) else {
        ctx.note(
            &o.path,
            NoteKind::NotModelled,
            format!("capacity provider `{name}` has no autoScalingGroupProvider; not imported"),
        );
        o.finish(ctx);
        return None;
    };
    let asg_ref = match asg.str("autoScalingGroupArn", ctx) {
        Some((s, path)) => {
            origin.field("", path);
            s.to_string()
        }
        None => {
            ctx.error(&asg.path, "an Auto Scaling group provider needs `autoScalingGroupArn`");
            String::new()
        }
    };
    let mut managed_scaling = None;
    if let Some(mut ms) = asg.obj("managedScaling", ctx) {
        origin.field("managed_scaling", ms.path.clone());
        // CreateCapacityProvider, ManagedScaling.status: "Determines whether to use managed scaling for the
        // capacity provider"; left out, the console and API turn it on when the block is given.
        let enabled = ms.enabled("status", ctx).is_none_or(|(b, _)| b);
        let mut spec = ManagedScalingSpec {
            target_capacity: crate::defaults::MANAGED_SCALING_TARGET_CAPACITY,
            minimum_scaling_step_size: crate::defaults::MANAGED_SCALING_MINIMUM_STEP,
            maximum_scaling_step_size: crate::defaults::MANAGED_SCALING_MAXIMUM_STEP,
            instance_warmup_period_s: crate::defaults::MANAGED_SCALING_INSTANCE_WARMUP_S,
        };
        if let Some((n, _)) = ms.u32("targetCapacity", ctx) {
            spec.target_capacity = n;
        }
        if let Some((n, _)) = ms.u32("minimumScalingStepSize", ctx) {
            spec.minimum_scaling_step_size = n;
        }
        if let Some((n, _)) = ms.u32("maximumScalingStepSize", ctx) {
            spec.maximum_scaling_step_size = n;
        }
        if let Some((n, _)) = ms.u32("instanceWarmupPeriod", ctx) {
            spec.instance_warmup_period_s = f64::from(n);
        }
        ms.finish(ctx);
        if enabled {
            managed_scaling = Some(spec);
        }
    }
    let managed_termination_protection = asg.enabled("managedTerminationProtection", ctx).is_some_and(|(b, _)| b);
    origin.field("managed_termination_protection", super::read::join(&asg.path, "managedTerminationProtection"));
    // "managedDraining ... The default value is ENABLED" (AutoScalingGroupProvider).
    let managed_draining = asg.enabled("managedDraining", ctx).is_none_or(|(b, _)| b);
    asg.finish(ctx);
    o.finish(ctx);
    Some(ProviderDraft { name, asg_ref, managed_scaling, managed_termination_protection, managed_draining, origin })
}

const ASG_READ_ONLY: &[&str] = &[
    "AutoScalingGroupARN",
    "Instances",
    "CreatedTime",
    "Status",
    "SuspendedProcesses",
    "EnabledMetrics",
    "WarmPoolSize",
    "PredictedCapacity",
];

const ASG_NOT_MODELLED: &[&str] = &[
    "DefaultCooldown",
    "HealthCheckType",
    "HealthCheckGracePeriod",
    "VPCZoneIdentifier",
    "Tags",
    "TerminationPolicies",
    "NewInstancesProtectedFromScaleIn",
    "ServiceLinkedRoleARN",
    "LoadBalancerNames",
    "TargetGroupARNs",
    "DesiredCapacityType",
    "DefaultInstanceWarmup",
    "TrafficSources",
    "MaxInstanceLifetime",
    "PlacementGroup",
    "MetricsCollection",
    "NotificationConfigurations",
    "LifecycleHookSpecificationList",
    "Context",
    "InstanceMaintenancePolicy",
    "AvailabilityZoneDistribution",
    "AvailabilityZoneImpairmentPolicy",
    "SkipZonalShiftValidation",
    "CapacityReservationSpecification",
    "InstanceId",
];

/// One Auto Scaling group. `launch_templates` maps a template's name (CloudFormation: its logical id) to its
/// instance type, for groups that take their type from the launch template.
pub(super) fn auto_scaling_group(
    mut o: Obj,
    name: Option<String>,
    launch_templates: &BTreeMap<String, String>,
    ctx: &mut Ctx,
) -> Option<AsgDraft> {
    let errors_before = ctx.errors.len();
    let mut origin = Origin::new(&ctx.source, &o.path);
    let own = o.str("AutoScalingGroupName", ctx).map(|(s, _)| s.to_string());
    let arn = o.str("AutoScalingGroupARN", ctx).map(|(s, _)| s.to_string());
    o.known(ASG_READ_ONLY, NoteKind::ReadOnly, "state reported by a describe call, not configuration", ctx);
    o.known(ASG_NOT_MODELLED, NoteKind::NotModelled, "not modelled", ctx);
    o.known(
        &["WarmPoolConfiguration"],
        NoteKind::NotModelled,
        "warm pools are not simulated yet (README, Scenarios)",
        ctx,
    );
    let Some(name) = own.or(name) else {
        ctx.error(&o.path, "an Auto Scaling group needs an `AutoScalingGroupName`");
        o.finish(ctx);
        return None;
    };
    let size = |key: &str, field: &'static str, o: &mut Obj, ctx: &mut Ctx, origin: &mut Origin| {
        o.u32(key, ctx).map(|(n, path)| {
            origin.field(field, path);
            n
        })
    };
    let min_size = size("MinSize", "min_size", &mut o, ctx, &mut origin).unwrap_or(0);
    let max_size = size("MaxSize", "max_size", &mut o, ctx, &mut origin).unwrap_or_else(|| {
        ctx.error(&o.path, format!("Auto Scaling group `{name}` needs a `MaxSize`"));
        0
    });
    // "DesiredCapacity ... If you do not specify a desired capacity, the default is the minimum size of the group"
    // (CreateAutoScalingGroup).
    let desired_capacity = size("DesiredCapacity", "desired_capacity", &mut o, ctx, &mut origin).unwrap_or(min_size);
    let capacity_rebalance = o.bool("CapacityRebalance", ctx).is_some_and(|(b, _)| b);
    origin.field("capacity_rebalance", super::read::join(&o.path, "CapacityRebalance"));
    let availability_zones = match o.array("AvailabilityZones", ctx) {
        Some((list, path)) => {
            origin.field("availability_zones", path.clone());
            let zones: Vec<String> = list.iter().filter_map(|z| z.as_str().map(str::to_string)).collect();
            if zones.len() != list.len() {
                ctx.error(&path, "expected a list of zone names");
            }
            Some(zones)
        }
        None => {
            ctx.note(
                &o.path,
                NoteKind::Assumed,
                "no AvailabilityZones (subnets name them, and are not modelled): the scenario's default zones",
            );
            None
        }
    };
    let mut instance_types = Vec::new();
    let mut purchase = Purchase::OnDemand;
    let mut allocation_strategy = AllocationStrategy::Prioritized;
    let template_type = |o: &mut Obj, key: &str, ctx: &mut Ctx| -> Option<String> {
        let mut lt = o.obj(key, ctx)?;
        let id =
            lt.str("LaunchTemplateName", ctx).or_else(|| lt.str("LaunchTemplateId", ctx)).map(|(s, _)| s.to_string());
        lt.known(&["Version", "LaunchTemplateId", "LaunchTemplateName"], NoteKind::NotModelled, "not modelled", ctx);
        let path = lt.path.clone();
        lt.finish(ctx);
        match id.as_ref().and_then(|id| launch_templates.get(id)) {
            Some(t) => Some(t.clone()),
            None => {
                ctx.error(
                    &path,
                    "the instance type is in the launch template, which these documents do not hold: give the group MixedInstancesPolicy overrides, or a template with its AWS::EC2::LaunchTemplate",
                );
                None
            }
        }
    };
    if let Some(mut mip) = o.obj("MixedInstancesPolicy", ctx) {
        origin.field("instance_types", mip.path.clone());
        let mut on_demand_base = 0;
        let mut on_demand_percent = 100;
        let mut spot_strategy = None;
        if let Some(mut dist) = mip.obj("InstancesDistribution", ctx) {
            if let Some((n, _)) = dist.u32("OnDemandBaseCapacity", ctx) {
                on_demand_base = n;
            }
            if let Some((n, _)) = dist.u32("OnDemandPercentageAboveBaseCapacity", ctx) {
                on_demand_percent = n;
            }
            spot_strategy = dist.str("SpotAllocationStrategy", ctx);
            if let Some((s, path)) = dist.str("OnDemandAllocationStrategy", ctx) {
                if s != "prioritized" {
                    ctx.note(
                        &path,
                        NoteKind::NotModelled,
                        format!("`{s}`: On-Demand groups launch in the overrides' order (prioritized)"),
                    );
                }
            }
            dist.known(&["SpotInstancePools", "SpotMaxPrice"], NoteKind::NotModelled, "not modelled", ctx);
            let path = dist.path.clone();
            dist.finish(ctx);
            // A group is one purchase option in the model.
            purchase = if on_demand_percent == 0 && on_demand_base == 0 {
                Purchase::Spot
            } else if on_demand_percent >= 50 {
                if on_demand_percent < 100 {
                    ctx.note(&path, NoteKind::NotModelled, format!("{on_demand_percent}% On-Demand above base: a group is one purchase option in the model; imported as On-Demand"));
                }
                Purchase::OnDemand
            } else {
                ctx.note(&path, NoteKind::NotModelled, format!("{on_demand_percent}% On-Demand above a base of {on_demand_base}: a group is one purchase option in the model; imported as Spot"));
                Purchase::Spot
            };
        }
        if purchase == Purchase::Spot {
            // "SpotAllocationStrategy ... The default is lowest-price" (InstancesDistribution).
            allocation_strategy = match spot_strategy {
                None | Some(("lowest-price", _)) => AllocationStrategy::LowestPrice,
                Some(("capacity-optimized", _)) => AllocationStrategy::CapacityOptimized,
                Some(("capacity-optimized-prioritized", path)) => {
                    ctx.note(&path, NoteKind::NotModelled, "the priority part is not modelled: capacity-optimized");
                    AllocationStrategy::CapacityOptimized
                }
                Some(("price-capacity-optimized", _)) => AllocationStrategy::PriceCapacityOptimized,
                Some((other, path)) => {
                    ctx.error(&path, format!("unknown Spot allocation strategy `{other}`"));
                    AllocationStrategy::LowestPrice
                }
            };
        }
        if let Some(mut lt) = mip.obj("LaunchTemplate", ctx) {
            if let Some((list, path)) = lt.array("Overrides", ctx) {
                for (i, item) in list.iter().enumerate() {
                    let Some(mut ov) = Obj::of(item, format!("{path}[{i}]"), ctx) else { continue };
                    match ov.str("InstanceType", ctx) {
                        Some((t, _)) => instance_types.push(t.to_string()),
                        None => ctx.error(
                            &ov.path,
                            "an override without InstanceType (instance requirements) is not modelled: name the types",
                        ),
                    }
                    ov.known(
                        &["WeightedCapacity", "LaunchTemplateSpecification", "InstanceRequirements"],
                        NoteKind::NotModelled,
                        "not modelled",
                        ctx,
                    );
                    ov.finish(ctx);
                }
            }
            if instance_types.is_empty() {
                instance_types.extend(template_type(&mut lt, "LaunchTemplateSpecification", ctx));
            } else {
                lt.known(
                    &["LaunchTemplateSpecification"],
                    NoteKind::NotModelled,
                    "the overrides name the instance types; the rest of the launch template is not modelled",
                    ctx,
                );
            }
            lt.finish(ctx);
        }
        mip.finish(ctx);
    } else if o.has("LaunchTemplate") {
        origin.field("instance_types", super::read::join(&o.path, "LaunchTemplate"));
        instance_types.extend(template_type(&mut o, "LaunchTemplate", ctx));
    } else if let Some((_, path)) = o.str("LaunchConfigurationName", ctx) {
        ctx.error(
            &path,
            "launch configurations are not read: give the group a launch template with MixedInstancesPolicy overrides",
        );
    } else {
        ctx.error(&o.path, format!("Auto Scaling group `{name}` names no instance type (MixedInstancesPolicy overrides or a launch template)"));
    }
    o.finish(ctx);
    let pending_errors = ctx.errors.split_off(errors_before);
    Some(AsgDraft {
        name,
        arn,
        instance_types,
        purchase,
        allocation_strategy,
        availability_zones,
        min_size,
        max_size,
        desired_capacity,
        capacity_rebalance,
        origin,
        pending_errors,
    })
}

/// Whether a provider's `autoScalingGroupArn` names this group: its ARN, its name, or an ARN ending in
/// `autoScalingGroupName/<name>`.
pub(super) fn names_group(reference: &str, group: &AsgDraft) -> bool {
    reference == group.name
        || group.arn.as_deref() == Some(reference)
        || reference.rsplit_once("autoScalingGroupName/").is_some_and(|(_, n)| n == group.name)
}
