//! Share links: a scenario and seed packed into a URL fragment, `#s=2.<base64url(zlib(json))>`.
//!
//! One encoding for the CLI (`fleetplan url`) and the page. The leading `2.` versions the encoding. Version 2 wraps
//! the deflate stream in zlib (RFC 1950), whose Adler-32 checksum of the JSON is checked on decoding: with version
//! 1's raw deflate, one changed character could unpack into a different, valid scenario that ran without a word.
//! Version 1 links still open. Decoding never panics: corrupt, truncated, oversized or hostile input is an error
//! with a message, and the decompressed size is capped before any JSON is parsed.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::scenario::{Scenario, ScenarioError};
use crate::spec::ScenarioSpec;

/// The version new links get.
const ENCODING_VERSION: &str = "2";
/// Raw deflate without a checksum: still read.
const ENCODING_VERSION_1: &str = "1";
/// Longest fragment accepted (browsers handle far longer URLs, but a scenario never needs this much).
pub const MAX_FRAGMENT_CHARS: usize = 256 * 1024;
/// Largest decompressed scenario accepted.
pub const MAX_SCENARIO_BYTES: usize = 2 * 1024 * 1024;

/// What a link carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedRun {
    pub seed: u64,
    pub scenario: ScenarioSpec,
}

/// A link's JSON as read: the scenario stays JSON until `parse_spec` reads it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    seed: u64,
    scenario: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    NotALink,
    UnknownVersion(String),
    TooLong(usize),
    BadCharacters,
    Corrupt,
    /// Unpacked, but not to what was packed: the link was changed or damaged on the way.
    ChecksumMismatch,
    TooLarge,
    Scenario(ScenarioError),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::NotALink => write!(f, "this link holds no scenario (expected a fragment starting with #s=)"),
            ShareError::UnknownVersion(v) => {
                write!(f, "this link uses encoding version `{v}`, which this Fleetplan does not know (it reads versions {ENCODING_VERSION_1} and {ENCODING_VERSION})")
            }
            ShareError::TooLong(n) => write!(f, "this link is too long ({n} characters, at most {MAX_FRAGMENT_CHARS})"),
            ShareError::BadCharacters => {
                write!(f, "this link is damaged: it contains characters a share link never has")
            }
            ShareError::Corrupt => write!(f, "this link is damaged or truncated: its scenario cannot be unpacked"),
            ShareError::ChecksumMismatch => write!(
                f,
                "this link is damaged: its checksum does not match what it unpacks to (a character changed on the way?)"
            ),
            ShareError::TooLarge => write!(
                f,
                "this link unpacks to more than {} MB, more than any scenario needs",
                MAX_SCENARIO_BYTES / (1024 * 1024)
            ),
            ShareError::Scenario(e) => write!(f, "the link's scenario cannot be used: {e}"),
        }
    }
}

impl std::error::Error for ShareError {}

/// The fragment (without `#`) for a scenario and seed.
pub fn encode(spec: &ScenarioSpec, seed: u64) -> String {
    let run = SharedRun { seed, scenario: spec.clone() };
    let json = serde_json::to_vec(&run).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&json, 9);
    format!("s={ENCODING_VERSION}.{}", base64url_encode(&packed))
}

/// Decodes a fragment (with or without the leading `#`) and validates its scenario.
pub fn decode(fragment: &str) -> Result<(Scenario, u64), ShareError> {
    let run = decode_unvalidated(fragment)?;
    let scenario = Scenario::from_spec(run.scenario).map_err(ShareError::Scenario)?;
    Ok((scenario, run.seed))
}

/// Decodes a fragment to its spec and seed without validating the scenario (for showing what a bad link holds).
pub fn decode_unvalidated(fragment: &str) -> Result<SharedRun, ShareError> {
    let fragment = fragment.trim();
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_FRAGMENT_CHARS {
        return Err(ShareError::TooLong(fragment.len()));
    }
    let Some(payload) = fragment.strip_prefix("s=") else {
        return Err(ShareError::NotALink);
    };
    let Some((version, data)) = payload.split_once('.') else {
        return Err(ShareError::Corrupt);
    };
    let unpack = match version {
        ENCODING_VERSION => miniz_oxide::inflate::decompress_to_vec_zlib_with_limit,
        ENCODING_VERSION_1 => miniz_oxide::inflate::decompress_to_vec_with_limit,
        _ => {
            let shown: String = version.chars().take(12).collect();
            return Err(ShareError::UnknownVersion(shown));
        }
    };
    let packed = base64url_decode(data).ok_or(ShareError::BadCharacters)?;
    let json = unpack(&packed, MAX_SCENARIO_BYTES).map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ShareError::TooLarge,
        miniz_oxide::inflate::TINFLStatus::Adler32Mismatch => ShareError::ChecksumMismatch,
        _ => ShareError::Corrupt,
    })?;
    let text = std::str::from_utf8(&json).map_err(|_| ShareError::Corrupt)?;
    // The scenario is read by `parse_spec`, the one reader of scenario JSON: its errors name the field, and the
    // page's wasm holds one copy of the scenario's deserializer instead of two (about 100 KiB gzipped).
    let wire: Wire = serde_json::from_str(text).map_err(|e| {
        ShareError::Scenario(ScenarioError::Format(crate::FieldError { field: "link".into(), message: e.to_string() }))
    })?;
    let scenario = crate::scenario::parse_spec(&wire.scenario.to_string()).map_err(ShareError::Scenario)?;
    Ok(SharedRun { seed: wire.seed, scenario })
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// URL-safe base64 without padding (RFC 4648 section 5).
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes URL-safe base64 (padding optional); `None` on any character outside the alphabet or a bad length.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            // `acc` holds fewer than 8 bits beyond `bits`: the shifted value is one byte.
            out.push(u8::try_from(acc >> bits).unwrap_or(u8::MAX));
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips() {
        for len in 0..40 {
            let data: Vec<u8> = (0..len).map(|i| u8::try_from((i * 37 + 11) % 256).unwrap()).collect();
            let text = base64url_encode(&data);
            assert!(!text.contains('+') && !text.contains('/') && !text.contains('='));
            assert_eq!(base64url_decode(&text).unwrap(), data);
        }
        assert_eq!(base64url_encode(b"Man"), "TWFu");
        assert_eq!(base64url_encode(b"Ma"), "TWE");
    }

    #[test]
    fn rejects_non_alphabet() {
        assert_eq!(base64url_decode("ab+c"), None);
        assert_eq!(base64url_decode("abcde"), None);
    }
}
