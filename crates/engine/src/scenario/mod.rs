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
        // Sizes first: a list over its limit is not walked item by item (see `validate::totals`).
        if !v.totals(&spec) {
            return Err(ScenarioError::Invalid(v.errors));
        }
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
    // Editors on Windows save UTF-8 with a byte order mark; JSON parsers reject it, people do not expect that.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let spec: ScenarioSpec = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." || path.is_empty() { "scenario".to_string() } else { path };
        ScenarioError::Format(FieldError { field, message: err.into_inner().to_string() })
    })?;
    de.end().map_err(|err| ScenarioError::Format(FieldError { field: "scenario".into(), message: err.to_string() }))?;
    Ok(spec)
}
