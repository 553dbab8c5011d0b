//! Why a scenario was refused: the problems, each naming the field it is about.

use std::fmt;

/// One problem in a scenario: the field (a path like `services[0].desired_count`) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// How many problems the text form lists: a file with 65,536 bad entries must not print megabytes; the first
/// few name the mistake, the count says how widespread it is. [`ScenarioError::problems`] still has them all.
pub const SHOWN_PROBLEMS: usize = 50;

/// Why a scenario could not be loaded: it is not valid JSON for the format, or it breaks the model's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    /// The text is not JSON, or a field has the wrong type or name.
    Format(FieldError),
    /// Well-formed, but some values are invalid; every problem found is listed.
    Invalid(Vec<FieldError>),
}

impl ScenarioError {
    pub fn problems(&self) -> Vec<FieldError> {
        match self {
            ScenarioError::Format(e) => vec![e.clone()],
            ScenarioError::Invalid(list) => list.clone(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Format(e) => write!(f, "scenario file is malformed: {e}"),
            ScenarioError::Invalid(list) => {
                write!(f, "scenario is invalid:")?;
                for e in list.iter().take(SHOWN_PROBLEMS) {
                    write!(f, "\n  - {e}")?;
                }
                if list.len() > SHOWN_PROBLEMS {
                    write!(f, "\n  ... and {} more problems", list.len() - SHOWN_PROBLEMS)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ScenarioError {}
