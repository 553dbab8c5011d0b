//! A validated scenario: the spec checked field by field, defaults filled in, names resolved to indices, seconds
//! turned into integer milliseconds. The simulation only ever sees a [`Scenario`], so it never meets a bad value.
//!
//! [`types`] holds what the simulation reads, [`error`] what a refused file reports, and `validate` turns a
//! [`ScenarioSpec`] into a [`Scenario`], one part of the file per module (settings, capacity, workloads, events).

pub mod error;
mod format_path;
pub mod types;
mod validate;
pub(crate) use validate::{setting_default, settings_under, spot_capacity_per_s};

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

impl Scenario {
    /// A title made from what the scenario holds, never from its free-text name: "1 service, 0 to 2,500 tasks on
    /// FARGATE", "3 services, 0 to 3,000 tasks on FARGATE and FARGATE_SPOT; RunTask 200 tasks". The page shows it
    /// once the scenario was edited, so an edited desired count never leaves an old count in the title (a preset's
    /// name states its counts in words).
    pub fn headline(&self) -> String {
        let mut providers: Vec<&str> = Vec::new();
        let mut add = |strategy: &Strategy| {
            for item in &strategy.items {
                let name = self.provider_name(item.provider);
                if !providers.contains(&name) {
                    providers.push(name);
                }
            }
        };
        for s in &self.services {
            add(&s.strategy);
        }
        for w in &self.run_tasks {
            add(&w.strategy);
        }
        let mut parts = Vec::new();
        if !self.services.is_empty() {
            let n = self.services.len();
            let desired: u64 = self.services.iter().map(|s| u64::from(s.desired)).sum();
            parts.push(format!(
                "{} service{}, 0 to {} tasks",
                thousands(n as u64),
                if n == 1 { "" } else { "s" },
                thousands(desired)
            ));
        }
        if !self.run_tasks.is_empty() {
            let count: u64 = self.run_tasks.iter().map(|w| u64::from(w.count)).sum();
            let bursts = self.run_tasks.len();
            let calls = if bursts == 1 { String::new() } else { format!(" in {} bursts", thousands(bursts as u64)) };
            parts.push(format!("RunTask {} tasks{calls}", thousands(count)));
        }
        let on = match providers.as_slice() {
            [] => String::new(),
            [one] => format!(" on {one}"),
            [rest @ .., last] => format!(" on {} and {last}", rest.join(", ")),
        };
        match parts.as_slice() {
            [] => self.name.clone(),
            [one] => format!("{one}{on}"),
            _ => format!("{}{on}", parts.join("; ")),
        }
    }
}

/// 2500 as "2,500".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Parses scenario JSON into a spec without validating values. A format error names its field: serde_json's own
/// line and column, read back to a path by `format_path` (only when the text is refused, so the wasm carries one
/// reader of the format).
pub fn parse_spec(text: &str) -> Result<ScenarioSpec, ScenarioError> {
    // Editors on Windows save UTF-8 with a byte order mark; JSON parsers reject it, people do not expect that.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let spec = <ScenarioSpec as serde::Deserialize>::deserialize(&mut de).map_err(|err| {
        let message = err.to_string();
        // A JSON syntax error (a stray comma, text cut short) has a line and column, not a field.
        let syntax = matches!(err.classify(), serde_json::error::Category::Syntax | serde_json::error::Category::Eof);
        let path = if syntax { String::new() } else { format_path::path_at(text, err.line(), err.column(), &message) };
        let field = if syntax || path == "." || path.is_empty() { "scenario".to_string() } else { path };
        ScenarioError::Format(FieldError { field, message })
    })?;
    de.end().map_err(|err| ScenarioError::Format(FieldError { field: "scenario".into(), message: err.to_string() }))?;
    Ok(spec)
}

#[cfg(test)]
mod headline_tests {
    use super::*;

    #[test]
    fn the_headline_counts_what_the_scenario_holds() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2_500), "2,500");
        assert_eq!(thousands(1_234_567), "1,234,567");
        let mut spec: serde_json::Value = serde_json::from_str(
            r#"{ "version": 1, "name": "Fargate On-Demand, 0 to 1,000 tasks",
                "task_definitions": [{ "name": "web", "cpu": 256, "memory": 512 }],
                "services": [{ "name": "web", "task_definition": "web", "desired_count": 1000 }] }"#,
        )
        .unwrap();
        let headline = |v: &serde_json::Value| Scenario::from_json(&v.to_string()).unwrap().headline();
        assert_eq!(headline(&spec), "1 service, 0 to 1,000 tasks on FARGATE");
        spec["services"][0]["desired_count"] = 2_500.into();
        assert_eq!(headline(&spec), "1 service, 0 to 2,500 tasks on FARGATE", "the name still says 1,000");
        spec["services"][0]["capacity_provider_strategy"] = serde_json::json!([
            { "capacity_provider": "FARGATE", "weight": 1 }, { "capacity_provider": "FARGATE_SPOT", "weight": 1 }]);
        spec["run_tasks"] = serde_json::json!([{ "name": "job", "task_definition": "web", "count": 200 }]);
        assert_eq!(headline(&spec), "1 service, 0 to 2,500 tasks; RunTask 200 tasks on FARGATE and FARGATE_SPOT");
    }
}
