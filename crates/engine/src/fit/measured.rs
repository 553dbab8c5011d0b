//! A measured curve of one service's tasks over time, read from what a user has: a CSV of `(time_s, count)` rows,
//! or the service's event messages as `aws ecs describe-services` prints them.
//!
//! Untrusted text: its size, its rows and every number are bounded, and an error names the line and column (CSV)
//! or the JSON path (events) of the first problem.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The largest measured text read (a CSV of [`MAX_POINTS`] rows of two numbers is ~0.3 MB; an events document
/// of 10,000 events ~2 MB).
pub const MAX_MEASURED_BYTES: usize = 4 * 1024 * 1024;
/// The most points a measured curve may have.
pub const MAX_POINTS: usize = 10_000;
/// The latest time a point may have, in seconds: 30 days, far past any scenario's horizon.
pub const MAX_TIME_S: f64 = 30.0 * 86_400.0;
/// The largest count a point may have: ECS's "Tasks per service" quota is 5,000; this leaves room for a curve of
/// several services added up.
pub const MAX_COUNT: f64 = 1_000_000.0;

/// What the counts of a measured curve are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CurveKind {
    /// Tasks running at the time (a CSV whose count column is not named for launches).
    Running,
    /// Tasks launched (started by the scheduler) up to the time: the service's "has started N tasks" events.
    Launched,
}

impl CurveKind {
    pub fn name(self) -> &'static str {
        match self {
            CurveKind::Running => "running",
            CurveKind::Launched => "launched",
        }
    }
}

/// One measured point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeasuredPoint {
    /// Seconds from the start of the measurement (the scenario's time 0).
    pub time_s: f64,
    pub count: f64,
}

/// A measured curve: points in strictly increasing time, at least one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasuredCurve {
    pub kind: CurveKind,
    pub points: Vec<MeasuredPoint>,
}

/// Why a measured text cannot be read: where (`line 3, column 2`, or a JSON path such as
/// `services[0].events[4].createdAt`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasuredError {
    pub place: String,
    pub message: String,
}

impl MeasuredError {
    fn new(place: impl Into<String>, message: impl Into<String>) -> MeasuredError {
        MeasuredError { place: place.into(), message: message.into() }
    }
}

impl fmt::Display for MeasuredError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

impl std::error::Error for MeasuredError {}

/// Reads either form: text whose first non-blank character is `{` or `[` is JSON (event messages), anything
/// else CSV. `service` picks the service of a `describe-services` output with several.
pub fn parse_measured(text: &str, service: Option<&str>) -> Result<MeasuredCurve, MeasuredError> {
    match text.trim_start().chars().next() {
        Some('{' | '[') => parse_service_events(text, service),
        _ => parse_csv(text),
    }
}

fn check_size(text: &str) -> Result<(), MeasuredError> {
    if text.len() > MAX_MEASURED_BYTES {
        return Err(MeasuredError::new(
            "measured curve",
            format!("{} bytes is more than the {} MiB a measured curve may have", text.len(), MAX_MEASURED_BYTES >> 20),
        ));
    }
    Ok(())
}

/// A number of a CSV cell or a JSON field, checked against `0..=max`.
fn bounded(value: f64, max: f64, what: &str) -> Result<f64, String> {
    if !value.is_finite() {
        return Err(format!("{what} must be a finite number"));
    }
    if !(0.0..=max).contains(&value) {
        return Err(format!("{what} {value} is outside 0 to {max}"));
    }
    Ok(value)
}

/// A CSV of `time_s,count` rows: seconds from the start and the service's task count then. Separated by commas
/// (or tabs, or semicolons); blank lines and lines starting with `#` are skipped; an optional header names the
/// columns, and a count column whose name contains `launch` or `start` makes the curve one of launched tasks
/// (else running tasks). Times must increase from row to row.
pub fn parse_csv(text: &str) -> Result<MeasuredCurve, MeasuredError> {
    check_size(text)?;
    let mut kind = CurveKind::Running;
    let mut points: Vec<MeasuredPoint> = Vec::new();
    let mut seen_row = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line = i + 1;
        let row = raw.strip_suffix('\r').unwrap_or(raw);
        if row.trim().is_empty() || row.trim_start().starts_with('#') {
            continue;
        }
        let separator = [',', '\t', ';'].into_iter().find(|c| row.contains(*c)).unwrap_or(',');
        let cells: Vec<&str> = row.split(separator).collect();
        let first_row = !seen_row;
        seen_row = true;
        if first_row && cells.first().is_some_and(|c| c.trim().parse::<f64>().is_err()) {
            // A header: the second column's name says what the counts are.
            if cells.len() != 2 {
                return Err(MeasuredError::new(
                    format!("line {line}"),
                    format!("expected two columns (time_s,count), found {}", cells.len()),
                ));
            }
            let name = cells[1].trim().to_ascii_lowercase();
            if name.contains("launch") || name.contains("start") {
                kind = CurveKind::Launched;
            }
            continue;
        }
        if cells.len() != 2 {
            return Err(MeasuredError::new(
                format!("line {line}"),
                format!("expected two columns (time_s,count), found {}", cells.len()),
            ));
        }
        if points.len() == MAX_POINTS {
            return Err(MeasuredError::new(
                format!("line {line}"),
                format!("more than {MAX_POINTS} rows: a measured curve may have at most {MAX_POINTS} points"),
            ));
        }
        let cell = |column: usize, what: &str, max: f64| -> Result<f64, MeasuredError> {
            let place = format!("line {line}, column {column}");
            let text = cells[column - 1].trim();
            let value: f64 =
                text.parse().map_err(|_| MeasuredError::new(&place, format!("{what} `{text}` is not a number")))?;
            bounded(value, max, what).map_err(|m| MeasuredError::new(&place, m))
        };
        let time_s = cell(1, "time_s", MAX_TIME_S)?;
        let count = cell(2, "count", MAX_COUNT)?;
        if let Some(last) = points.last() {
            if time_s <= last.time_s {
                return Err(MeasuredError::new(
                    format!("line {line}, column 1"),
                    format!("time_s {time_s} is not after the previous row's {}", last.time_s),
                ));
            }
        }
        points.push(MeasuredPoint { time_s, count });
    }
    if points.is_empty() {
        return Err(MeasuredError::new("measured curve", "no rows: expected lines of time_s,count"));
    }
    Ok(MeasuredCurve { kind, points })
}

// ---------------------------------------------------------------------------------------------------------------
// Service event messages

/// The service's event messages as `aws ecs describe-services` prints them: the whole output
/// (`{"services": [{"serviceName": ..., "events": [...]}]}`), one service object (`create-service` and
/// `update-service` print `{"service": {...}}`), or the `events` list itself. Each event has `createdAt` and
/// `message` ("ServiceEvent", Amazon ECS API Reference: "createdAt: The Unix timestamp for the time when the event
/// was triggered", "message: The event message"): AWS CLI version 1 prints `createdAt` as seconds since 1970
/// (`1510811841.408`), version 2 as ISO 8601 text (`2026-04-30T02:05:31.480000+00:00`); both are read.
///
/// The curve counts the tasks the scheduler started: messages of the form `(service NAME) has started N tasks:
/// (task ID) ...` ("Service event messages", Amazon ECS Developer Guide: the scheduler's "task placement and
/// instance health events ... will have a prefix of service (service-name)"). Other messages are skipped. Time 0
/// is the first such event; the API keeps only recent events ("we only show the 100 most recent events"), so a
/// long rollout's first events may be missing, and the curve then starts later than the rollout did.
pub fn parse_service_events(text: &str, service: Option<&str>) -> Result<MeasuredCurve, MeasuredError> {
    check_size(text)?;
    let root: Value = serde_json::from_str(text).map_err(|e| {
        MeasuredError::new(format!("line {}, column {}", e.line(), e.column()), format!("not JSON: {e}"))
            .without_position()
    })?;
    let (events, path, name) = events_of(&root, service)?;
    if events.len() > MAX_POINTS {
        return Err(MeasuredError::new(
            path,
            format!("{} events: a measured curve may have at most {MAX_POINTS}", events.len()),
        ));
    }
    let mut started: Vec<(f64, f64)> = Vec::new();
    for (i, event) in events.iter().enumerate() {
        let here = format!("{path}[{i}]");
        let Some(message) = event.get("message").and_then(Value::as_str) else {
            return Err(MeasuredError::new(format!("{here}.message"), "missing: every event has a message"));
        };
        let Some((who, tasks)) = started_tasks(message) else { continue };
        if let Some(want) = name.as_deref() {
            if who != want {
                continue;
            }
        }
        let at = event
            .get("createdAt")
            .ok_or_else(|| MeasuredError::new(format!("{here}.createdAt"), "missing: every event has createdAt"))?;
        let seconds = timestamp(at).map_err(|m| MeasuredError::new(format!("{here}.createdAt"), m))?;
        let tasks = bounded(f64::from(tasks), MAX_COUNT, "the number of tasks started")
            .map_err(|m| MeasuredError::new(format!("{here}.message"), m))?;
        started.push((seconds, tasks));
    }
    if started.is_empty() {
        return Err(MeasuredError::new(
            path,
            "no \"(service NAME) has started N tasks\" message: nothing to measure".to_string(),
        ));
    }
    // The API lists the newest first; sort by time (ties keep their order).
    crate::sort::sort_by(&mut started, |a, b| a.0.total_cmp(&b.0));
    let start = started[0].0;
    let mut points: Vec<MeasuredPoint> = Vec::new();
    let mut total = 0.0;
    for (at, tasks) in started {
        total += tasks;
        let time_s = at - start;
        if time_s > MAX_TIME_S {
            return Err(MeasuredError::new(path, format!("the events span more than {MAX_TIME_S} s")));
        }
        match points.last_mut() {
            Some(last) if last.time_s == time_s => last.count = total,
            _ => points.push(MeasuredPoint { time_s, count: total }),
        }
    }
    if total > MAX_COUNT {
        return Err(MeasuredError::new(path, format!("{total} tasks started: more than {MAX_COUNT}")));
    }
    Ok(MeasuredCurve { kind: CurveKind::Launched, points })
}

impl MeasuredError {
    /// serde_json's message carries " at line L column C" already said in `place`.
    fn without_position(mut self) -> MeasuredError {
        if let Some(i) = self.message.rfind(" at line ") {
            self.message.truncate(i);
        }
        self
    }
}

/// The events list of a describe-services output, its path, and the service name whose messages count.
fn events_of<'a>(
    root: &'a Value,
    service: Option<&str>,
) -> Result<(&'a Vec<Value>, String, Option<String>), MeasuredError> {
    let events_in = |object: &'a Value, path: &str| -> Result<&'a Vec<Value>, MeasuredError> {
        object.get("events").and_then(Value::as_array).ok_or_else(|| MeasuredError::new(path, "has no \"events\" list"))
    };
    let service_name = |object: &Value| object.get("serviceName").and_then(Value::as_str).map(str::to_string);
    match root {
        Value::Array(events) => Ok((events, "events".into(), service.map(str::to_string))),
        Value::Object(map) => {
            if let Some(services) = map.get("services").and_then(Value::as_array) {
                let names: Vec<String> =
                    services.iter().map(|s| service_name(s).unwrap_or_else(|| "(unnamed)".into())).collect();
                let index = match service {
                    Some(want) => names.iter().position(|n| n == want).ok_or_else(|| {
                        MeasuredError::new(
                            "services",
                            format!("no service named `{want}` (the output has: {})", names.join(", ")),
                        )
                    })?,
                    None if services.len() == 1 => 0,
                    None => {
                        return Err(MeasuredError::new(
                            "services",
                            format!("{} services: name one of {} (--service)", services.len(), names.join(", ")),
                        ))
                    }
                };
                let path = format!("services[{index}]");
                let events = events_in(&services[index], &path)?;
                Ok((events, format!("{path}.events"), names.get(index).cloned()))
            } else if let Some(one) = map.get("service") {
                let events = events_in(one, "service")?;
                Ok((events, "service.events".into(), service.map(str::to_string).or_else(|| service_name(one))))
            } else {
                let events = events_in(root, "the document")?;
                Ok((events, "events".into(), service.map(str::to_string).or_else(|| service_name(root))))
            }
        }
        _ => Err(MeasuredError::new("the document", "expected describe-services output or a list of events")),
    }
}

/// `(service web) has started 10 tasks: (task a) ...` → ("web", 10).
pub fn started_tasks(message: &str) -> Option<(&str, u32)> {
    let rest = message.strip_prefix("(service ")?;
    let (name, rest) = rest.split_once(") has started ")?;
    let (number, rest) = rest.split_once(' ')?;
    if !(rest.starts_with("tasks") || rest.starts_with("task")) {
        return None;
    }
    Some((name, number.parse().ok()?))
}

/// Seconds since 1970 of a `createdAt`: a number (AWS CLI v1) or ISO 8601 text with a zone (AWS CLI v2).
fn timestamp(value: &Value) -> Result<f64, String> {
    match value {
        Value::Number(n) => {
            let s = n.as_f64().ok_or("not a number")?;
            if s.is_finite() && (0.0..=1.0e11).contains(&s) {
                Ok(s)
            } else {
                Err(format!("{s} is not a time in seconds since 1970"))
            }
        }
        Value::String(text) => iso_seconds(text).ok_or_else(|| {
            format!("`{text}` is not a time such as 2026-04-30T02:05:31.480000+00:00 or 2017-05-21T11:21:14.072Z")
        }),
        _ => Err("expected a time (seconds since 1970, or ISO 8601 text)".into()),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (a space may replace the `T`) to seconds since 1970.
pub fn iso_seconds(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let part = text.get(from..from + n)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    let mut fraction = 0.0;
    if b.get(at) == Some(&b'.') {
        let start = at + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        if end == start || end - start > 9 {
            return None;
        }
        fraction = format!("0.{}", &text[start..end]).parse().ok()?;
        at = end;
    }
    let offset_s = match &text[at..] {
        "Z" | "z" => 0,
        zone if zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')) && zone.as_bytes()[3] == b':' => {
            let h = digits(at + 1, 2)?;
            let m = digits(at + 4, 2)?;
            if h > 23 || m > 59 {
                return None;
            }
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    #[allow(clippy::cast_precision_loss)] // |seconds| < 2^53: years 0..=9999
    Some(seconds as f64 + fraction)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
