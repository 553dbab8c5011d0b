//! A validated scenario: the spec checked field by field, defaults filled in, names resolved to indices, seconds
//! turned into integer milliseconds. The simulation only ever sees a [`Scenario`], so it never meets a bad value.
//!
//! [`types`] holds what the simulation reads, [`error`] what a refused file reports, and `validate` turns a
//! [`ScenarioSpec`] into a [`Scenario`], one part of the file per module (settings, capacity, workloads, events).

pub mod error;
pub mod types;
mod validate;

pub use error::{FieldError, ScenarioError};
pub use types::*;

use crate::defaults as d;
use crate::spec::ScenarioSpec;

impl Scenario {
    /// Parses and validates scenario JSON. Format errors name the field path; invalid values are all listed.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let spec = parse_spec(text)?;
        Scenario::from_spec(spec)
    }

    /// Validates a spec.
    pub fn from_spec(spec: ScenarioSpec) -> Result<Scenario, ScenarioError> {
        let mut v = validate::Validator::default();
        let scenario = v.scenario(&spec);
        if v.errors.is_empty() {
            Ok(scenario)
        } else {
            Err(ScenarioError::Invalid(v.errors))
        }
    }
}

/// Parses scenario JSON into a spec without validating values.
pub fn parse_spec(text: &str) -> Result<ScenarioSpec, ScenarioError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let spec: ScenarioSpec = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." || path.is_empty() { "scenario".to_string() } else { path };
        ScenarioError::Format(FieldError { field, message: err.into_inner().to_string() })
    })?;
    de.end().map_err(|err| ScenarioError::Format(FieldError { field: "scenario".into(), message: err.to_string() }))?;
    Ok(spec)
}

/// The deployment rounding rules of domain.md section 3: (minimum healthy tasks, maximum running tasks).
pub fn deployment_bounds(desired: u32, minimum_healthy_percent: u32, maximum_percent: u32) -> (u32, u32) {
    let desired = u64::from(desired);
    let min_healthy = (desired * u64::from(minimum_healthy_percent)).div_ceil(100);
    let max_running = desired * u64::from(maximum_percent) / 100;
    (min_healthy as u32, max_running as u32)
}

/// The circuit breaker's failure threshold: clamp(ceil(0.5 x desired), min, 200).
pub fn circuit_breaker_threshold(desired: u32, min: u32) -> u32 {
    desired.div_ceil(2).clamp(min, d::CIRCUIT_BREAKER_MAX.max(min))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_rounding_examples_of_the_domain() {
        // desired 4 at 50% min healthy: 2 old tasks may stop first.
        assert_eq!(deployment_bounds(4, 50, 200).0, 2);
        // desired 2 at 75%: ceil(1.5) = 2, so none can stop first.
        assert_eq!(deployment_bounds(2, 75, 200).0, 2);
        // desired 4 at 200% max: 8 may run, so 4 new tasks start first.
        assert_eq!(deployment_bounds(4, 100, 200).1, 8);
        // both at 100%: minimum = maximum = desired, no room to start or stop.
        assert_eq!(deployment_bounds(4, 100, 100), (4, 4));
        // floor for the maximum: desired 3 at 150% = 4.5 -> 4.
        assert_eq!(deployment_bounds(3, 100, 150).1, 4);
    }

    #[test]
    fn circuit_breaker_thresholds() {
        assert_eq!(circuit_breaker_threshold(1000, 10), 200);
        assert_eq!(circuit_breaker_threshold(100, 10), 50);
        assert_eq!(circuit_breaker_threshold(4, 10), 10);
        assert_eq!(circuit_breaker_threshold(4, 3), 3);
        assert_eq!(circuit_breaker_threshold(7, 3), 4);
    }
}
