//! Container instance states, shared by the simulation and its outputs (trace, view).

use std::fmt;

use serde::Serialize;

/// Where a container instance is in its life: launching → registering → ACTIVE → (DRAINING) → terminated.
/// Serialises as its [`name`](InstanceState::name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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

impl fmt::Display for InstanceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::InstanceState;

    #[test]
    fn serialises_as_its_name() {
        for state in [
            InstanceState::Launching,
            InstanceState::Registering,
            InstanceState::Active,
            InstanceState::Draining,
            InstanceState::Terminated,
        ] {
            assert_eq!(serde_json::to_string(&state).unwrap(), format!("\"{}\"", state.name()));
        }
    }
}
