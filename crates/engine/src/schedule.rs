//! EventBridge schedule expressions (`docs/model.md` §11): AWS's `cron(...)`, `rate(...)` and `at(...)` parsed into a
//! [`Schedule`], and the next time one fires after a given instant, in a time zone given as a fixed UTC offset.
//!
//! The syntax is the one of *Cron expressions reference* (EventBridge User Guide) and *Schedule types in EventBridge
//! Scheduler*:
//! - "Cron expressions have six required fields, which are separated by white space": Minutes `0-59` (`, - * /`),
//!   Hours `0-23` (`, - * /`), Day-of-month `1-31` (`, - * ? / L W`), Month `1-12 or JAN-DEC` (`, - * /`),
//!   Day-of-week `1-7 or SUN-SAT` (`, - * ? L #`), Year `1970-2199` (`, - * /`).
//! - "You can't specify the Day-of-month and Day-of-week fields in the same cron expression. If you specify a value or
//!   a * (asterisk) in one of the fields, you must use a ? (question mark) in the other."
//! - "The W wildcard in the Day-of-month field specifies a weekday. In the Day-of-month field, 3W specifies the weekday
//!   closest to the third day of the month." "The # wildcard in the Day-of-week field specifies a certain instance of
//!   the specified day of the week within a month. For example, 3#2 would be the second Tuesday of the month."
//!   "If you use a '#' character, you can define only one expression in the day-of-week field."
//! - "The L wildcard in the Day-of-month or Day-of-week fields specifies the last day of the month or week." As in
//!   the Quartz syntax AWS's follows, `5L` in Day-of-week is the month's last Thursday and `LW` in Day-of-month its
//!   last weekday (an assumption where the guide is silent).
//! - Rate expressions (*Rate expressions reference*): "rate(value unit)", "Valid values: minute | minutes | hour |
//!   hours | day | days"; "If the value is equal to 1, then the unit must be singular. If the value is greater than 1,
//!   the unit must be plural. For example, rate(1 hours) and rate(5 hour) are not valid".
//! - One-time schedules: "at expression - at(yyyy-mm-ddThh:mm:ss)", in the schedule's time zone.
//!
//! Time zones: EventBridge Scheduler takes an IANA name (`ScheduleExpressionTimezone`); a pure engine does not carry
//! the tz database, so only fixed offsets (`UTC`, `Z`, `+09:00`) are accepted and daylight saving time is not
//! modelled. All arithmetic is integer milliseconds since 1970-01-01T00:00Z (`i64`).

use crate::zone::{Local, Zone};

const MINUTE_MS: i64 = 60_000;
const MAX_EXPRESSION_LEN: usize = 256;
const DAY_MS: i64 = 86_400_000;
/// The Year field's range in the cron reference table.
const YEAR_MIN: i64 = 1970;
const YEAR_MAX: i64 = 2199;

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    Cron(Box<Cron>),
    /// `rate(value unit)`: every `every_ms`, from the schedule's start.
    Rate {
        every_ms: i64,
    },
    /// `at(...)`: once, at this local wall-clock time (milliseconds since the epoch as if the zone were UTC).
    At {
        local_ms: i64,
    },
}

/// The day-of-month field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MonthDay {
    /// `?`
    Any,
    /// Days 1..=31 as bits.
    Days(u32),
    /// `L`
    Last,
    /// `LW`
    LastWeekday,
    /// `nW`
    NearestWeekday(u32),
}

/// The day-of-week field (1 = Sunday … 7 = Saturday).
#[derive(Debug, Clone, PartialEq, Eq)]
enum WeekDay {
    /// `?`
    Any,
    /// Days 1..=7 as bits.
    Days(u32),
    /// `nL`: the month's last day `n`.
    LastOf(u32),
    /// `n#k`: the month's `k`th day `n`.
    Nth(u32, u32),
}

/// A parsed `cron(...)` expression: each field as the set of values it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u32,
    month_day: MonthDay,
    months: u32,
    week_day: WeekDay,
    /// Years 1970..=2199 as bits, offset by 1970.
    years: [u64; 4],
}

/// A problem in an expression: what is wrong and the 1-based column (in the whole expression) where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at column {}: {}", self.column, self.message)
    }
}

fn fail<T>(column: usize, message: impl Into<String>) -> Result<T, ScheduleError> {
    Err(ScheduleError { column, message: message.into() })
}

/// Parses `cron(...)`, `rate(...)` or `at(...)`.
pub fn parse(text: &str) -> Result<Schedule, ScheduleError> {
    // A bound on the work a hostile file can ask of the parser. 256 characters: an assumption, the "Maximum length of
    // 256" other AWS APIs publish for their ScheduleExpression (the Scheduler's own limit was not found).
    if text.len() > MAX_EXPRESSION_LEN {
        return fail(MAX_EXPRESSION_LEN + 1, format!("an expression is at most {MAX_EXPRESSION_LEN} characters"));
    }
    let inner = |prefix: &str| -> Option<Result<&str, ScheduleError>> {
        let rest = text.strip_prefix(prefix)?;
        Some(match rest.strip_suffix(')') {
            Some(body) => Ok(body),
            None => fail(text.len() + 1, format!("`{}` must end with `)`", prefix.trim_end_matches('('))),
        })
    };
    if let Some(body) = inner("cron(") {
        return parse_cron(body?, 6).map(|c| Schedule::Cron(Box::new(c)));
    }
    if let Some(body) = inner("rate(") {
        return parse_rate(body?, 6);
    }
    if let Some(body) = inner("at(") {
        let body = body?;
        return match parse_local(body) {
            Some(local_ms) => Ok(Schedule::At { local_ms }),
            None => fail(4, format!("`{body}` is not a date-time yyyy-mm-ddThh:mm:ss")),
        };
    }
    fail(1, "a schedule expression is cron(minutes hours day-of-month month day-of-week year), rate(value unit) or at(yyyy-mm-ddThh:mm:ss)")
}

fn parse_rate(body: &str, col0: usize) -> Result<Schedule, ScheduleError> {
    let parts: Vec<&str> = body.split(' ').collect();
    if parts.len() != 2 {
        return fail(col0, "rate(value unit) has two fields separated by one space, e.g. rate(5 minutes)");
    }
    let value: i64 = match parts[0].parse::<u32>() {
        Ok(v) if v > 0 => i64::from(v),
        _ => return fail(col0, format!("`{}` is not a positive whole number", parts[0])),
    };
    let unit_col = col0 + parts[0].len() + 1;
    let (unit_ms, plural) = match parts[1] {
        "minute" => (MINUTE_MS, false),
        "minutes" => (MINUTE_MS, true),
        "hour" => (60 * MINUTE_MS, false),
        "hours" => (60 * MINUTE_MS, true),
        "day" => (DAY_MS, false),
        "days" => (DAY_MS, true),
        other => {
            return fail(unit_col, format!("`{other}` is not a unit: minute | minutes | hour | hours | day | days"))
        }
    };
    if (value == 1) == plural {
        let want = if value == 1 { "singular (rate(1 hour))" } else { "plural (rate(5 hours))" };
        return fail(unit_col, format!("with the value {value} the unit must be {want}"));
    }
    // A week-long horizon needs at most a few thousand firings; 10 years bounds the value without overflow.
    if value.saturating_mul(unit_ms) > 3650 * DAY_MS {
        return fail(col0, "a rate longer than 10 years");
    }
    Ok(Schedule::Rate { every_ms: value * unit_ms })
}

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// One field's description: name, range, names for its values, and which wildcards it takes.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    slash: bool,
}

const FIELDS: [Field; 6] = [
    Field { name: "Minutes", min: 0, max: 59, names: &[], slash: true },
    Field { name: "Hours", min: 0, max: 23, names: &[], slash: true },
    Field { name: "Day-of-month", min: 1, max: 31, names: &[], slash: true },
    Field { name: "Month", min: 1, max: 12, names: &MONTHS, slash: true },
    // The reference table lists `, - * ? L #` for Day-of-week: no `/`.
    Field { name: "Day-of-week", min: 1, max: 7, names: &DAYS, slash: false },
    Field { name: "Year", min: 1970, max: 2199, names: &[], slash: true },
];

impl Field {
    fn value(&self, text: &str, col: usize) -> Result<u32, ScheduleError> {
        let upper = text.to_ascii_uppercase();
        if let Some(i) = self.names.iter().position(|n| *n == upper) {
            return Ok(self.min + crate::narrow::u32_of(i));
        }
        match text.parse::<u32>() {
            Ok(v) if (self.min..=self.max).contains(&v) && !text.starts_with('+') => Ok(v),
            Ok(v) if !text.starts_with('+') => {
                fail(col, format!("{}: {v} is out of range {}-{}{}", self.name, self.min, self.max, self.named_range()))
            }
            _ => fail(
                col,
                format!("{}: `{text}` is not a value ({}-{}{})", self.name, self.min, self.max, self.named_range()),
            ),
        }
    }

    fn named_range(&self) -> String {
        match (self.names.first(), self.names.last()) {
            (Some(a), Some(b)) => format!(" or {a}-{b}"),
            _ => String::new(),
        }
    }

    /// The values one comma-separated item allows: `*`, `v`, `a-b`, with an optional `/step`.
    fn item(&self, item: &str, col: usize, out: &mut Vec<u32>) -> Result<(), ScheduleError> {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => {
                if !self.slash {
                    return fail(col + r.len(), format!("{}: `/` is not allowed in this field", self.name));
                }
                let step_col = col + r.len() + 1;
                match s.parse::<u32>() {
                    Ok(v) if v > 0 && v <= self.max => (r, Some(v)),
                    _ => return fail(step_col, format!("{}: `{s}` is not an increment (1-{})", self.name, self.max)),
                }
            }
            None => (item, None),
        };
        let (lo, hi) = if range == "*" {
            (self.min, self.max)
        } else if let Some((a, b)) = range.split_once('-') {
            let lo = self.value(a, col)?;
            let hi = self.value(b, col + a.len() + 1)?;
            if hi < lo {
                return fail(col, format!("{}: the range `{range}` ends before it starts", self.name));
            }
            (lo, hi)
        } else {
            let v = self.value(range, col)?;
            // `1/10` in Minutes is "every tenth minute, starting from the first minute of the hour".
            (v, if step.is_some() { self.max } else { v })
        };
        let step = step.unwrap_or(1);
        let mut v = lo;
        while v <= hi {
            out.push(v);
            v += step;
        }
        Ok(())
    }

    /// The field as a set of values (ignoring the day fields' special forms, handled by their callers).
    fn values(&self, text: &str, col: usize) -> Result<Vec<u32>, ScheduleError> {
        let mut out = Vec::new();
        let mut c = col;
        for item in text.split(',') {
            if item.is_empty() {
                return fail(c, format!("{}: an empty item between commas", self.name));
            }
            if item == "?" {
                return fail(c, format!("{}: `?` may only stand alone, in Day-of-month or Day-of-week", self.name));
            }
            self.item(item, c, &mut out)?;
            c += item.len() + 1;
        }
        Ok(out)
    }
}

fn bits(values: &[u32]) -> u64 {
    values.iter().fold(0u64, |b, &v| b | (1u64 << v))
}

fn parse_cron(body: &str, col0: usize) -> Result<Cron, ScheduleError> {
    let mut fields: Vec<(&str, usize)> = Vec::new();
    let mut col = col0;
    for part in body.split(' ') {
        if part.is_empty() {
            return fail(col, "fields are separated by exactly one space");
        }
        fields.push((part, col));
        col += part.len() + 1;
    }
    if fields.len() != 6 {
        return fail(
            col0,
            format!(
                "cron expressions have six required fields (minutes hours day-of-month month day-of-week year), got {}",
                fields.len()
            ),
        );
    }
    let (dom, dom_col) = fields[2];
    let (dow, dow_col) = fields[4];
    if (dom == "?") == (dow == "?") {
        let col = if dom == "?" { dow_col } else { dom_col };
        return fail(
            col,
            "one of Day-of-month and Day-of-week must be `?`: \"If you specify a value or a * (asterisk) in one of the \
             fields, you must use a ? (question mark) in the other\"",
        );
    }
    let minutes = bits(&FIELDS[0].values(fields[0].0, fields[0].1)?);
    let hours = crate::narrow::u32_of_u64(bits(&FIELDS[1].values(fields[1].0, fields[1].1)?));
    let months = crate::narrow::u32_of_u64(bits(&FIELDS[3].values(fields[3].0, fields[3].1)?));
    let mut years = [0u64; 4];
    for y in FIELDS[5].values(fields[5].0, fields[5].1)? {
        let i = crate::narrow::usize_of(u64::from(y - 1970));
        years[i / 64] |= 1u64 << (i % 64);
    }
    let month_day = match dom {
        "?" => MonthDay::Any,
        "L" => MonthDay::Last,
        "LW" => MonthDay::LastWeekday,
        w if w.ends_with('W') => {
            let n = &w[..w.len() - 1];
            MonthDay::NearestWeekday(FIELDS[2].value(n, dom_col)?)
        }
        other => {
            if let Some(at) = other.find(['L', 'W', '#']) {
                return fail(
                    dom_col + at,
                    "Day-of-month: `L` and `W` stand alone (`L`, `LW`, `15W`), not in a list or range",
                );
            }
            MonthDay::Days(crate::narrow::u32_of_u64(bits(&FIELDS[2].values(other, dom_col)?)))
        }
    };
    let week_day = match dow {
        "?" => WeekDay::Any,
        // "the last day of the … week": Saturday.
        "L" => WeekDay::Days(1 << 7),
        other => {
            if let Some((d, k)) = other.split_once('#') {
                if d.contains(',') || k.contains(',') {
                    return fail(
                        dow_col,
                        "Day-of-week: with `#` the field holds one expression (\"3#1,6#3\" is invalid)",
                    );
                }
                let day = FIELDS[4].value(d, dow_col)?;
                match k.parse::<u32>() {
                    Ok(k) if (1..=5).contains(&k) => WeekDay::Nth(day, k),
                    _ => return fail(dow_col + d.len() + 1, format!("Day-of-week: `{k}` is not an instance 1-5")),
                }
            } else if let Some(d) = other.strip_suffix('L') {
                WeekDay::LastOf(FIELDS[4].value(d, dow_col)?)
            } else {
                if let Some(at) = other.find(['L', '#']) {
                    return fail(dow_col + at, "Day-of-week: `L` and `#` stand alone (`6L`, `3#2`), not in a list");
                }
                WeekDay::Days(crate::narrow::u32_of_u64(bits(&FIELDS[4].values(other, dow_col)?)))
            }
        }
    };
    Ok(Cron { minutes, hours, month_day, months, week_day, years })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01: (year, month 1-12, day 1-31).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = small(doy - (153 * mp + 2) / 5 + 1);
    let m = small(if mp < 10 { mp + 3 } else { mp - 9 });
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// A day, month or weekday number (always small and non-negative here) as `u32`.
fn small(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Day of week of a day count, 1 = Sunday … 7 = Saturday (1970-01-01 was a Thursday).
fn week_day(days: i64) -> u32 {
    small((days + 4).rem_euclid(7)) + 1
}

impl Cron {
    /// Whether the local day `days` (since 1970-01-01) is one the day fields, month and year allow.
    fn day_matches(&self, days: i64) -> bool {
        let (y, m, d) = civil_from_days(days);
        if !(YEAR_MIN..=YEAR_MAX).contains(&y) {
            return false;
        }
        let yi = usize::try_from(y - YEAR_MIN).unwrap_or(0);
        if self.years[yi / 64] & (1 << (yi % 64)) == 0 || self.months & (1 << m) == 0 {
            return false;
        }
        let dim = days_in_month(y, m);
        let wd = week_day(days);
        let dom_ok = match self.month_day {
            MonthDay::Any => true,
            MonthDay::Days(b) => b & (1 << d) != 0,
            MonthDay::Last => d == dim,
            MonthDay::LastWeekday => {
                let last = days - i64::from(d) + i64::from(dim);
                d == nearest_weekday_in_month(last, dim, dim)
            }
            MonthDay::NearestWeekday(n) => {
                n <= dim && d == nearest_weekday_in_month(days - i64::from(d) + i64::from(n), n, dim)
            }
        };
        let dow_ok = match self.week_day {
            WeekDay::Any => true,
            WeekDay::Days(b) => b & (1 << wd) != 0,
            WeekDay::LastOf(n) => wd == n && d + 7 > dim,
            WeekDay::Nth(n, k) => wd == n && (d - 1) / 7 + 1 == k,
        };
        dom_ok && dow_ok
    }

    /// The first minute at or after `from_local` (local ms) that the expression allows, searching until `until_local`.
    fn next_local(&self, from_local: i64, until_local: i64) -> Option<i64> {
        let from = from_local.div_euclid(MINUTE_MS) * MINUTE_MS;
        let from = if from < from_local { from + MINUTE_MS } else { from };
        let mut day = from.div_euclid(DAY_MS);
        while day * DAY_MS <= until_local {
            if self.day_matches(day) {
                let first = if day == from.div_euclid(DAY_MS) { from.rem_euclid(DAY_MS) / MINUTE_MS } else { 0 };
                for minute_of_day in first..1440 {
                    let (h, mi) = (minute_of_day / 60, minute_of_day % 60);
                    if self.hours & (1 << h) != 0 && self.minutes & (1 << mi) != 0 {
                        let t = day * DAY_MS + minute_of_day * MINUTE_MS;
                        return (t <= until_local).then_some(t);
                    }
                }
            }
            day += 1;
        }
        None
    }
}

/// The weekday closest to the day `n` of a month whose day `n` is `day_n` (days since the epoch), not leaving the
/// month: a Saturday moves to Friday (or to Monday the 3rd when `n` is the 1st), a Sunday to Monday (or to Friday when
/// `n` is the month's last day). Returns the day of the month.
fn nearest_weekday_in_month(day_n: i64, n: u32, dim: u32) -> u32 {
    match week_day(day_n) {
        7 if n == 1 => 3,
        7 => n - 1,
        1 if n == dim => n - 2,
        1 => n + 1,
        _ => n,
    }
}

/// A time zone as a fixed offset from UTC, in minutes: `UTC`, `Z`, `+09:00`, `-05:30` (named zones: [`Zone`]).
pub fn parse_offset(text: &str) -> Result<i64, String> {
    match Zone::parse(text)? {
        Zone::Fixed(min) => Ok(min),
        Zone::Named(z) => Err(format!("`{}` is a named zone, not a fixed offset", z.name)),
    }
}

/// `yyyy-mm-ddThh:mm[:ss]` as milliseconds since the epoch, read as if in UTC.
fn parse_local(text: &str) -> Option<i64> {
    let (date, time) = text.split_once('T')?;
    let d: Vec<&str> = date.split('-').collect();
    if d.len() != 3 || d[0].len() != 4 || d[1].len() != 2 || d[2].len() != 2 {
        return None;
    }
    let y: i64 = d[0].parse().ok()?;
    let (m, day): (u32, u32) = (d[1].parse().ok()?, d[2].parse().ok()?);
    if !(1..=12).contains(&m) || day == 0 || day > days_in_month(y, m) {
        return None;
    }
    let t: Vec<&str> = time.split(':').collect();
    if !(2..=3).contains(&t.len()) || t.iter().any(|p| p.len() != 2) {
        return None;
    }
    let (h, mi): (i64, i64) = (t[0].parse().ok()?, t[1].parse().ok()?);
    let s: i64 = if t.len() == 3 { t[2].parse().ok()? } else { 0 };
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(days_from_civil(y, m, day) * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000)
}

/// A wall-clock start `YYYY-MM-DDTHH:MM[:SS](Z|±HH:MM)` or `YYYY-MM-DDTHH:MM[:SS][Zone/Name]` (the scenario's
/// `start`) as UTC milliseconds since the epoch, and its zone. A local time the zone skips is not a start; one it
/// repeats is the first (daylight) one.
pub fn parse_start_zone(text: &str) -> Option<(i64, Zone)> {
    if let Some((local, rest)) = text.split_once('[') {
        let zone = Zone::parse(rest.strip_suffix(']')?).ok()?;
        let local = parse_local(local)?;
        return match zone.to_utc(local) {
            Local::Once(t) | Local::Twice(t, _) => Some((t, zone)),
            Local::Skipped => None,
        };
    }
    let utc = parse_instant_fixed(text)?;
    let offset = if text.ends_with('Z') { 0 } else { parse_offset(&text[text.rfind(['+', '-'])?..]).ok()? };
    Some((utc, Zone::Fixed(offset)))
}

/// [`parse_start_zone`]'s instant.
pub fn parse_instant(text: &str) -> Option<i64> {
    parse_start_zone(text).map(|(t, _)| t)
}

fn parse_instant_fixed(text: &str) -> Option<i64> {
    if let Some(local) = text.strip_suffix('Z') {
        return parse_local(local);
    }
    let at = text.rfind(['+', '-'])?;
    let (local, offset) = text.split_at(at);
    if !local.contains('T') {
        return None;
    }
    Some(parse_local(local)? - parse_offset(offset).ok()? * MINUTE_MS)
}

/// The local wall-clock text of a UTC instant in a zone, with the offset in force: `2026-12-03T02:00+09:00`.
pub fn format_local(utc_ms: i64, zone: Zone) -> String {
    let offset_min = zone.offset_at(utc_ms);
    let local = utc_ms + offset_min * MINUTE_MS;
    let (y, m, d) = civil_from_days(local.div_euclid(DAY_MS));
    let minute = local.rem_euclid(DAY_MS) / MINUTE_MS;
    let zone = if offset_min == 0 {
        "Z".to_string()
    } else {
        let sign = if offset_min < 0 { '-' } else { '+' };
        format!("{sign}{:02}:{:02}", offset_min.abs() / 60, offset_min.abs() % 60)
    };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}{zone}", minute / 60, minute % 60)
}

impl Schedule {
    /// Every time the schedule fires in `[start_utc, until_utc]` (UTC ms), at most `limit` of them, for a schedule
    /// evaluated in `zone`. A rate schedule starts at `start_utc` (*Schedule types*: "If you do not provide a
    /// StartDate for the rate-based schedule, your schedule starts invoking the target immediately") and counts
    /// fixed durations ("days represents a 24-hour duration on the clock"). Daylight saving time (*How can I adjust
    /// my Amazon EventBridge schedule for daylight saving?*, AWS Knowledge Center): "When the time shifts forward in
    /// Spring, your schedule invocation gets skipped if the cron expression falls on a non-existent date and time.
    /// When the time shifts back in the Fall, your schedule runs only once and doesn't repeat its invocation": a
    /// cron minute in the skipped hour does not fire, one in the repeated hour fires at its first occurrence.
    pub fn firings(&self, start_utc: i64, until_utc: i64, zone: Zone, limit: usize) -> Vec<i64> {
        let mut out = Vec::new();
        match self {
            Schedule::At { local_ms } => {
                // A one-time schedule in the skipped hour: the instant its wall time names in the offset before the
                // change (an hour later on the new clock; AWS does not say, an assumption).
                let t = match zone.to_utc(*local_ms) {
                    Local::Once(t) | Local::Twice(t, _) => t,
                    Local::Skipped => {
                        let well_before = local_ms - zone.offset_at(*local_ms) * MINUTE_MS - 3 * 60 * MINUTE_MS;
                        local_ms - zone.offset_at(well_before) * MINUTE_MS
                    }
                };
                if (start_utc..=until_utc).contains(&t) {
                    out.push(t);
                }
            }
            Schedule::Rate { every_ms } => {
                let mut t = start_utc;
                while t <= until_utc && out.len() < limit {
                    out.push(t);
                    t += every_ms;
                }
            }
            Schedule::Cron(cron) => {
                let mut from = zone.to_local(start_utc);
                let until_local = zone.to_local(until_utc);
                // The search runs on the local clock; a fall-back hour makes the local end up to an hour later.
                while out.len() < limit {
                    let Some(t) = cron.next_local(from, until_local + 60 * MINUTE_MS) else { break };
                    from = t + MINUTE_MS;
                    let utc = match zone.to_utc(t) {
                        Local::Once(u) | Local::Twice(u, _) => u,
                        Local::Skipped => continue,
                    };
                    if utc > until_utc {
                        break;
                    }
                    if utc >= start_utc {
                        out.push(utc);
                    }
                }
            }
        }
        out
    }

    /// The next firing at or after `from_utc`, looking at most `horizon_ms` ahead.
    pub fn next_after(&self, from_utc: i64, horizon_ms: i64, zone: Zone) -> Option<i64> {
        self.firings(from_utc, from_utc + horizon_ms, zone, 1).first().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        parse_instant(text).unwrap()
    }

    fn next(expr: &str, from: &str) -> String {
        let s = parse(expr).unwrap();
        let t = s.next_after(at(from), 6 * 366 * DAY_MS, Zone::Fixed(0)).expect("fires");
        format_local(t, Zone::Fixed(0))
    }

    fn err(expr: &str) -> String {
        parse(expr).unwrap_err().to_string()
    }

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(civil_from_days(days_from_civil(2199, 12, 31)), (2199, 12, 31));
        // 2026-12-02 is a Wednesday (4).
        assert_eq!(week_day(days_from_civil(2026, 12, 2)), 4);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
    }

    #[test]
    fn daily_at_a_fixed_time() {
        assert_eq!(next("cron(0 10 * * ? *)", "2026-12-02T08:00Z"), "2026-12-02T10:00Z");
        assert_eq!(next("cron(0 10 * * ? *)", "2026-12-02T10:00Z"), "2026-12-02T10:00Z");
        assert_eq!(next("cron(0 10 * * ? *)", "2026-12-02T10:00:01Z"), "2026-12-03T10:00Z");
        assert_eq!(next("cron(15 12 * * ? *)", "2026-12-31T13:00Z"), "2027-01-01T12:15Z");
    }

    #[test]
    fn the_documented_examples() {
        // "Run at 6:00 pm (UTC+0) Monday through Friday": 2026-12-05 is a Saturday.
        assert_eq!(next("cron(0 18 ? * MON-FRI *)", "2026-12-04T18:01Z"), "2026-12-07T18:00Z");
        // "Run at 8:00 am (UTC+0) every 1st day of the month".
        assert_eq!(next("cron(0 8 1 * ? *)", "2026-12-02T00:00Z"), "2027-01-01T08:00Z");
        // "Run every 10 minutes Monday through Friday".
        assert_eq!(next("cron(0/10 * ? * MON-FRI *)", "2026-12-04T23:55Z"), "2026-12-07T00:00Z");
        // "Run every 5 minutes Monday through Friday between 8:00 am and 5:55 pm (UTC+0)".
        assert_eq!(next("cron(0/5 8-17 ? * MON-FRI *)", "2026-12-02T17:56Z"), "2026-12-03T08:00Z");
        // "Run at 9 a.m. (UTC) the first Monday of each month".
        assert_eq!(next("cron(0 9 ? * 2#1 *)", "2026-12-08T00:00Z"), "2027-01-04T09:00Z");
        assert_eq!(next("cron(0 9 ? * 2#1 *)", "2026-12-02T00:00Z"), "2026-12-07T09:00Z");
        // "1/10 … the 11th, 21st, and 31st minute".
        assert_eq!(next("cron(1/10 * * * ? *)", "2026-12-02T00:02Z"), "2026-12-02T00:11Z");
    }

    #[test]
    fn month_ends_and_leap_years() {
        assert_eq!(next("cron(0 0 L * ? *)", "2027-02-01T00:00Z"), "2027-02-28T00:00Z");
        assert_eq!(next("cron(0 0 L * ? *)", "2028-02-01T00:00Z"), "2028-02-29T00:00Z");
        assert_eq!(next("cron(0 0 31 * ? *)", "2026-04-01T00:00Z"), "2026-05-31T00:00Z");
        assert_eq!(next("cron(0 0 29 2 ? *)", "2026-01-01T00:00Z"), "2028-02-29T00:00Z");
        assert_eq!(next("cron(30 23 L DEC ? 2027)", "2026-01-01T00:00Z"), "2027-12-31T23:30Z");
    }

    #[test]
    fn weekday_wildcards() {
        // 2026-08-01 is a Saturday: 1W moves forward to Monday the 3rd.
        assert_eq!(next("cron(0 0 1W * ? *)", "2026-07-31T00:00Z"), "2026-08-03T00:00Z");
        // 2026-08-15 is a Saturday: 15W is Friday the 14th.
        assert_eq!(next("cron(0 0 15W * ? *)", "2026-08-04T00:00Z"), "2026-08-14T00:00Z");
        // 2026-05-31 is a Sunday: LW is Friday the 29th.
        assert_eq!(next("cron(0 0 LW * ? *)", "2026-05-02T00:00Z"), "2026-05-29T00:00Z");
        // The last Friday (6L) of December 2026 is the 25th.
        assert_eq!(next("cron(0 0 ? * 6L *)", "2026-12-02T00:00Z"), "2026-12-25T00:00Z");
        // 3#2: the second Tuesday of December 2026 is the 8th.
        assert_eq!(next("cron(0 0 ? * 3#2 *)", "2026-12-02T00:00Z"), "2026-12-08T00:00Z");
        // L alone in Day-of-week: Saturday.
        assert_eq!(next("cron(0 0 ? * L *)", "2026-12-02T00:00Z"), "2026-12-05T00:00Z");
        // A fifth Monday only in months that have one: December 2026 has four, March 2027 five.
        assert_eq!(next("cron(0 0 ? * MON#5 *)", "2026-12-01T00:00Z"), "2027-03-29T00:00Z");
    }

    #[test]
    fn lists_ranges_steps_and_names() {
        assert_eq!(next("cron(0 2 ? JAN,MAR * *)", "2026-01-31T03:00Z"), "2026-03-01T02:00Z");
        assert_eq!(next("cron(0 0-6/3 * * ? *)", "2026-12-02T03:01Z"), "2026-12-02T06:00Z");
        assert_eq!(next("cron(0 2 * * ? 2028)", "2026-12-02T00:00Z"), "2028-01-01T02:00Z");
        assert_eq!(next("cron(0 2 ? * sun *)", "2026-12-02T00:00Z"), "2026-12-06T02:00Z");
    }

    #[test]
    fn fixed_offsets_shift_the_wall_clock() {
        // 02:00 at +09:00 is 17:00 UTC the day before.
        let s = parse("cron(0 2 * * ? *)").unwrap();
        let start = at("2026-12-02T20:00+09:00");
        let fires = s.firings(start, start + DAY_MS, Zone::Fixed(9 * 60), 10);
        assert_eq!(fires, vec![at("2026-12-03T02:00+09:00")]);
        assert_eq!(format_local(fires[0], Zone::Fixed(9 * 60)), "2026-12-03T02:00+09:00");
        assert_eq!(format_local(fires[0], Zone::Fixed(0)), "2026-12-02T17:00Z");
        assert_eq!(parse_offset("-05:30"), Ok(-330));
        assert!(parse_offset("Asia/Tokyo").unwrap_err().contains("named zone"));
        assert!(parse_offset("Asia/Tokio").unwrap_err().contains("supported time zone names"));
    }

    #[test]
    fn rates_and_one_time_schedules() {
        let s = parse("rate(5 minutes)").unwrap();
        assert_eq!(s, Schedule::Rate { every_ms: 5 * MINUTE_MS });
        assert_eq!(s.firings(0, 12 * MINUTE_MS, Zone::Fixed(0), 100), vec![0, 5 * MINUTE_MS, 10 * MINUTE_MS]);
        assert_eq!(parse("rate(1 day)").unwrap(), Schedule::Rate { every_ms: DAY_MS });
        let once = parse("at(2026-12-03T02:00:00)").unwrap();
        assert_eq!(
            once.firings(at("2026-12-02T08:00+09:00"), at("2026-12-04T00:00Z"), Zone::Fixed(540), 9),
            vec![at("2026-12-03T02:00+09:00")]
        );
        assert_eq!(
            once.firings(at("2026-12-03T08:00+09:00"), at("2026-12-04T00:00Z"), Zone::Fixed(540), 9),
            Vec::<i64>::new()
        );
    }

    #[test]
    fn errors_name_the_column() {
        assert_eq!(err("rate(1 hours)"), "at column 8: with the value 1 the unit must be singular (rate(1 hour))");
        assert_eq!(err("rate(5 hour)"), "at column 8: with the value 5 the unit must be plural (rate(5 hours))");
        assert!(err("rate(0 minutes)").starts_with("at column 6: `0` is not a positive"));
        assert!(err("rate(5 weeks)").contains("not a unit"));
        assert_eq!(err("cron(0 25 * * ? *)"), "at column 8: Hours: 25 is out of range 0-23");
        assert!(err("cron(0 2 * * * *)").starts_with("at column 10: one of Day-of-month and Day-of-week must be `?`"));
        assert!(err("cron(0 2 ? * ? *)").contains("must be `?`"));
        assert!(err("cron(0 2 * *)").contains("six required fields"));
        assert!(err("cron(0 2 * * ? * )").contains("exactly one space"));
        assert_eq!(
            err("cron(0 2 ? * 3#1,6#3 *)"),
            "at column 14: Day-of-week: with `#` the field holds one expression (\"3#1,6#3\" is invalid)"
        );
        assert!(err("cron(0 2 ? * MON/2 *)").contains("`/` is not allowed"));
        assert!(err("cron(0 2 * FOO ? *)").starts_with("at column 12: Month: `FOO` is not a value (1-12 or JAN-DEC)"));
        assert!(err("cron(0 2 * * ? 2200)").contains("2200 is out of range 1970-2199"));
        assert!(err("cron(0 10-2 * * ? *)").contains("ends before it starts"));
        assert!(err("cron(0 2 * * ? *").contains("must end with `)`"));
        assert!(err("every day").contains("cron(minutes hours"));
        assert!(err("at(2026-02-30T02:00:00)").contains("not a date-time"));
        assert!(err("cron(*/0 * * * ? *)").contains("not an increment"));
        let long = format!("cron({} * * * ? *)", vec!["0"; 200].join(","));
        assert_eq!(err(&long), "at column 257: an expression is at most 256 characters");
    }

    #[test]
    fn daylight_saving_skips_the_missing_hour_and_fires_once_in_the_repeated_one() {
        let ny = Zone::parse("America/New_York").unwrap();
        // Every 30 minutes from 01:00 to 03:30 local on the spring-forward night (2026-03-08): 02:00 and 02:30
        // do not exist and are skipped.
        let s = parse("cron(0/30 1-3 * * ? *)").unwrap();
        let start = at("2026-03-08T00:00-05:00");
        let fired: Vec<String> =
            s.firings(start, start + DAY_MS / 4, ny, 20).into_iter().map(|t| format_local(t, ny)).collect();
        assert_eq!(
            fired,
            ["2026-03-08T01:00-05:00", "2026-03-08T01:30-05:00", "2026-03-08T03:00-04:00", "2026-03-08T03:30-04:00"]
        );
        // On the fall-back night (2026-11-01) 01:00-01:59 happens twice; each minute fires once, the first time.
        let start = at("2026-11-01T00:00-04:00");
        let fired: Vec<String> =
            s.firings(start, start + DAY_MS / 4, ny, 20).into_iter().map(|t| format_local(t, ny)).collect();
        assert_eq!(
            fired,
            [
                "2026-11-01T01:00-04:00",
                "2026-11-01T01:30-04:00",
                "2026-11-01T02:00-05:00",
                "2026-11-01T02:30-05:00",
                "2026-11-01T03:00-05:00",
                "2026-11-01T03:30-05:00"
            ]
        );
        // A daily 09:00 job stays at 09:00 local across the change: 14:00 UTC, then 13:00.
        let daily = parse("cron(0 9 * * ? *)").unwrap();
        let fires = daily.firings(at("2026-03-07T00:00Z"), at("2026-03-10T00:00Z"), ny, 5);
        assert_eq!(
            fires.iter().map(|&t| format_local(t, Zone::Fixed(0))).collect::<Vec<_>>(),
            ["2026-03-07T14:00Z", "2026-03-08T13:00Z", "2026-03-09T13:00Z"]
        );
        // Rates count fixed durations ("days represents a 24-hour duration"): 24 h after 09:00 EST is 10:00 EDT.
        let rate = parse("rate(1 day)").unwrap();
        let start = at("2026-03-07T09:00-05:00");
        let fires = rate.firings(start, start + 2 * DAY_MS, ny, 5);
        assert_eq!(format_local(fires[1], ny), "2026-03-08T10:00-04:00");
        // A start in a named zone.
        assert_eq!(parse_start_zone("2026-11-01T01:30[America/New_York]"), Some((at("2026-11-01T01:30-04:00"), ny)));
        assert_eq!(parse_start_zone("2026-03-08T02:30[America/New_York]"), None);
    }

    #[test]
    fn a_schedule_that_never_fires_stops_at_the_search_end() {
        let s = parse("cron(0 0 30 2 ? *)").unwrap();
        assert_eq!(s.firings(0, 10 * 366 * DAY_MS, Zone::Fixed(0), 5), Vec::<i64>::new());
        // 31st of a 30-day month never fires with W either.
        let s = parse("cron(0 0 31W 4 ? *)").unwrap();
        assert_eq!(s.firings(at("2026-01-01T00:00Z"), at("2027-01-01T00:00Z"), Zone::Fixed(0), 5), Vec::<i64>::new());
    }
}
