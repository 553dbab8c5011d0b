//! Fuzz target: the EventBridge schedule expression parser (`cron(...)`, `rate(...)`, `at(...)`), the time zone
//! reader (fixed offsets and the named zones with their daylight saving rules), the start-instant reader, and the
//! firing calculator over a week, as the validator uses them.
//!
//! Input: the expression, then optionally a time zone and a start instant on the next lines.
#![no_main]

use fleetplan_engine::schedule;
use fleetplan_engine::zone::Zone;
use libfuzzer_sys::fuzz_target;

/// A week, the longest horizon a scenario may have is longer, but a week covers every calendar rule but leap years.
const WEEK_MS: i64 = 7 * 24 * 3_600_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.split('\n');
    let expression = lines.next().unwrap_or_default();
    let zone = lines.next().map_or(Ok(Zone::Fixed(0)), Zone::parse).unwrap_or(Zone::Fixed(0));
    let start = lines.next().and_then(schedule::parse_instant).unwrap_or(1_767_225_600_000); // 2026-01-01T00:00Z
    let Ok(parsed) = schedule::parse(expression) else { return };
    let until = start.saturating_add(WEEK_MS) - 1;
    let firings = parsed.firings(start, until, zone, 5_001);
    assert!(firings.windows(2).all(|w| w[0] < w[1]), "firings in order");
    assert!(firings.iter().all(|&t| (start..=until).contains(&t)), "firings within the window");
    if let Some(&first) = firings.first() {
        assert_eq!(parsed.next_after(start, WEEK_MS, zone), Some(first), "next_after agrees with firings");
        let _ = schedule::format_local(first, zone);
    }
});
