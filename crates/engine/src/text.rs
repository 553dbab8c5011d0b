//! Text the engine gives for people to read (a step's caption, a chart marker's label, an explanation's hold), as a
//! typed value: an English template with named `{placeholders}` and their arguments. `to_string()` fills the
//! template in English (the CLI, `--json`, tests); the page looks the template up in its catalogue
//! (`static/i18n/ja.json`, section `engine`) and fills the translation with the same arguments through
//! [`Text::render`], so the engine holds no other language. Every template is a literal passed to [`Text::new`]: the
//! page's tests find them in the engine's source and check each has a Japanese entry with the same placeholders.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// An English template and the values of its placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub template: Cow<'static, str>,
    pub args: Vec<(Cow<'static, str>, Arg)>,
}

/// A placeholder's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arg {
    /// Shown as it is in every language: a number, an id, a name from the scenario.
    Plain(String),
    /// A name the engine gives (a limiter, a bucket): translated like a template.
    Name(Cow<'static, str>),
    /// A text of its own (a clause), rendered first.
    Text(Box<Text>),
}

impl Text {
    /// A text from its English template.
    pub fn new(template: &'static str) -> Text {
        Text { template: Cow::Borrowed(template), args: Vec::new() }
    }

    /// A text made elsewhere (the page's own marker labels, already in its language): no placeholders.
    pub fn literal(text: String) -> Text {
        Text { template: Cow::Owned(text), args: Vec::new() }
    }

    /// `{name}` is `value`, shown as it is.
    #[must_use]
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Text {
        self.args.push((Cow::Borrowed(name), Arg::Plain(value.to_string())));
        self
    }

    /// `{name}` is an engine name (translated where shown).
    #[must_use]
    pub fn name(mut self, name: &'static str, value: &'static str) -> Text {
        self.args.push((Cow::Borrowed(name), Arg::Name(Cow::Borrowed(value))));
        self
    }

    /// `{name}` is another text.
    #[must_use]
    pub fn text(mut self, name: &'static str, value: Text) -> Text {
        self.args.push((Cow::Borrowed(name), Arg::Text(Box::new(value))));
        self
    }

    /// The text with `translate` applied to its template, its names and its clauses' templates (the identity gives
    /// the English). Each `{name}` is replaced in one pass, so a value that contains `{…}` is never filled again.
    pub fn render(&self, translate: &dyn Fn(&str) -> String) -> String {
        fill_placeholders(&translate(&self.template), |key| {
            self.args.iter().find(|(n, _)| n == key).map(|(_, value)| match value {
                Arg::Plain(s) => s.clone(),
                Arg::Name(n) => translate(n),
                Arg::Text(t) => t.render(translate),
            })
        })
    }
}

/// Replaces each `{name}` in `template` with `value(name)` in one pass, so a value that itself contains `{…}` (a
/// scenario or service name) is never filled again; a name with no value is left as it is. [`Text::render`] and the
/// page's own templates (`web/src/i18n`) fill with it.
pub fn fill_placeholders(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| value(&after[..close]).map(|text| (close, text))) {
            Some((close, text)) => {
                out.push_str(&text);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&|s| s.to_string()))
    }
}

/// Marks an engine name the page translates (passed as [`Text::name`]): the page's tests find the literal.
pub const fn mark(en: &'static str) -> &'static str {
    en
}

/// "1 task" or "{n} tasks": English needs the two templates, other languages may give both the same.
pub fn tasks(n: u64) -> Text {
    counted(n, Text::new("1 task"), Text::new("{n} tasks"))
}

/// `one` when `n` is 1, else `many` with its `{n}` filled: each caller names both templates as literals, so the
/// page's tests find them.
pub fn counted(n: u64, one: Text, many: Text) -> Text {
    if n == 1 {
        one
    } else {
        many.arg("n", n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_fills_the_template_and_a_translation_keeps_the_arguments() {
        let text = Text::new("{who} waits for the {bucket}; {n}")
            .arg("who", "{n}")
            .name("bucket", "Fargate Spot launch bucket")
            .text("n", tasks(3));
        assert_eq!(text.to_string(), "{n} waits for the Fargate Spot launch bucket; 3 tasks");
        let translated = text.render(&|s| match s {
            "{who} waits for the {bucket}; {n}" => "[{who}|{bucket}|{n}]".to_string(),
            "{n} tasks" => "{n} 件".to_string(),
            other => other.to_uppercase(),
        });
        assert_eq!(translated, "[{n}|FARGATE SPOT LAUNCH BUCKET|3 件]");
        assert_eq!(tasks(1).to_string(), "1 task");
        // A name with no value and an unclosed brace stay as written.
        assert_eq!(Text::new("{x} {").to_string(), "{x} {");
    }
}
