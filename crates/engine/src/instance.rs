//! Container instance states, shared by the simulation and its outputs (trace, view).

/// Where a container instance is in its life: launching → registering → ACTIVE → (DRAINING) → terminated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum InstanceState {
    Launching,
    Registering,
    Active,
    Draining,
    Terminated,
}

impl InstanceState {
    pub fn name(self) -> &'static str {
        match self {
            InstanceState::Launching => "LAUNCHING",
            InstanceState::Registering => "REGISTERING",
            InstanceState::Active => "ACTIVE",
            InstanceState::Draining => "DRAINING",
            InstanceState::Terminated => "TERMINATED",
        }
    }
}
