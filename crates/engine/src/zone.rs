//! Time zones for the scenario's `start` and for EventBridge schedules (`docs/model.md` §11): a fixed UTC offset
//! (`+09:00`, `UTC`) or one of a documented set of IANA names with their current daylight saving rules. The tz
//! database is too big for the page's WebAssembly budget, so the set is small and its rules are written here from
//! the laws in force (EU: last Sunday of March and October at 01:00 UTC; United States: second Sunday of March and
//! first Sunday of November at 02:00 local; New South Wales: first Sunday of October and of April at 02:00 / 03:00
//! local). Historical rules are not kept: a date in the past is read with today's rules. Pure.

use crate::schedule::{civil_from_days, days_from_civil, days_in_month};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;

/// When a daylight saving period starts or ends: the `nth` (1-4, or 0 for the last) Sunday of `month`, at
/// `minute` of the day on the clock given by `clock` (UTC, or the local clock in force just before the change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Transition {
    month: u32,
    nth: u32,
    minute: i64,
    utc: bool,
}

/// A named zone: its standard offset and, if it observes daylight saving time, when (one hour ahead).
#[derive(Debug, PartialEq, Eq)]
pub struct NamedZone {
    pub name: &'static str,
    standard_min: i64,
    dst: Option<(Transition, Transition)>,
}

const EU_START: Transition = Transition { month: 3, nth: 0, minute: 60, utc: true };
const EU_END: Transition = Transition { month: 10, nth: 0, minute: 60, utc: true };
const US_START: Transition = Transition { month: 3, nth: 2, minute: 120, utc: false };
const US_END: Transition = Transition { month: 11, nth: 1, minute: 120, utc: false };
const NSW_START: Transition = Transition { month: 10, nth: 1, minute: 120, utc: false };
const NSW_END: Transition = Transition { month: 4, nth: 1, minute: 180, utc: false };

/// The supported names. Japan, Korea, Singapore, China and India keep no daylight saving time; Brazil abolished it
/// in 2019 (Decree 9,772), so America/Sao_Paulo is UTC−3 all year.
pub static ZONES: &[NamedZone] = &[
    NamedZone { name: "UTC", standard_min: 0, dst: None },
    NamedZone { name: "Asia/Tokyo", standard_min: 540, dst: None },
    NamedZone { name: "Asia/Seoul", standard_min: 540, dst: None },
    NamedZone { name: "Asia/Singapore", standard_min: 480, dst: None },
    NamedZone { name: "Asia/Shanghai", standard_min: 480, dst: None },
    NamedZone { name: "Asia/Kolkata", standard_min: 330, dst: None },
    NamedZone { name: "Australia/Sydney", standard_min: 600, dst: Some((NSW_START, NSW_END)) },
    NamedZone { name: "Europe/London", standard_min: 0, dst: Some((EU_START, EU_END)) },
    NamedZone { name: "Europe/Berlin", standard_min: 60, dst: Some((EU_START, EU_END)) },
    NamedZone { name: "Europe/Paris", standard_min: 60, dst: Some((EU_START, EU_END)) },
    NamedZone { name: "America/New_York", standard_min: -300, dst: Some((US_START, US_END)) },
    NamedZone { name: "America/Chicago", standard_min: -360, dst: Some((US_START, US_END)) },
    NamedZone { name: "America/Denver", standard_min: -420, dst: Some((US_START, US_END)) },
    NamedZone { name: "America/Los_Angeles", standard_min: -480, dst: Some((US_START, US_END)) },
    NamedZone { name: "America/Sao_Paulo", standard_min: -180, dst: None },
];

/// A time zone: a fixed offset from UTC in minutes, or a named zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Fixed(i64),
    Named(&'static NamedZone),
}

/// A local wall-clock time mapped to UTC: it exists once, twice (the repeated hour when clocks go back) or not at
/// all (the hour skipped when they go forward).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Local {
    Once(i64),
    Twice(i64, i64),
    Skipped,
}

impl NamedZone {
    /// The UTC instant of a transition in year `y`, `before_min` being the offset in force just before it.
    fn instant(t: Transition, y: i64, before_min: i64) -> i64 {
        let first = days_from_civil(y, t.month, 1);
        // Sundays: week day of day 0 (1970-01-01) is Thursday; (days + 4) % 7 == 0 on a Sunday.
        let first_sunday = first + (7 - (first + 4).rem_euclid(7)) % 7;
        let day = if t.nth == 0 {
            let last = first + i64::from(days_in_month(y, t.month)) - 1;
            last - (last + 4).rem_euclid(7)
        } else {
            first_sunday + 7 * i64::from(t.nth - 1)
        };
        let at = day * DAY_MS + t.minute * MINUTE_MS;
        if t.utc {
            at
        } else {
            at - before_min * MINUTE_MS
        }
    }

    /// The offset (minutes) in force at the UTC instant `utc_ms`.
    fn offset_at(&self, utc_ms: i64) -> i64 {
        let Some((start, end)) = self.dst else { return self.standard_min };
        let daylight = self.standard_min + 60;
        let (y, _, _) = civil_from_days((utc_ms + self.standard_min * MINUTE_MS).div_euclid(DAY_MS));
        let on = Self::instant(start, y, self.standard_min);
        let off = Self::instant(end, y, daylight);
        let in_dst = if on < off {
            // Northern hemisphere: daylight time within the year.
            (on..off).contains(&utc_ms)
        } else {
            // Southern: daylight time across the new year.
            utc_ms < off || utc_ms >= on
        };
        if in_dst {
            daylight
        } else {
            self.standard_min
        }
    }
}

impl Zone {
    /// `UTC`, `Z`, a fixed offset `±HH:MM`, or a supported IANA name.
    pub fn parse(text: &str) -> Result<Zone, String> {
        if let Some(z) = ZONES.iter().find(|z| z.name == text) {
            return Ok(if z.dst.is_none() && z.name == "UTC" { Zone::Fixed(0) } else { Zone::Named(z) });
        }
        if text == "Z" {
            return Ok(Zone::Fixed(0));
        }
        let bad = || {
            let names: Vec<&str> = ZONES.iter().map(|z| z.name).collect();
            format!(
                "`{text}` is not a fixed UTC offset like +09:00 or -05:00, nor one of the supported time zone names ({}); \
                 the full tz database is too big for the page",
                names.join(", ")
            )
        };
        let sign = match text.as_bytes().first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(bad()),
        };
        let (h, m) = text[1..].split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let (h, m) = (h.parse::<i64>().map_err(|_| bad())?, m.parse::<i64>().map_err(|_| bad())?);
        if h > 14 || m > 59 {
            return Err(bad());
        }
        Ok(Zone::Fixed(sign * (h * 60 + m)))
    }

    /// The offset from UTC in force at `utc_ms`, in minutes.
    pub fn offset_at(self, utc_ms: i64) -> i64 {
        match self {
            Zone::Fixed(min) => min,
            Zone::Named(z) => z.offset_at(utc_ms),
        }
    }

    /// The local wall-clock time (ms since the epoch, read as if UTC) of a UTC instant.
    pub fn to_local(self, utc_ms: i64) -> i64 {
        utc_ms + self.offset_at(utc_ms) * MINUTE_MS
    }

    /// The UTC instants a local wall-clock time names: once, twice in the repeated hour, or none in the skipped
    /// one. The zone's only offsets are its standard one and, with daylight saving, an hour more: the local time
    /// exists under an offset when that offset is in force at the instant it names.
    pub fn to_utc(self, local_ms: i64) -> Local {
        let offsets: &[i64] = match self {
            Zone::Fixed(min) => &[min],
            Zone::Named(z) if z.dst.is_some() => &[z.standard_min + 60, z.standard_min],
            Zone::Named(z) => &[z.standard_min],
        };
        let mut found = [0i64; 2];
        let mut n = 0;
        for &offset in offsets {
            let utc = local_ms - offset * MINUTE_MS;
            if self.offset_at(utc) == offset {
                found[n] = utc;
                n += 1;
            }
        }
        match n {
            0 => Local::Skipped,
            1 => Local::Once(found[0]),
            _ => Local::Twice(found[0].min(found[1]), found[0].max(found[1])),
        }
    }

    pub fn name(self) -> Option<&'static str> {
        match self {
            Zone::Fixed(_) => None,
            Zone::Named(z) => Some(z.name),
        }
    }
}

/// The UTC instants (in `[from, until]`) where the zone's offset changes, with the offset from then on (minutes).
pub fn changes(zone: Zone, from_utc: i64, until_utc: i64) -> Vec<(i64, i64)> {
    let Zone::Named(z) = zone else { return Vec::new() };
    let Some((start, end)) = z.dst else { return Vec::new() };
    let (y0, _, _) = civil_from_days(from_utc.div_euclid(DAY_MS));
    let (y1, _, _) = civil_from_days(until_utc.div_euclid(DAY_MS));
    let mut out = Vec::new();
    for y in y0..=y1 {
        let on = NamedZone::instant(start, y, z.standard_min);
        let off = NamedZone::instant(end, y, z.standard_min + 60);
        for (at, offset) in [(on, z.standard_min + 60), (off, z.standard_min)] {
            if (from_utc..=until_utc).contains(&at) {
                out.push((at, offset));
            }
        }
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i64, m: u32, d: u32, h: i64, mi: i64) -> i64 {
        days_from_civil(y, m, d) * DAY_MS + (h * 60 + mi) * MINUTE_MS
    }

    fn zone(name: &str) -> Zone {
        Zone::parse(name).expect("supported")
    }

    #[test]
    fn the_2026_transitions_fall_on_the_legal_dates() {
        let ny = zone("America/New_York");
        // Second Sunday of March 2026 is the 8th: 02:00 EST = 07:00 UTC.
        assert_eq!(ny.offset_at(utc(2026, 3, 8, 6, 59)), -300);
        assert_eq!(ny.offset_at(utc(2026, 3, 8, 7, 0)), -240);
        // First Sunday of November 2026 is the 1st: 02:00 EDT = 06:00 UTC.
        assert_eq!(ny.offset_at(utc(2026, 11, 1, 5, 59)), -240);
        assert_eq!(ny.offset_at(utc(2026, 11, 1, 6, 0)), -300);
        let berlin = zone("Europe/Berlin");
        // Last Sundays of March and October 2026: the 29th and the 25th, at 01:00 UTC.
        assert_eq!(berlin.offset_at(utc(2026, 3, 29, 0, 59)), 60);
        assert_eq!(berlin.offset_at(utc(2026, 3, 29, 1, 0)), 120);
        assert_eq!(berlin.offset_at(utc(2026, 10, 25, 1, 0)), 60);
        assert_eq!(zone("Europe/London").offset_at(utc(2026, 7, 1, 12, 0)), 60);
        let sydney = zone("Australia/Sydney");
        // Daylight time across the new year: from the first Sunday of October (2026-10-04, 02:00 AEST = 16:00 UTC
        // the day before) to the first Sunday of April (2026-04-05, 03:00 AEDT = 16:00 UTC the day before).
        assert_eq!(sydney.offset_at(utc(2026, 1, 15, 0, 0)), 660);
        assert_eq!(sydney.offset_at(utc(2026, 4, 4, 15, 59)), 660);
        assert_eq!(sydney.offset_at(utc(2026, 4, 4, 16, 0)), 600);
        assert_eq!(sydney.offset_at(utc(2026, 10, 3, 16, 0)), 660);
        assert_eq!(zone("Asia/Tokyo").offset_at(utc(2026, 7, 1, 0, 0)), 540);
        assert_eq!(zone("America/Sao_Paulo").offset_at(utc(2026, 1, 1, 0, 0)), -180);
    }

    #[test]
    fn skipped_and_repeated_local_times() {
        let ny = zone("America/New_York");
        let local = |d: u32, h: i64, mi: i64| utc(2026, if d == 8 { 3 } else { 11 }, d, h, mi);
        // 02:30 on 2026-03-08 does not exist in New York.
        assert_eq!(ny.to_utc(local(8, 2, 30)), Local::Skipped);
        assert_eq!(ny.to_utc(local(8, 3, 0)), Local::Once(utc(2026, 3, 8, 7, 0)));
        // 01:30 on 2026-11-01 happens twice: EDT (05:30 UTC), then EST (06:30 UTC).
        assert_eq!(ny.to_utc(local(1, 1, 30)), Local::Twice(utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)));
        assert_eq!(zone("+09:00").to_utc(utc(2026, 1, 1, 9, 0)), Local::Once(utc(2026, 1, 1, 0, 0)));
        assert_eq!(changes(ny, utc(2026, 1, 1, 0, 0), utc(2026, 12, 31, 0, 0)).len(), 2);
    }

    #[test]
    fn unknown_names_list_the_supported_ones() {
        let e = Zone::parse("Mars/Olympus").unwrap_err();
        assert!(e.contains("Asia/Tokyo") && e.contains("America/Los_Angeles"), "{e}");
        assert_eq!(Zone::parse("UTC"), Ok(Zone::Fixed(0)));
        assert_eq!(Zone::parse("-05:30"), Ok(Zone::Fixed(-330)));
        assert!(Zone::parse("+9").is_err());
    }
}
