//! The cluster query language of `memberOf` placement constraints (a documented subset): a parser whose errors name
//! the character position and what was expected there, and an evaluator over one container instance's attributes.
//!
//! # Supported grammar
//!
//! After the ECS Developer Guide, "Create expressions to define container instances for Amazon ECS tasks" (the
//! cluster query language):
//!
//! ```text
//! expression = and { ("||" | "or") and }
//! and        = unary { ("&&" | "and") unary }
//! unary      = ("!" | "not") unary | "(" expression ")" | comparison
//! comparison = subject ( ("==" | "equals" | "!=" | "not_equals") value
//!                      | ("in" | "!in" | "not_in") "[" value { "," value } "]"
//!                      | ("=~" | "matches" | "!~" | "not_matches") pattern
//!                      | "exists" | "!exists" | "not_exists" )
//! subject    = "attribute:" name | "ec2InstanceId"
//! value      = bare | "'" { any character but ' } "'" | '"' { any character but " } '"'
//! ```
//!
//! - `!`/`not` binds tightest, then `&&`/`and`, then `||`/`or`; parentheses group. So `a || b && c` is
//!   `a || (b && c)`, and `not(attribute:stack == prod)` negates one comparison.
//! - Keywords are lower case, as documented (`and`, not `AND`). Whitespace between tokens is optional.
//! - A `name` is letters, digits, `-`, `_`, `.`, `/` and `\` (what ECS allows in attribute names), so built-in
//!   attributes (`attribute:ecs.instance-type`) and custom ones (`attribute:stack`) are written alike.
//! - A bare value runs to the next whitespace, `(`, `)`, `[`, `]`, `,`, `&`, `|` or quote. Quote a value that
//!   contains one of those (ECS attribute values may contain spaces); quoted values have no escapes.
//! - An expression is at most [`MAX_EXPRESSION_CHARS`] characters (the ECS API's limit) and nests at most
//!   [`MAX_DEPTH`] levels of `(` and `!`/`not`.
//!
//! # Patterns (`=~`, `!~`)
//!
//! ECS takes a Java regular expression. This module implements a subset that cannot blow up: literal characters,
//! `.` (any one character), `*` (zero or more of the previous item), `+` (one or more), `?` (zero or one), `\`
//! before a punctuation character to make it literal (`t2\.micro`), and a leading `^` / trailing `$`, which change
//! nothing. The pattern must match the whole value (like Java's `String.matches`), so `g2.*` matches `g2.2xlarge`
//! but `g2` does not. Anything else (`|`, groups, classes, `{n}`, `\d`, lazy or possessive quantifiers) is a parse
//! error rather than a silent mismatch. Matching steps a set of states through the value: no backtracking, no
//! allocation, time proportional to the value's length times the pattern's. Patterns have at most
//! [`MAX_PATTERN_ITEMS`] items.
//!
//! # Not supported
//!
//! The documented subjects `task:group`, `agentConnected`, `agentVersion`, `registeredAt` and `runningTasksCount`
//! describe tasks and agents the simulator's instances don't carry, and the ordering operators (`>`, `>=`, `<`, `<=`
//! and their word forms) are documented for those subjects: each is a parse error that says so.
//!
//! # Missing attributes
//!
//! A comparison on an attribute the instance doesn't have is false for `==`, `in`, `=~` and `exists`, and true for
//! `!=`, `!in`, `!~` and `!exists`. ECS doesn't document the case; this choice keeps every negative operator the exact
//! negation of its positive one (`a != x` always equals `!(a == x)`), and an instance with no `stack` attribute is
//! indeed "not in stack prod".

use std::fmt;

/// Longest expression accepted: the ECS API's limit for a placement constraint expression.
pub const MAX_EXPRESSION_CHARS: usize = 2000;
/// Deepest nesting of `(` and `!`/`not` accepted. Far beyond any real constraint; it bounds the recursion of the
/// parser, the evaluator and `Drop`, so hostile input can't exhaust the stack (wasm's is small).
pub const MAX_DEPTH: usize = 32;
/// Most items a pattern may have: the matcher keeps one bit per item, plus the accepting state, in a `u128`.
pub const MAX_PATTERN_ITEMS: usize = 127;

/// Why an expression could not be parsed: where (a character offset, not a byte offset) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub position: usize,
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at position {}: {}", self.position, self.message)
    }
}

impl std::error::Error for QueryError {}

/// A parsed `memberOf` expression. Build one with [`parse`]; test an instance with [`Expression::matches`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expression {
    node: Node,
}

/// A node of the expression tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// True if any operand is: a chain `a || b || c` is one node, so long chains don't deepen the tree.
    Or(Vec<Node>),
    /// True if every operand is.
    And(Vec<Node>),
    Not(Box<Node>),
    Compare(Comparison),
}

/// One `subject operator [argument]` comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub subject: Subject,
    pub test: Test,
}

/// What a comparison looks at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    /// `attribute:<name>`, built-in (`ecs.instance-type`) or custom; the name is held without the prefix.
    Attribute(String),
    /// `ec2InstanceId`.
    Ec2InstanceId,
}

/// An operator and its argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    Equals(String),
    NotEquals(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Matches(Pattern),
    NotMatches(Pattern),
    Exists,
    NotExists,
}

/// A compiled `=~` pattern (see the module documentation for the subset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    items: Vec<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Item {
    atom: Atom,
    repeat: Repeat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Atom {
    Any,
    Char(char),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    Once,
    Optional,
    /// Zero or more (`*`; `x+` compiles to `x` then `x*`).
    Many,
}

impl Expression {
    /// The expression tree.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// Whether an instance satisfies the expression. `lookup` gives the instance's value for a subject, `None` if it
    /// has no such attribute (see the module documentation for how that is treated).
    ///
    /// ```
    /// use fleetplan_engine::query::{parse, Subject};
    /// let text = "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d";
    /// let expr = parse(text).unwrap();
    /// let lookup = |subject: &Subject| match subject {
    ///     Subject::Attribute(name) if name == "ecs.instance-type" => Some("g2.2xlarge"),
    ///     Subject::Attribute(name) if name == "ecs.availability-zone" => Some("us-east-1a"),
    ///     _ => None,
    /// };
    /// assert!(expr.matches(lookup));
    /// ```
    pub fn matches<'v>(&self, lookup: impl Fn(&Subject) -> Option<&'v str>) -> bool {
        // One non-generic evaluator behind a `dyn`, rather than a recursive copy per closure type.
        self.node.eval(&lookup)
    }
}

impl Node {
    fn eval<'v>(&self, lookup: &dyn Fn(&Subject) -> Option<&'v str>) -> bool {
        match self {
            Node::Or(operands) => operands.iter().any(|n| n.eval(lookup)),
            Node::And(operands) => operands.iter().all(|n| n.eval(lookup)),
            Node::Not(inner) => !inner.eval(lookup),
            Node::Compare(c) => c.eval(lookup(&c.subject)),
        }
    }
}

impl Comparison {
    /// The comparison's result for a subject whose value is `value` (`None`: the instance lacks the attribute).
    pub fn eval(&self, value: Option<&str>) -> bool {
        match (&self.test, value) {
            (Test::Exists, v) => v.is_some(),
            (Test::NotExists, v) => v.is_none(),
            (Test::Equals(x), Some(v)) => v == x,
            (Test::NotEquals(x), Some(v)) => v != x,
            (Test::In(xs), Some(v)) => xs.iter().any(|x| x == v),
            (Test::NotIn(xs), Some(v)) => !xs.iter().any(|x| x == v),
            (Test::Matches(p), Some(v)) => p.is_match(v),
            (Test::NotMatches(p), Some(v)) => !p.is_match(v),
            // A missing attribute fails the positive tests and passes the negative ones, so that each negative
            // operator stays the exact negation of its positive form.
            (Test::Equals(_) | Test::In(_) | Test::Matches(_), None) => false,
            (Test::NotEquals(_) | Test::NotIn(_) | Test::NotMatches(_), None) => true,
        }
    }
}

impl Pattern {
    /// The pattern as written (without quotes).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the pattern matches the whole of `value`.
    pub fn is_match(&self, value: &str) -> bool {
        // Bit i set: the pattern's first i items can match the text read so far. Compilation caps the items at
        // MAX_PATTERN_ITEMS (127), so every shift below is at most 127.
        let accept = 1u128 << self.items.len();
        let mut states = self.skip_optional(1);
        for c in value.chars() {
            let mut next = 0u128;
            for (i, item) in self.items.iter().enumerate() {
                if states & (1u128 << i) != 0 && item.atom.accepts(c) {
                    next |= match item.repeat {
                        Repeat::Many => 1u128 << i,
                        Repeat::Once | Repeat::Optional => 1u128 << (i + 1),
                    };
                }
            }
            states = self.skip_optional(next);
            if states == 0 {
                return false;
            }
        }
        states & accept != 0
    }

    /// Adds the states reached by letting `?` and `*` items match nothing. One forward pass suffices: such a skip
    /// only ever moves from item i to item i + 1.
    fn skip_optional(&self, mut states: u128) -> u128 {
        for (i, item) in self.items.iter().enumerate() {
            if item.repeat != Repeat::Once && states & (1u128 << i) != 0 {
                states |= 1u128 << (i + 1);
            }
        }
        states
    }

    /// Compiles a pattern whose first character is at character offset `start` of the expression.
    fn compile(source: &str, start: usize) -> Result<Pattern, QueryError> {
        let chars: Vec<char> = source.chars().collect();
        let mut items: Vec<Item> = Vec::new();
        // Whether the last item can take a quantifier: not after another quantifier, which in Java would be a lazy
        // or possessive form (or an error) rather than a second repetition.
        let mut quantifiable = false;
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            let position = start + i;
            match c {
                // Anchors at the ends say what full-value matching already does.
                '^' if i == 0 => {}
                '$' if i + 1 == chars.len() => {}
                '.' => {
                    items.push(Item { atom: Atom::Any, repeat: Repeat::Once });
                    quantifiable = true;
                }
                '\\' => {
                    i += 1;
                    match chars.get(i) {
                        // `\d`, `\w`, `\s`, `\b`, ... are classes or assertions in Java, not the letter.
                        Some(&e) if e.is_alphanumeric() => {
                            return Err(err(
                                position,
                                format!("`\\{e}` is not supported in patterns: `\\` only makes punctuation literal"),
                            ))
                        }
                        Some(&e) => {
                            items.push(Item { atom: Atom::Char(e), repeat: Repeat::Once });
                            quantifiable = true;
                        }
                        None => return Err(err(position + 1, "expected a character to escape after `\\`")),
                    }
                }
                '*' | '+' | '?' => {
                    let last = match items.last_mut() {
                        Some(last) if quantifiable => last,
                        _ => {
                            return Err(err(position, format!("`{c}` must follow a character or `.` for it to repeat")))
                        }
                    };
                    match c {
                        '*' => last.repeat = Repeat::Many,
                        '?' => last.repeat = Repeat::Optional,
                        _ => {
                            let atom = last.atom;
                            items.push(Item { atom, repeat: Repeat::Many });
                        }
                    }
                    quantifiable = false;
                }
                '^' | '$' | '|' | '(' | ')' | '[' | ']' | '{' | '}' => {
                    return Err(err(
                        position,
                        format!(
                            "`{c}` is not supported in patterns (the subset is literal characters, `.`, `*`, `+`, `?` \
                             and `\\` escapes): write `\\{c}` for a literal `{c}`"
                        ),
                    ))
                }
                _ => {
                    items.push(Item { atom: Atom::Char(c), repeat: Repeat::Once });
                    quantifiable = true;
                }
            }
            if items.len() > MAX_PATTERN_ITEMS {
                return Err(err(position, format!("the pattern is too long: at most {MAX_PATTERN_ITEMS} items")));
            }
            i += 1;
        }
        Ok(Pattern { source: source.to_string(), items })
    }
}

impl Atom {
    fn accepts(self, c: char) -> bool {
        match self {
            Atom::Any => true,
            Atom::Char(x) => x == c,
        }
    }
}

fn err(position: usize, message: impl Into<String>) -> QueryError {
    QueryError { position, message: message.into() }
}

/// Parses a cluster query language expression (the subset in the module documentation).
pub fn parse(text: &str) -> Result<Expression, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > MAX_EXPRESSION_CHARS {
        return Err(err(
            MAX_EXPRESSION_CHARS,
            format!("the expression is longer than {MAX_EXPRESSION_CHARS} characters, the most ECS accepts"),
        ));
    }
    let mut p = Parser { chars, pos: 0, depth: 0 };
    p.skip_ws();
    if p.at_end() {
        return Err(err(
            0,
            "the expression is empty: expected a comparison such as `attribute:ecs.instance-type == t2.small`",
        ));
    }
    let node = p.parse_or("")?;
    p.skip_ws();
    match p.peek() {
        None => Ok(Expression { node }),
        Some(')') => Err(err(p.pos, "unexpected `)`: no `(` is open here")),
        Some(_) => Err(err(p.pos, format!("expected `&&`, `||` or the end of the expression, found {}", p.found()))),
    }
}

/// Characters that end a bare (unquoted) value.
const VALUE_END: [char; 9] = ['(', ')', '[', ']', ',', '&', '|', '\'', '"'];
const OPERATORS: &str = "`==`, `!=`, `in`, `!in`, `=~`, `!~`, `exists` or `!exists`";
const UNSUPPORTED_SUBJECTS: [&str; 5] =
    ["task:group", "agentConnected", "agentVersion", "registeredAt", "runningTasksCount"];
const ORDERING_WORDS: [&str; 4] = ["greater_than", "greater_than_equal", "less_than", "less_than_equal"];

/// Characters of keywords and operator words; a keyword must not be followed by one.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Characters ECS allows in attribute names.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '\\')
}

#[derive(Clone, Copy)]
enum Op {
    Equals,
    NotEquals,
    In,
    NotIn,
    Matches,
    NotMatches,
    Exists,
    NotExists,
}

/// A recursive-descent parser over the expression's characters (not bytes, so positions are character offsets and
/// no slicing can split a UTF-8 sequence). Every access goes through `get`, so no input can index out of bounds.
struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars().enumerate().all(|(k, c)| self.chars.get(self.pos + k) == Some(&c))
    }

    /// Consumes `s` if the text continues with it.
    fn eat(&mut self, s: &str) -> bool {
        let hit = self.starts_with(s);
        if hit {
            self.pos += s.chars().count();
        }
        hit
    }

    /// Consumes the keyword `w` if the text continues with it as a whole word (`in` but not `index`).
    fn eat_word(&mut self, w: &str) -> bool {
        let len = w.chars().count();
        let hit = self.starts_with(w) && !self.chars.get(self.pos + len).is_some_and(|&c| is_word_char(c));
        if hit {
            self.pos += len;
        }
        hit
    }

    /// The text from `pos` while `keep` holds, without consuming it.
    fn run_from(&self, pos: usize, keep: impl Fn(char) -> bool) -> String {
        self.chars.iter().skip(pos).take_while(|&&c| keep(c)).collect()
    }

    /// What the cursor is at, for "found ..." in messages: end of input, one punctuation character, or the word.
    fn found(&self) -> String {
        const SHOWN: usize = 20;
        match self.peek() {
            None => "end of input".to_string(),
            Some(c) if c.is_whitespace() => "whitespace".to_string(),
            Some(c) if matches!(c, '(' | ')' | '[' | ']' | ',') => format!("`{c}`"),
            Some(_) => {
                let word = self.run_from(self.pos, |c| !c.is_whitespace() && !matches!(c, '(' | ')' | '[' | ']' | ','));
                if word.chars().count() > SHOWN {
                    format!("`{}…`", word.chars().take(SHOWN).collect::<String>())
                } else {
                    format!("`{word}`")
                }
            }
        }
    }

    /// Counts one level of nesting that starts at `start`; the caller undoes it with `leave`.
    fn enter(&mut self, start: usize) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(start, format!("the expression nests more than {MAX_DEPTH} levels of `(` and `!`")));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// `after` names the token before the expected operand (e.g. "`&&`"), or is empty at the start.
    fn parse_or(&mut self, after: &'static str) -> Result<Node, QueryError> {
        let mut operands = vec![self.parse_and(after)?];
        loop {
            self.skip_ws();
            let op = if self.eat("||") {
                "`||`"
            } else if self.eat_word("or") {
                "`or`"
            } else {
                break;
            };
            operands.push(self.parse_and(op)?);
        }
        Ok(if operands.len() == 1 { operands.swap_remove(0) } else { Node::Or(operands) })
    }

    fn parse_and(&mut self, after: &'static str) -> Result<Node, QueryError> {
        let mut operands = vec![self.parse_unary(after)?];
        loop {
            self.skip_ws();
            let op = if self.eat("&&") {
                "`&&`"
            } else if self.eat_word("and") {
                "`and`"
            } else {
                break;
            };
            operands.push(self.parse_unary(op)?);
        }
        Ok(if operands.len() == 1 { operands.swap_remove(0) } else { Node::And(operands) })
    }

    fn parse_unary(&mut self, after: &'static str) -> Result<Node, QueryError> {
        self.skip_ws();
        let start = self.pos;
        let negation = if self.eat_word("not") {
            Some("`not`")
        } else if self.eat("!") {
            Some("`!`")
        } else {
            None
        };
        if let Some(op) = negation {
            self.enter(start)?;
            let inner = self.parse_unary(op)?;
            self.leave();
            return Ok(Node::Not(Box::new(inner)));
        }
        if self.eat("(") {
            self.enter(start)?;
            let inner = self.parse_or("`(`")?;
            self.skip_ws();
            if !self.eat(")") {
                return Err(err(
                    self.pos,
                    format!("expected `&&`, `||` or `)` to close the `(` at position {start}, found {}", self.found()),
                ));
            }
            self.leave();
            return Ok(inner);
        }
        self.parse_comparison(after)
    }

    fn parse_comparison(&mut self, after: &'static str) -> Result<Node, QueryError> {
        let start = self.pos;
        let subject = self.parse_subject(after)?;
        let subject_text: String = self.chars.iter().skip(start).take(self.pos - start).collect();
        self.skip_ws();
        let (op, op_text) = self.parse_operator(&subject_text)?;
        let test = match op {
            Op::Equals => Test::Equals(self.parse_value(op_text)?.0),
            Op::NotEquals => Test::NotEquals(self.parse_value(op_text)?.0),
            Op::In => Test::In(self.parse_list(op_text)?),
            Op::NotIn => Test::NotIn(self.parse_list(op_text)?),
            Op::Matches => {
                let (source, at) = self.parse_value(op_text)?;
                Test::Matches(Pattern::compile(&source, at)?)
            }
            Op::NotMatches => {
                let (source, at) = self.parse_value(op_text)?;
                Test::NotMatches(Pattern::compile(&source, at)?)
            }
            Op::Exists => Test::Exists,
            Op::NotExists => Test::NotExists,
        };
        Ok(Node::Compare(Comparison { subject, test }))
    }

    fn parse_subject(&mut self, after: &'static str) -> Result<Subject, QueryError> {
        let start = self.pos;
        if self.eat("attribute:") {
            let name = self.run_from(self.pos, is_name_char);
            if name.is_empty() {
                return Err(err(
                    self.pos,
                    format!("expected an attribute name after `attribute:`, found {}", self.found()),
                ));
            }
            self.pos += name.chars().count();
            return Ok(Subject::Attribute(name));
        }
        let word = self.run_from(self.pos, |c| is_word_char(c) || c == ':');
        if word == "ec2InstanceId" {
            self.pos += word.chars().count();
            return Ok(Subject::Ec2InstanceId);
        }
        if UNSUPPORTED_SUBJECTS.contains(&word.as_str()) {
            return Err(err(
                start,
                format!(
                    "`{word}` is an ECS subject Fleetplan does not model: memberOf expressions here test \
                     `attribute:<name>` and `ec2InstanceId`"
                ),
            ));
        }
        let after = if after.is_empty() { String::new() } else { format!(" after {after}") };
        Err(err(
            start,
            format!(
                "expected a comparison (`attribute:<name>` or `ec2InstanceId`), `(` or `!`{after}, found {}",
                self.found()
            ),
        ))
    }

    fn parse_operator(&mut self, subject: &str) -> Result<(Op, &'static str), QueryError> {
        let start = self.pos;
        const SYMBOLS: [(&str, Op); 4] =
            [("==", Op::Equals), ("=~", Op::Matches), ("!=", Op::NotEquals), ("!~", Op::NotMatches)];
        for (text, op) in SYMBOLS {
            if self.eat(text) {
                return Ok((op, text));
            }
        }
        // Word operators, including the `!in` / `!exists` forms, which need a word boundary like the rest.
        const WORDS: [(&str, Op); 10] = [
            ("!in", Op::NotIn),
            ("!exists", Op::NotExists),
            ("equals", Op::Equals),
            ("not_equals", Op::NotEquals),
            ("in", Op::In),
            ("not_in", Op::NotIn),
            ("matches", Op::Matches),
            ("not_matches", Op::NotMatches),
            ("exists", Op::Exists),
            ("not_exists", Op::NotExists),
        ];
        for (text, op) in WORDS {
            if self.eat_word(text) {
                return Ok((op, text));
            }
        }
        let ordering =
            ["<=", ">=", "<", ">"].into_iter().find(|s| self.starts_with(s)).map(str::to_string).or_else(|| {
                let word = self.run_from(self.pos, is_word_char);
                ORDERING_WORDS.contains(&word.as_str()).then_some(word)
            });
        if let Some(op) = ordering {
            return Err(err(start, format!("`{op}` is not supported: attributes are compared with {OPERATORS}")));
        }
        Err(err(start, format!("expected an operator after `{subject}` ({OPERATORS}), found {}", self.found())))
    }

    /// A quoted or bare value after `after` (an operator, `[` or `,`): the value and the character offset where
    /// its text starts (inside the quotes), for positioning pattern errors.
    fn parse_value(&mut self, after: &str) -> Result<(String, usize), QueryError> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            Some(quote @ ('\'' | '"')) => {
                self.pos += 1;
                let value = self.run_from(self.pos, |c| c != quote);
                self.pos += value.chars().count();
                if self.peek() == Some(quote) {
                    self.pos += 1;
                } else {
                    return Err(err(
                        self.pos,
                        format!("expected a closing {quote} for the value quoted at position {start}"),
                    ));
                }
                Ok((value, start + 1))
            }
            _ => {
                let value = self.run_from(self.pos, |c| !c.is_whitespace() && !VALUE_END.contains(&c));
                if value.is_empty() {
                    let after = if after.starts_with('`') { after.to_string() } else { format!("`{after}`") };
                    return Err(err(start, format!("expected a value after {after}, found {}", self.found())));
                }
                self.pos += value.chars().count();
                Ok((value, start))
            }
        }
    }

    fn parse_list(&mut self, op: &str) -> Result<Vec<String>, QueryError> {
        self.skip_ws();
        let open = self.pos;
        if !self.eat("[") {
            return Err(err(
                self.pos,
                format!("expected `[` to start the list after `{op}` (as in `{op} [a, b]`), found {}", self.found()),
            ));
        }
        let mut values = vec![self.parse_value("`[`")?.0];
        loop {
            self.skip_ws();
            if self.eat("]") {
                return Ok(values);
            }
            if self.eat(",") {
                values.push(self.parse_value("`,`")?.0);
                continue;
            }
            return Err(err(
                self.pos,
                format!("expected `,` or `]` to close the list opened at position {open}, found {}", self.found()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// An instance: attribute name → value, plus an EC2 instance id.
    struct Instance {
        id: &'static str,
        attributes: BTreeMap<&'static str, &'static str>,
    }

    fn instance(id: &'static str, attributes: &[(&'static str, &'static str)]) -> Instance {
        Instance { id, attributes: attributes.iter().copied().collect() }
    }

    impl Instance {
        fn satisfies(&self, text: &str) -> bool {
            let expr = parse(text).unwrap_or_else(|e| panic!("`{text}` should parse: {e}"));
            expr.matches(|s: &Subject| match s {
                Subject::Attribute(name) => self.attributes.get(name.as_str()).copied(),
                Subject::Ec2InstanceId => Some(self.id),
            })
        }
    }

    fn g2() -> Instance {
        instance(
            "i-abcd1234",
            &[
                ("ecs.instance-type", "g2.2xlarge"),
                ("ecs.availability-zone", "us-east-1a"),
                ("ecs.os-type", "linux"),
                ("stack", "prod"),
            ],
        )
    }

    fn t2() -> Instance {
        instance(
            "i-wxyx7890",
            &[("ecs.instance-type", "t2.small"), ("ecs.availability-zone", "us-east-1d"), ("ecs.os-type", "linux")],
        )
    }

    fn error(text: &str) -> QueryError {
        match parse(text) {
            Ok(e) => panic!("`{text}` should not parse, got {e:?}"),
            Err(e) => e,
        }
    }

    fn attr(name: &str, test: Test) -> Node {
        Node::Compare(Comparison { subject: Subject::Attribute(name.to_string()), test })
    }

    fn eq(name: &str, value: &str) -> Node {
        attr(name, Test::Equals(value.to_string()))
    }

    /// The `Expression::matches` doc example, kept here too so `cargo test --lib` covers it.
    #[test]
    fn matches_doc_example() {
        let text = "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d";
        let expr = parse(text).unwrap();
        let lookup = |subject: &Subject| match subject {
            Subject::Attribute(name) if name == "ecs.instance-type" => Some("g2.2xlarge"),
            Subject::Attribute(name) if name == "ecs.availability-zone" => Some("us-east-1a"),
            _ => None,
        };
        assert!(expr.matches(lookup));
    }

    #[test]
    fn equality_in_both_spellings() {
        let expr = parse("attribute:ecs.instance-type == t2.small").unwrap();
        assert_eq!(expr.node(), &eq("ecs.instance-type", "t2.small"));
        assert_eq!(parse("attribute:ecs.instance-type equals t2.small").unwrap(), expr);
        assert!(t2().satisfies("attribute:ecs.instance-type == t2.small"));
        assert!(!g2().satisfies("attribute:ecs.instance-type == t2.small"));
        // Exact and case-sensitive: no prefix or case folding.
        assert!(!t2().satisfies("attribute:ecs.instance-type == t2"));
        assert!(!t2().satisfies("attribute:ecs.instance-type == T2.small"));
    }

    #[test]
    fn inequality_in_both_spellings() {
        assert!(g2().satisfies("attribute:ecs.availability-zone != us-east-1d"));
        assert!(!t2().satisfies("attribute:ecs.availability-zone != us-east-1d"));
        assert!(!t2().satisfies("attribute:ecs.availability-zone not_equals us-east-1d"));
        assert_eq!(parse("attribute:a != b").unwrap().node(), &attr("a", Test::NotEquals("b".to_string())));
    }

    #[test]
    fn in_and_not_in_lists() {
        let text = "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]";
        assert_eq!(
            parse(text).unwrap().node(),
            &attr("ecs.availability-zone", Test::In(vec!["us-east-1a".to_string(), "us-east-1b".to_string()]))
        );
        assert!(g2().satisfies(text));
        assert!(!t2().satisfies(text));
        for negated in ["!in", "not_in"] {
            let text = format!("attribute:ecs.availability-zone {negated} [us-east-1a, us-east-1b]");
            assert!(!g2().satisfies(&text));
            assert!(t2().satisfies(&text));
        }
        // One-element lists, no spaces, and spaces everywhere.
        assert!(g2().satisfies("attribute:ecs.availability-zone in [us-east-1a]"));
        assert!(g2().satisfies("attribute:ecs.availability-zone in[us-east-1b,us-east-1a]"));
        assert!(g2().satisfies("attribute:ecs.availability-zone in [ us-east-1b , us-east-1a ]"));
    }

    #[test]
    fn pattern_matches() {
        assert!(g2().satisfies("attribute:ecs.instance-type =~ g2.*"));
        assert!(g2().satisfies("attribute:ecs.instance-type matches g2.*"));
        assert!(!t2().satisfies("attribute:ecs.instance-type =~ g2.*"));
        assert!(t2().satisfies("attribute:ecs.instance-type !~ g2.*"));
        assert!(t2().satisfies("attribute:ecs.instance-type not_matches g2.*"));
        assert!(!g2().satisfies("attribute:ecs.instance-type !~ g2.*"));
    }

    fn is_match(pattern: &str, value: &str) -> bool {
        Pattern::compile(pattern, 0).unwrap_or_else(|e| panic!("`{pattern}` should compile: {e}")).is_match(value)
    }

    #[test]
    fn pattern_subset() {
        // Anchored at both ends.
        assert!(is_match("g2", "g2"));
        assert!(!is_match("g2", "g2.2xlarge"));
        assert!(!is_match("2xlarge", "g2.2xlarge"));
        assert!(is_match("^g2.*$", "g2.2xlarge"));
        // `.` is any one character; `\.` a literal dot.
        assert!(is_match("t2.micro", "t2xmicro"));
        assert!(is_match("t2\\.micro", "t2.micro"));
        assert!(!is_match("t2\\.micro", "t2xmicro"));
        // `*` repeats the previous item zero or more times, `+` one or more, `?` zero or one.
        assert!(is_match("m5a*.large", "m5.large"));
        assert!(is_match("m5a*.large", "m5aaa.large"));
        assert!(!is_match("m5a+.large", "m5.large"));
        assert!(is_match("m5a+.large", "m5aa.large"));
        assert!(is_match("m5d?\\.large", "m5.large"));
        assert!(is_match("m5d?\\.large", "m5d.large"));
        assert!(!is_match("m5d?\\.large", "m5dd.large"));
        assert!(is_match(".*", ""));
        assert!(is_match("", ""));
        assert!(!is_match("", "a"));
        // Non-ASCII values are matched by character.
        assert!(is_match("zo.e-é", "zone-é"));
        // A pattern that makes backtracking matchers exponential is linear here.
        let nasty = format!("{}b", "a*".repeat(60));
        assert!(!is_match(&nasty, &"a".repeat(5000)));
        assert!(is_match(&nasty, &format!("{}b", "a".repeat(5000))));
    }

    #[test]
    fn exists_and_not_exists() {
        assert!(g2().satisfies("attribute:stack exists"));
        assert!(!t2().satisfies("attribute:stack exists"));
        for negated in ["!exists", "not_exists"] {
            assert!(t2().satisfies(&format!("attribute:stack {negated}")));
            assert!(!g2().satisfies(&format!("attribute:stack {negated}")));
        }
        assert!(g2().satisfies("attribute:stack exists && attribute:stack == prod"));
    }

    #[test]
    fn missing_attributes_fail_positive_tests_and_pass_negative_ones() {
        let bare = instance("i-0", &[]);
        for positive in ["attribute:stack == prod", "attribute:stack in [prod, dev]", "attribute:stack =~ .*"] {
            assert!(!bare.satisfies(positive), "{positive}");
            assert!(bare.satisfies(&format!("!({positive})")), "{positive}");
        }
        for negative in ["attribute:stack != prod", "attribute:stack !in [prod, dev]", "attribute:stack !~ .*"] {
            assert!(bare.satisfies(negative), "{negative}");
        }
        // Custom attributes are looked up by name like built-in ones.
        assert!(g2().satisfies("attribute:stack == prod"));
        assert!(t2().satisfies("attribute:stack != prod"));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let expr = parse("attribute:a == 1 || attribute:b == 2 && attribute:c == 3").unwrap();
        assert_eq!(expr.node(), &Node::Or(vec![eq("a", "1"), Node::And(vec![eq("b", "2"), eq("c", "3")])]));
        let expr = parse("attribute:a == 1 && attribute:b == 2 || attribute:c == 3").unwrap();
        assert_eq!(expr.node(), &Node::Or(vec![Node::And(vec![eq("a", "1"), eq("b", "2")]), eq("c", "3")]));
        // The word forms have the same precedence.
        assert_eq!(
            parse("attribute:a == 1 or attribute:b == 2 and attribute:c == 3").unwrap(),
            parse("attribute:a == 1 || attribute:b == 2 && attribute:c == 3").unwrap()
        );
        // a || (b && c) is true with a alone; (a || b) && c would not be.
        let only_a = instance("i-0", &[("a", "1")]);
        assert!(only_a.satisfies("attribute:a == 1 || attribute:b == 2 && attribute:c == 3"));
        assert!(!only_a.satisfies("(attribute:a == 1 || attribute:b == 2) && attribute:c == 3"));
    }

    #[test]
    fn chains_are_flat() {
        let expr = parse("attribute:a == 1 || attribute:b == 2 or attribute:c == 3").unwrap();
        assert_eq!(expr.node(), &Node::Or(vec![eq("a", "1"), eq("b", "2"), eq("c", "3")]));
    }

    #[test]
    fn parentheses_group() {
        let expr = parse("(attribute:a == 1 || attribute:b == 2) && attribute:c == 3").unwrap();
        assert_eq!(expr.node(), &Node::And(vec![Node::Or(vec![eq("a", "1"), eq("b", "2")]), eq("c", "3")]));
        // Redundant parentheses vanish from the tree.
        assert_eq!(parse("((attribute:a == 1))").unwrap().node(), &eq("a", "1"));
    }

    #[test]
    fn negation() {
        let not_a = Node::Not(Box::new(eq("a", "1")));
        assert_eq!(parse("!attribute:a == 1").unwrap().node(), &not_a);
        assert_eq!(parse("not attribute:a == 1").unwrap().node(), &not_a);
        assert_eq!(parse("not(attribute:a == 1)").unwrap().node(), &not_a);
        assert_eq!(parse("! ( attribute:a == 1 )").unwrap().node(), &not_a);
        // Negation binds tighter than `&&`.
        assert_eq!(
            parse("not attribute:a == 1 && attribute:b == 2").unwrap().node(),
            &Node::And(vec![not_a.clone(), eq("b", "2")])
        );
        assert_eq!(parse("!!attribute:a == 1").unwrap().node(), &Node::Not(Box::new(not_a)));
        assert!(t2().satisfies("not(attribute:ecs.instance-type =~ g2.*)"));
        assert!(!g2().satisfies("not(attribute:ecs.instance-type =~ g2.*)"));
    }

    #[test]
    fn whitespace_is_optional_and_any_kind() {
        let canonical = parse("attribute:a == 1 && attribute:b != 2 || attribute:c in [x, y]").unwrap();
        for text in [
            "attribute:a==1&&attribute:b!=2||attribute:c in[x,y]",
            "  attribute:a  ==  1   &&   attribute:b != 2 ||attribute:c in [ x ,y ]  ",
            "\tattribute:a ==\t1\n&&\r\nattribute:b\u{00a0}!= 2 || attribute:c in\n[x,\ny]\n",
        ] {
            assert_eq!(parse(text).unwrap(), canonical, "{text:?}");
        }
    }

    #[test]
    fn quoted_values() {
        // The docs quote instance ids; quotes also allow spaces and separators in values.
        let expr = parse("attribute:team == 'data platform' || attribute:x in [\"a,b\", 'c)']").unwrap();
        assert_eq!(
            expr.node(),
            &Node::Or(vec![
                eq("team", "data platform"),
                attr("x", Test::In(vec!["a,b".to_string(), "c)".to_string()])),
            ])
        );
        assert!(instance("i-0", &[("x", "c)")]).satisfies("attribute:x in [\"a,b\", 'c)']"));
        assert!(is_match("a b", "a b"));
    }

    #[test]
    fn ecs_documentation_examples() {
        // The examples of "Create expressions to define container instances for Amazon ECS tasks".
        assert!(t2().satisfies("attribute:ecs.instance-type == t2.small"));
        assert!(g2().satisfies("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]"));
        let compound = "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d";
        assert!(g2().satisfies(compound));
        assert!(!t2().satisfies(compound));
        let g2_in_1d = instance("i-1", &[("ecs.instance-type", "g2.8xlarge"), ("ecs.availability-zone", "us-east-1d")]);
        assert!(!g2_in_1d.satisfies(compound));
        let ids = "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']";
        assert_eq!(
            parse(ids).unwrap().node(),
            &Node::Compare(Comparison {
                subject: Subject::Ec2InstanceId,
                test: Test::In(vec!["i-abcd1234".to_string(), "i-wxyx7890".to_string()]),
            })
        );
        assert!(g2().satisfies(ids));
        assert!(!instance("i-other", &[]).satisfies(ids));
        // The other examples use subjects the simulator doesn't model: each is refused, pointing at the subject.
        for (text, position) in [
            ("task:group == service:production", 0),
            ("not(task:group == database)", 4),
            ("runningTasksCount == 1", 0),
            ("agentVersion < 1.14.5", 0),
            ("registeredAt < 2018-02-13", 0),
        ] {
            let e = error(text);
            assert_eq!(e.position, position, "{text}: {e}");
            assert!(e.message.contains("does not model"), "{text}: {e}");
        }
    }

    #[test]
    fn error_for_a_missing_value() {
        let e = error("attribute:ecs.instance-type ==");
        assert_eq!(e.to_string(), "at position 30: expected a value after `==`, found end of input");
        let e = error("attribute:ecs.instance-type == && attribute:b == 1");
        assert_eq!(e.position, 31);
        assert!(e.message.starts_with("expected a value after `==`"), "{e}");
        assert_eq!(error("attribute:a in [x, ]").to_string(), "at position 19: expected a value after `,`, found `]`");
        assert_eq!(error("attribute:a in []").to_string(), "at position 16: expected a value after `[`, found `]`");
        assert_eq!(error("attribute:a =~").position, 14);
    }

    #[test]
    fn error_for_an_unterminated_list_or_quote() {
        let text = "attribute:ecs.availability-zone in [us-east-1a, us-east-1b";
        let e = error(text);
        assert_eq!(e.position, text.chars().count());
        assert_eq!(e.message, "expected `,` or `]` to close the list opened at position 35, found end of input");
        assert_eq!(error("attribute:a in [x y]").position, 18);
        assert_eq!(
            error("attribute:a in x").to_string().as_str(),
            "at position 15: expected `[` to start the list after `in` (as in `in [a, b]`), found `x`"
        );
        let e = error("attribute:a == 'x");
        assert_eq!(e.to_string(), "at position 17: expected a closing ' for the value quoted at position 15");
    }

    #[test]
    fn error_for_an_unknown_operator() {
        let e = error("attribute:ecs.instance-type ~= t2.small");
        assert_eq!(e.position, 28);
        assert_eq!(
            e.message,
            "expected an operator after `attribute:ecs.instance-type` (`==`, `!=`, `in`, `!in`, `=~`, `!~`, `exists` \
             or `!exists`), found `~=`"
        );
        assert_eq!(error("attribute:a = b").position, 12);
        assert_eq!(
            error("attribute:a").to_string(),
            "at position 11: expected an operator after `attribute:a` (`==`, `!=`, `in`, `!in`, `=~`, `!~`, `exists` \
             or `!exists`), found end of input"
        );
        // `index` is not `in`, `!inside` is not `!in`.
        assert_eq!(error("attribute:a index [b]").position, 12);
        assert_eq!(error("attribute:a !inside [b]").position, 12);
        // Ordering operators are documented but not supported: say so.
        for text in ["attribute:a >= 3", "attribute:a < 3", "attribute:a greater_than 3"] {
            let e = error(text);
            assert_eq!(e.position, 12, "{text}");
            assert!(e.message.contains("is not supported"), "{e}");
        }
    }

    #[test]
    fn error_for_a_bad_subject() {
        assert_eq!(
            error("stack == prod").to_string(),
            "at position 0: expected a comparison (`attribute:<name>` or `ec2InstanceId`), `(` or `!`, found `stack`"
        );
        assert_eq!(
            error("attribute: stack == prod").to_string(),
            "at position 10: expected an attribute name after `attribute:`, found whitespace"
        );
        let e = error("attribute:a == 1 &&");
        assert_eq!(e.position, 19);
        assert!(e.message.ends_with("after `&&`, found end of input"), "{e}");
        assert_eq!(error("attribute:a == 1 or or").position, 20);
        assert_eq!(error("not").position, 3);
    }

    #[test]
    fn error_for_trailing_garbage() {
        let e = error("attribute:a == b c");
        assert_eq!(e.to_string(), "at position 17: expected `&&`, `||` or the end of the expression, found `c`");
        assert_eq!(error("attribute:a == b & attribute:c == d").position, 17);
        assert_eq!(error("attribute:a == b | attribute:c == d").position, 17);
        assert_eq!(error("attribute:a == 'b'c").position, 18);
        assert_eq!(error("attribute:a == b == c").position, 17);
        assert_eq!(error("attribute:a exists b").position, 19);
        // Long words are shortened in the message.
        let e = error(&format!("attribute:a == b {}", "x".repeat(50)));
        assert!(e.message.ends_with(&format!("found `{}…`", "x".repeat(20))), "{e}");
    }

    #[test]
    fn error_for_an_empty_expression() {
        for text in ["", "   ", "\n\t"] {
            let e = error(text);
            assert_eq!(e.position, 0);
            assert!(e.message.starts_with("the expression is empty"), "{e}");
        }
        assert_eq!(error("()").position, 1);
    }

    #[test]
    fn error_for_unbalanced_parentheses() {
        let e = error("(attribute:a == 1 || attribute:b == 2");
        assert_eq!(
            e.to_string(),
            "at position 37: expected `&&`, `||` or `)` to close the `(` at position 0, found end of input"
        );
        assert_eq!(error("attribute:a == 1)").to_string(), "at position 16: unexpected `)`: no `(` is open here");
        assert_eq!(error("((attribute:a == 1)").position, 19);
        assert_eq!(error("(attribute:a == 1))").position, 18);
        assert_eq!(error(")").position, 0);
    }

    #[test]
    fn error_for_an_unsupported_pattern() {
        // Positions point into the pattern, past an opening quote.
        assert_eq!(error("attribute:a =~ *x").position, 15);
        assert_eq!(error("attribute:a =~ x**").position, 17);
        assert_eq!(error("attribute:a =~ 'g2|p3'").position, 18);
        assert_eq!(error("attribute:a =~ g{2}").position, 16);
        assert_eq!(error("attribute:a =~ 'c[56]'").position, 17);
        assert_eq!(error("attribute:a =~ m\\d").position, 16);
        assert_eq!(error("attribute:a =~ m\\").position, 17);
        assert_eq!(error("attribute:a =~ a$b").position, 16);
        let e = error("attribute:a =~ '(g2)'");
        assert!(e.message.contains("is not supported in patterns"), "{e}");
        let long = format!("attribute:a =~ {}", "x".repeat(MAX_PATTERN_ITEMS + 1));
        assert_eq!(error(&long).position, 15 + MAX_PATTERN_ITEMS);
        assert!(parse(&format!("attribute:a =~ {}", "x".repeat(MAX_PATTERN_ITEMS))).is_ok());
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        // "é" and "€" are several bytes each; the position of `z` is still its character offset.
        let e = error("attribute:zone == é€ z");
        assert_eq!(e.position, 21);
        assert!(e.to_string().contains("found `z`"));
        assert!(instance("i-0", &[("zone", "é€")]).satisfies("attribute:zone == é€"));
    }

    #[test]
    fn limits() {
        let deep = format!("{}attribute:a == 1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse(&deep).is_ok());
        let deeper = format!("{}attribute:a == 1{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        assert_eq!(error(&deeper).position, MAX_DEPTH);
        assert_eq!(error(&"!".repeat(1000)).position, MAX_DEPTH);
        let long = vec!["attribute:a == 1"; 200].join(" || ");
        assert_eq!(error(&long).position, MAX_EXPRESSION_CHARS);
        let just_fits = vec!["attribute:a == 1"; 100].join(" || ");
        assert!(just_fits.chars().count() <= MAX_EXPRESSION_CHARS);
        assert!(parse(&just_fits).is_ok());
    }

    /// Property-style: no prefix, suffix or one-character edit of a valid expression makes `parse` panic, every
    /// error points inside (or just past) the text, and whatever parses can be evaluated.
    #[test]
    fn never_panics_on_mangled_input() {
        let valid = [
            "attribute:ecs.instance-type == t2.small",
            "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
            "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d",
            "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']",
            "not(attribute:a !in [\"x y\", z]) || (attribute:b =~ '^m5a?\\.l.+$' && !attribute:c exists)",
            "attribute:zone == é€ && attribute:x not_matches .*ü",
        ];
        let mut inputs: Vec<String> = Vec::new();
        for text in valid {
            assert!(parse(text).is_ok(), "{text}");
            let chars: Vec<char> = text.chars().collect();
            for i in 0..=chars.len() {
                inputs.push(chars[..i].iter().collect());
                inputs.push(chars[i..].iter().collect());
                if i < chars.len() {
                    let mut deleted = chars.clone();
                    deleted.remove(i);
                    inputs.push(deleted.into_iter().collect());
                    for c in ['(', ')', '[', ']', ',', '\'', '!', '=', '~', '&', '|', '\\', '*', ' ', 'é'] {
                        let mut inserted = chars.clone();
                        inserted.insert(i, c);
                        inputs.push(inserted.into_iter().collect());
                    }
                }
            }
        }
        let everything = instance("i-abcd1234", &[("a", "x y"), ("b", "m5.large"), ("zone", "é€")]);
        for input in &inputs {
            match parse(input) {
                Ok(expr) => {
                    let _ = expr.matches(|s: &Subject| match s {
                        Subject::Attribute(name) => everything.attributes.get(name.as_str()).copied(),
                        Subject::Ec2InstanceId => Some(everything.id),
                    });
                }
                Err(e) => {
                    assert!(e.position <= input.chars().count(), "{input:?}: {e}");
                    assert!(!e.message.is_empty(), "{input:?}");
                }
            }
        }
    }
}
