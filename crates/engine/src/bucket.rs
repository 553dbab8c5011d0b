//! Token buckets: the rate-limit engine of `docs/model.md` §2, in exact integer arithmetic.
//!
//! A bucket holds up to `burst` tokens and refills continuously at `per_minute` tokens a minute; tokens that arrive
//! at a full bucket are lost. Levels are kept in units of 1/60,000 of a token, so one simulated millisecond adds
//! exactly `per_minute` units: every published rate (20/s = 1,200/min, 40/s, 500/min, 250/min) is exact and the
//! bucket never drifts between platforms.

use crate::time::SimTime;

/// Units per token: one token = 60,000 units, so refill per millisecond = tokens per minute.
const UNITS_PER_TOKEN: u64 = 60_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBucket {
    burst: u64,
    per_minute: u64,
    level_units: u64,
    updated: SimTime,
    /// Tokens that arrived at a full bucket and were lost (for teaching: the "overflow" a learner sees).
    lost_units: u64,
}

impl TokenBucket {
    /// A bucket that starts full, as AWS account buckets do.
    pub fn new(burst: u32, per_minute: u32) -> TokenBucket {
        let burst = u64::from(burst);
        TokenBucket {
            burst,
            per_minute: u64::from(per_minute),
            level_units: burst * UNITS_PER_TOKEN,
            updated: SimTime::ZERO,
            lost_units: 0,
        }
    }

    pub fn burst(&self) -> u64 {
        self.burst
    }

    pub fn per_minute(&self) -> u64 {
        self.per_minute
    }

    /// Changes the refill rate from `now` on (e.g. Spot capacity becoming scarce), keeping the current level.
    pub fn set_rate(&mut self, now: SimTime, per_minute: u32) {
        self.refill(now);
        self.per_minute = u64::from(per_minute);
    }

    /// Drops every token (e.g. Spot capacity that is gone: nothing saved up survives).
    pub fn drain(&mut self, now: SimTime) {
        self.refill(now);
        self.level_units = 0;
    }

    /// Someone else takes up to `n` whole tokens at `now` (another caller in the account): what the bucket holds,
    /// if less. The fraction of a token on its way stays. Returns the tokens taken.
    pub fn spend(&mut self, now: SimTime, n: u64) -> u64 {
        self.refill(now);
        let taken = (self.level_units / UNITS_PER_TOKEN).min(n);
        self.level_units -= taken * UNITS_PER_TOKEN;
        taken
    }

    fn capacity_units(&self) -> u64 {
        self.burst * UNITS_PER_TOKEN
    }

    fn refill(&mut self, now: SimTime) {
        if now <= self.updated {
            return;
        }
        let arrived = now.since(self.updated).saturating_mul(self.per_minute);
        let room = self.capacity_units() - self.level_units;
        if arrived > room {
            self.lost_units = self.lost_units.saturating_add(arrived - room);
            self.level_units = self.capacity_units();
        } else {
            self.level_units += arrived;
        }
        self.updated = now;
    }

    /// Whole tokens available at `now`.
    pub fn available(&mut self, now: SimTime) -> u64 {
        self.refill(now);
        self.level_units / UNITS_PER_TOKEN
    }

    /// The level at `now` in tokens (fractional), without changing the bucket: for charts.
    pub fn level_at(&self, now: SimTime) -> f64 {
        let arrived = now.since(self.updated).saturating_mul(self.per_minute);
        let units = (self.level_units.saturating_add(arrived)).min(self.capacity_units());
        units as f64 / UNITS_PER_TOKEN as f64
    }

    /// Tokens lost to overflow so far.
    pub fn lost_tokens(&self) -> f64 {
        self.lost_units as f64 / UNITS_PER_TOKEN as f64
    }

    /// Takes `n` tokens if all are available at `now`; otherwise takes nothing.
    pub fn try_take(&mut self, now: SimTime, n: u64) -> bool {
        self.refill(now);
        let need = n * UNITS_PER_TOKEN;
        if self.level_units >= need {
            self.level_units -= need;
            true
        } else {
            false
        }
    }

    /// The earliest time at or after `now` when `n` tokens will be available, or `None` if never
    /// (a bucket that does not refill, or a request larger than the burst).
    pub fn time_until(&mut self, now: SimTime, n: u64) -> Option<SimTime> {
        self.refill(now);
        if n > self.burst {
            return None;
        }
        let need = n * UNITS_PER_TOKEN;
        if self.level_units >= need {
            return Some(now);
        }
        if self.per_minute == 0 {
            return None;
        }
        let missing = need - self.level_units;
        Some(now.plus_ms(missing.div_ceil(self.per_minute)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SimTime {
        SimTime(ms)
    }

    #[test]
    fn starts_full_and_allows_the_burst() {
        let mut b = TokenBucket::new(100, 1200);
        assert_eq!(b.available(t(0)), 100);
        for _ in 0..100 {
            assert!(b.try_take(t(0), 1));
        }
        assert!(!b.try_take(t(0), 1));
    }

    #[test]
    fn refills_at_the_rate() {
        // 20 tokens/s = 1,200/min: one token every 50 ms.
        let mut b = TokenBucket::new(100, 1200);
        assert!(b.try_take(t(0), 100));
        assert_eq!(b.available(t(49)), 0);
        assert_eq!(b.available(t(50)), 1);
        assert_eq!(b.available(t(1000)), 20);
        assert_eq!(b.time_until(t(1000), 21), Some(t(1050)));
    }

    #[test]
    fn overflow_is_lost() {
        let mut b = TokenBucket::new(10, 600);
        assert!(b.try_take(t(0), 5));
        // 10 tokens/s for 10 s would add 100; only 5 fit.
        assert_eq!(b.available(t(10_000)), 10);
        assert!((b.lost_tokens() - 95.0).abs() < 1e-9);
    }

    #[test]
    fn per_minute_rates_are_exact() {
        // 500 tasks/min: after exactly one minute from empty, exactly 500 tokens.
        let mut b = TokenBucket::new(1000, 500);
        assert!(b.try_take(t(0), 1000));
        assert_eq!(b.available(t(59_999)), 499);
        assert_eq!(b.available(t(60_000)), 500);
    }

    #[test]
    fn spending_takes_whole_tokens_up_to_what_the_bucket_holds() {
        let mut b = TokenBucket::new(10, 60); // One token a second.
        assert_eq!(b.spend(t(0), 4), 4);
        assert_eq!(b.available(t(0)), 6);
        // Half a token later: 6.5 held, all 6 whole ones go and the half stays.
        assert_eq!(b.spend(t(500), u64::MAX), 6);
        assert!((b.level_at(t(500)) - 0.5).abs() < 1e-9);
        assert_eq!(b.available(t(1_500)), 1);
    }

    #[test]
    fn all_or_nothing_take() {
        let mut b = TokenBucket::new(10, 0);
        assert!(!b.try_take(t(0), 11));
        assert_eq!(b.available(t(0)), 10);
        assert!(b.try_take(t(0), 10));
        assert_eq!(b.time_until(t(5), 1), None, "a bucket with no refill never has tokens again");
    }

    #[test]
    fn level_never_exceeds_capacity_or_goes_negative() {
        let mut b = TokenBucket::new(3, 6000);
        let mut now = 0;
        for step in 0..1000u64 {
            now += step % 7;
            let _ = b.try_take(t(now), step % 3);
            let level = b.level_at(t(now));
            assert!((0.0..=3.0).contains(&level));
        }
    }
}
