//! Views made by hand for the cluster view's unit tests.

use fleetplan_engine::instance::InstanceState;
use fleetplan_engine::output::{InstanceView, PoolView, ProviderView};
use fleetplan_engine::scenario::CapacityType;
use fleetplan_engine::task::TaskState;
use fleetplan_engine::View;

use super::DRAWN;

pub(super) fn pools(fargate: [u32; 8], spot: [u32; 8]) -> Vec<PoolView> {
    CapacityType::ALL
        .iter()
        .map(|c| PoolView {
            capacity: *c,
            by_state: match c {
                CapacityType::Fargate => fargate,
                CapacityType::FargateSpot => spot,
                _ => [0; 8],
            },
        })
        .collect()
}

pub(super) fn view(pools: Vec<PoolView>, providers: Vec<ProviderView>, instances: Vec<InstanceView>) -> View {
    View {
        time_s: 10.0,
        finished: false,
        pools,
        services: Vec::new(),
        buckets: Vec::new(),
        spot_capacity_waiting: 0,
        providers,
        instances,
        task_retirement: None,
        batch: None,
    }
}

pub(super) fn provider(name: &str, zones: usize, waiting: u32) -> ProviderView {
    ProviderView {
        name: name.to_string(),
        capacity: CapacityType::Ec2OnDemand,
        zones: (0..zones).map(|z| format!("us-east-1{}", (b'a' + z as u8) as char)).collect(),
        waiting,
        reservation: Some(120),
        failed_launches: 0,
        pools_out_of_capacity: Vec::new(),
        managed_instances: false,
    }
}

/// An instance with `tasks` tasks of 256 CPU units / 512 MiB on a 4 vCPU / 8 GiB host (room for 16).
pub(super) fn instance(index: u32, provider: u16, zone: u16, state: InstanceState, by_state: [u32; 8]) -> InstanceView {
    let tasks: u32 = by_state.iter().take(DRAWN).sum();
    InstanceView {
        index,
        id: format!("i-{index:017x}"),
        provider: format!("asg-{provider}"),
        provider_index: provider,
        instance_type: "m5.xlarge",
        zone: format!("us-east-1{}", (b'a' + zone as u8) as char),
        zone_index: zone,
        state,
        interruption_notice: false,
        rebalance_recommended: false,
        launched_s: 1.0,
        cpu_used: tasks * 256,
        cpu_total: 4096,
        memory_used: tasks * 512,
        memory_total: 16384,
        tasks,
        by_state,
        credit_balance: None,
        throttled: false,
    }
}

/// `n` instances spread over `providers` × 3 zones, `tasks_each` tasks each in a mix of states.
pub(super) fn fleet(providers: u16, n: u32, tasks_each: u32) -> View {
    let mut instances = Vec::new();
    for i in 0..n {
        let mut by_state = [0; 8];
        by_state[TaskState::Running.index()] = tasks_each.saturating_sub(tasks_each / 4);
        by_state[TaskState::Pending.index()] = tasks_each / 8;
        by_state[TaskState::Provisioning.index()] = tasks_each / 4 - tasks_each / 8;
        by_state[TaskState::Stopped.index()] = 5;
        let state = [InstanceState::Active, InstanceState::Launching, InstanceState::Draining, InstanceState::Active]
            [i as usize % 4];
        // Index gaps like a real run (terminated instances are left out of the view).
        instances.push(instance(i * 2 + 1, (i % u32::from(providers)) as u16, (i % 3) as u16, state, by_state));
    }
    let providers = (0..providers).map(|p| provider(&format!("asg-{p}"), 3, 7)).collect();
    view(pools([0, 0, 3, 40, 0, 0, 0, 9], [0; 8]), providers, instances)
}
