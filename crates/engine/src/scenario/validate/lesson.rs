//! The lesson (`lesson.steps`): bounded plain texts, times within the horizon, highlights that name a service, a
//! capacity provider or a chart the page has. The simulation ignores the lesson; only the page reads it.

use crate::spec::{HighlightSpec, ScenarioSpec};
use crate::time::SimTime;

use super::super::{Highlight, LessonStep, LESSON_CHARTS};
use super::Validator;

/// Steps per lesson: the engine's bound (a lesson in front of a room has a handful).
pub(super) const MAX_LESSON_STEPS: usize = 50;
/// Characters of a step's text (each language): a step is read aloud in a few sentences.
pub(super) const MAX_LESSON_TEXT_CHARS: usize = 600;

impl Validator {
    pub(super) fn lesson(&mut self, spec: &ScenarioSpec, horizon: SimTime) -> Vec<LessonStep> {
        let Some(lesson) = &spec.lesson else { return Vec::new() };
        if lesson.steps.is_empty() {
            self.err("lesson.steps", "a lesson needs at least one step (or leave `lesson` out)");
            return Vec::new();
        }
        if lesson.steps.len() > MAX_LESSON_STEPS {
            // Also reported by the totals, which stop the validation before this.
            return Vec::new();
        }
        let providers: Vec<&str> = ["FARGATE", "FARGATE_SPOT"]
            .into_iter()
            .chain(spec.capacity_providers.iter().map(|p| p.name.as_str()))
            .chain(spec.managed_instances_providers.iter().map(|p| p.name.as_str()))
            .chain(spec.external_instances.iter().map(|g| g.name.as_str()))
            .collect();
        let horizon_s = horizon.as_secs_f64();
        let mut steps = Vec::with_capacity(lesson.steps.len());
        for (i, step) in lesson.steps.iter().enumerate() {
            let field = format!("lesson.steps[{i}]");
            self.lesson_text(&format!("{field}.text"), &step.text);
            if let Some(ja) = &step.text_ja {
                self.lesson_text(&format!("{field}.text_ja"), ja);
            }
            let at = step.at_s.map(|s| SimTime(self.seconds(&format!("{field}.at_s"), s, 0.0, horizon_s.max(1.0))));
            let highlight = step.highlight.as_ref().and_then(|h| {
                let (kind, name, known) = match h {
                    HighlightSpec::Service(name) => ("service", name, spec.services.iter().any(|s| &s.name == name)),
                    HighlightSpec::Provider(name) => ("provider", name, providers.contains(&name.as_str())),
                    HighlightSpec::Chart(name) => ("chart", name, LESSON_CHARTS.contains(&name.as_str())),
                };
                if !known {
                    let choices = match h {
                        HighlightSpec::Service(_) => {
                            spec.services.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
                        }
                        HighlightSpec::Provider(_) => providers.join(", "),
                        HighlightSpec::Chart(_) => LESSON_CHARTS.join(", "),
                    };
                    let shown: String = name.chars().take(60).collect();
                    self.err(
                        format!("{field}.highlight.{kind}"),
                        format!("no {kind} named \"{shown}\" (the scenario has: {choices})"),
                    );
                    return None;
                }
                Some(match h {
                    HighlightSpec::Service(n) => Highlight::Service(n.clone()),
                    HighlightSpec::Provider(n) => Highlight::Provider(n.clone()),
                    HighlightSpec::Chart(n) => Highlight::Chart(n.clone()),
                })
            });
            steps.push(LessonStep { text: step.text.clone(), text_ja: step.text_ja.clone(), at, highlight });
        }
        steps
    }

    /// A step's text: not blank, at most [`MAX_LESSON_TEXT_CHARS`] characters, no control characters other than
    /// line breaks (the page shows it as text, never as HTML).
    fn lesson_text(&mut self, field: &str, text: &str) {
        let chars = text.chars().take(MAX_LESSON_TEXT_CHARS + 1).count();
        if text.trim().is_empty() {
            self.err(field, "must not be empty");
        } else if chars > MAX_LESSON_TEXT_CHARS {
            self.err(field, format!("at most {MAX_LESSON_TEXT_CHARS} characters"));
        } else if text.chars().any(|c| c.is_control() && c != '\n') {
            self.err(field, "must be plain text without control characters (line breaks are fine)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{problems, spec};
    use super::*;

    fn validate(lesson: &str) -> (Vec<String>, Vec<LessonStep>) {
        let spec = spec(&format!(r#""horizon_s": 600, "lesson": {lesson}"#));
        let mut v = Validator::default();
        let steps = v.lesson(&spec, SimTime(600_000));
        (problems(&v), steps)
    }

    #[test]
    fn steps_keep_their_order_times_and_highlights() {
        let (problems, steps) = validate(
            r#"{ "steps": [
                { "text": "Watch the launches.", "text_ja": "起動を見てください。", "at_s": 30, "highlight": { "chart": "launches" } },
                { "text": "The service.", "highlight": { "service": "web" } },
                { "text": "Spot.", "at_s": 600, "highlight": { "provider": "FARGATE_SPOT" } } ] }"#,
        );
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].at, Some(SimTime(30_000)));
        assert_eq!(steps[0].text_ja.as_deref(), Some("起動を見てください。"));
        assert_eq!(steps[0].highlight, Some(Highlight::Chart("launches".into())));
        assert_eq!(steps[1].highlight, Some(Highlight::Service("web".into())));
        assert_eq!((steps[1].at, steps[2].at), (None, Some(SimTime(600_000))));
        assert_eq!(steps[2].highlight, Some(Highlight::Provider("FARGATE_SPOT".into())));
    }

    #[test]
    fn every_bad_step_is_named() {
        let long = "x".repeat(MAX_LESSON_TEXT_CHARS + 1);
        let (problems, _) = validate(&format!(
            r#"{{ "steps": [
                {{ "text": " " }},
                {{ "text": "{long}" }},
                {{ "text": "ok", "text_ja": "bell\u0007", "at_s": 601 }},
                {{ "text": "ok", "highlight": {{ "service": "api" }} }},
                {{ "text": "ok", "highlight": {{ "provider": "asg" }} }},
                {{ "text": "ok", "highlight": {{ "chart": "nope" }} }} ] }}"#
        ));
        assert_eq!(
            problems,
            [
                "lesson.steps[0].text: must not be empty".to_string(),
                format!("lesson.steps[1].text: at most {MAX_LESSON_TEXT_CHARS} characters"),
                "lesson.steps[2].text_ja: must be plain text without control characters (line breaks are fine)"
                    .to_string(),
                "lesson.steps[2].at_s: must be between 0 and 600 seconds, got 601".to_string(),
                "lesson.steps[3].highlight.service: no service named \"api\" (the scenario has: web)".to_string(),
                "lesson.steps[4].highlight.provider: no provider named \"asg\" (the scenario has: FARGATE, FARGATE_SPOT)"
                    .to_string(),
                format!(
                    "lesson.steps[5].highlight.chart: no chart named \"nope\" (the scenario has: {})",
                    LESSON_CHARTS.join(", ")
                ),
            ]
        );
    }

    #[test]
    fn an_empty_lesson_and_too_many_steps_are_refused() {
        assert_eq!(
            validate(r#"{ "steps": [] }"#).0,
            ["lesson.steps: a lesson needs at least one step (or leave `lesson` out)"]
        );
        let steps = vec![r#"{ "text": "a" }"#; MAX_LESSON_STEPS + 1].join(",");
        let spec = spec(&format!(r#""lesson": {{ "steps": [{steps}] }}"#));
        let mut v = Validator::default();
        assert!(!v.totals(&spec));
        assert_eq!(problems(&v), [format!("lesson.steps: at most {MAX_LESSON_STEPS} (the engine's limit), got 51")]);
    }

    #[test]
    fn unknown_fields_in_a_step_are_format_errors() {
        let err = crate::scenario::parse_spec(
            r#"{ "version": 1, "name": "t", "task_definitions": [], "lesson": { "steps": [{ "text": "a", "html": "<b>" }] } }"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("html"), "{err}");
    }
}
