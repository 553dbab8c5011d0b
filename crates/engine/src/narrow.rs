//! Narrowing conversions that never wrap. `as` between integer types silently drops high bits (a rate of 2^31
//! once became a bucket of 0), so the engine denies `clippy::cast_possible_truncation` and narrows only here: what
//! a user controls is range-checked by the validator first (a field error), and what the engine counts saturates,
//! so a bound missed somewhere shows up as a capped number, never as a small wrong one.

/// A count or arena index as `u32`. The validator bounds what a scenario asks for (`scenario::validate::totals`);
/// an arena past `u32::MAX` entries would need hundreds of gigabytes first.
#[allow(clippy::cast_possible_truncation)]
pub const fn u32_of(n: usize) -> u32 {
    if n > u32::MAX as usize {
        u32::MAX
    } else {
        n as u32
    }
}

/// A `u64` product or quotient as `u32`, saturating.
#[allow(clippy::cast_possible_truncation)]
pub const fn u32_of_u64(n: u64) -> u32 {
    if n > u32::MAX as u64 {
        u32::MAX
    } else {
        n as u32
    }
}

/// A zone or instance-type index as `u16`: at most 16 zones and 40 types per group (`validate::totals`).
#[allow(clippy::cast_possible_truncation)]
pub const fn u16_of(n: usize) -> u16 {
    if n > u16::MAX as usize {
        u16::MAX
    } else {
        n as u16
    }
}

/// A `u64` below some collection's length as `usize` (the same width on every target the engine builds for but
/// 32-bit wasm, where lengths are below `u32::MAX` anyway).
#[allow(clippy::cast_possible_truncation)]
pub const fn usize_of(n: u64) -> usize {
    if n > usize::MAX as u64 {
        usize::MAX
    } else {
        n as usize
    }
}

/// `x` rounded to the nearest integer as `u64`: negatives and NaN give 0, values past `u64::MAX` saturate (Rust's
/// float-to-integer `as` saturates and maps NaN to 0; this names that on purpose).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn round_u64(x: f64) -> u64 {
    x.round() as u64
}

/// `x` rounded to the nearest integer (halves away from zero) as `i64`, saturating like [`round_u64`].
#[allow(clippy::cast_possible_truncation)]
pub fn round_i64(x: f64) -> i64 {
    x.round() as i64
}

/// `x` rounded to the nearest integer as `u32`, saturating like [`round_u64`].
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn round_u32(x: f64) -> u32 {
    x.round() as u32
}

/// `x` truncated toward zero as `u32`, saturating like [`round_u64`]: for values the validator has range-checked.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn trunc_u32(x: f64) -> u32 {
    x as u32
}

/// `x` truncated toward zero as `u64`, saturating like [`round_u64`].
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn trunc_u64(x: f64) -> u64 {
    x as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_saturate_instead_of_wrapping() {
        assert_eq!(u32_of(7), 7);
        assert_eq!(u32_of_u64(1 << 40), u32::MAX);
        assert_eq!(u32_of_u64((1 << 32) + 5), u32::MAX, "a wrap would give 5");
        assert_eq!(u16_of(65_536), u16::MAX, "a wrap would give 0");
        assert_eq!(usize_of(12), 12);
        assert_eq!(round_u64(2.5), 3);
        assert_eq!(round_u64(-4.0), 0);
        assert_eq!(round_u64(f64::NAN), 0);
        assert_eq!(round_u64(1e300), u64::MAX);
        assert_eq!(round_u32(5e9), u32::MAX);
        assert_eq!(trunc_u32(7.9), 7);
        assert_eq!(trunc_u64(-1.0), 0);
    }
}
