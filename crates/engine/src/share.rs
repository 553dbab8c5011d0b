//! Share links: a scenario and seed packed into a URL fragment, `#s=2.<base64url(zlib(json))>`; or a comparison
//! of 2 to 4 variants (each a label, a seed and a scenario), `#c=1.<base64url(zlib(json))>`.
//!
//! One encoding for the CLI (`fleetplan url`) and the page. The leading `2.` versions the encoding. Version 2 wraps
//! the deflate stream in zlib (RFC 1950), whose Adler-32 checksum of the JSON is checked on decoding: with version
//! 1's raw deflate, one changed character could unpack into a different, valid scenario that ran without a word.
//! Version 1 links still open. Decoding never panics: corrupt, truncated, oversized or hostile input is an error
//! with a message, and the decompressed size is capped before any JSON is parsed.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::compare::{default_label, MAX_LABEL_CHARS, MAX_VARIANTS, MIN_VARIANTS};
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
/// The version new comparison links get (`c=1.`): zlib like single links' version 2.
const COMPARISON_VERSION: &str = "1";
/// Largest decompressed comparison accepted: all its variants together (each scenario also within
/// [`MAX_SCENARIO_BYTES`]). Twice one scenario's cap, not four times: the variants of a comparison are mostly the
/// same scenario with a change, and a link that unpacks to 8 MiB of JSON would cost a tab far more as values.
pub const MAX_COMPARISON_BYTES: usize = 2 * MAX_SCENARIO_BYTES;

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

/// One variant of a comparison link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedVariant {
    pub label: String,
    pub seed: u64,
    pub scenario: ScenarioSpec,
}

/// A comparison link's JSON as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComparisonWire {
    variants: Vec<VariantWire>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantWire {
    label: String,
    seed: u64,
    scenario: serde_json::Value,
}

#[derive(Serialize)]
struct ComparisonOut<'a> {
    variants: &'a [SharedVariant],
}

/// What a link holds: one run, or a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Shared {
    Run(Box<SharedRun>),
    Comparison(Vec<SharedVariant>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    NotALink,
    /// A comparison link where one scenario was expected.
    IsAComparison,
    /// A comparison with fewer than 2 or more than 4 variants.
    VariantCount(usize),
    /// A variant's label is empty, too long or holds control characters (`variant` counts from 0).
    BadLabel {
        variant: usize,
        problem: &'static str,
    },
    /// What is wrong with one variant of a comparison (`variant` counts from 0: A).
    Variant {
        variant: usize,
        error: Box<ShareError>,
    },
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
            ShareError::NotALink => {
                write!(f, "this link holds no scenario (expected a fragment starting with #s= or #c=)")
            }
            ShareError::IsAComparison => {
                write!(f, "this link holds a comparison of several scenarios, not one scenario")
            }
            ShareError::VariantCount(n) => write!(
                f,
                "this comparison link holds {n} variant{}; a comparison has {MIN_VARIANTS} to {MAX_VARIANTS}",
                if *n == 1 { "" } else { "s" }
            ),
            ShareError::BadLabel { variant, problem } => {
                write!(f, "the label of variant {} {problem}", default_label(*variant))
            }
            ShareError::Variant { variant, error } => write!(f, "variant {}: {error}", default_label(*variant)),
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
                "this link unpacks to more than {} MB ({} MB for a comparison), more than any scenario needs",
                MAX_SCENARIO_BYTES / (1024 * 1024),
                MAX_COMPARISON_BYTES / (1024 * 1024)
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
    match open(fragment)? {
        Shared::Run(run) => Ok(*run),
        Shared::Comparison(_) => Err(ShareError::IsAComparison),
    }
}

/// The fragment (without `#`) for a comparison: 2 to 4 variants, A first. Labels are trimmed and cut to
/// [`MAX_LABEL_CHARS`] characters so that the link opens again.
pub fn encode_comparison(variants: &[SharedVariant]) -> String {
    let variants: Vec<SharedVariant> = variants
        .iter()
        .map(|v| SharedVariant { label: v.label.trim().chars().take(MAX_LABEL_CHARS).collect(), ..v.clone() })
        .collect();
    let json = serde_json::to_vec(&ComparisonOut { variants: &variants }).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&json, 9);
    format!("c={COMPARISON_VERSION}.{}", base64url_encode(&packed))
}

/// Decodes any link (with or without the leading `#`): one run (`s=`) or a comparison (`c=`), the scenarios read
/// but not validated (so a link whose scenario cannot run can still be shown and fixed).
pub fn open(fragment: &str) -> Result<Shared, ShareError> {
    let fragment = fragment.trim();
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_FRAGMENT_CHARS {
        return Err(ShareError::TooLong(fragment.len()));
    }
    if let Some(payload) = fragment.strip_prefix("c=") {
        return open_comparison(payload).map(Shared::Comparison);
    }
    let Some(payload) = fragment.strip_prefix("s=") else {
        return Err(ShareError::NotALink);
    };
    let Some((version, data)) = payload.split_once('.') else {
        return Err(ShareError::Corrupt);
    };
    let zlib = match version {
        ENCODING_VERSION => true,
        ENCODING_VERSION_1 => false,
        _ => return Err(unknown_version(version)),
    };
    let text = unpack(data, zlib, MAX_SCENARIO_BYTES)?;
    // The scenario is read by `parse_spec`, the one reader of scenario JSON: its errors name the field, and the
    // page's wasm holds one copy of the scenario's deserializer instead of two (about 100 KiB gzipped).
    let wire: Wire = serde_json::from_str(&text).map_err(|e| {
        ShareError::Scenario(ScenarioError::Format(crate::FieldError { field: "link".into(), message: e.to_string() }))
    })?;
    let scenario = crate::scenario::parse_spec(&wire.scenario.to_string()).map_err(ShareError::Scenario)?;
    Ok(Shared::Run(Box::new(SharedRun { seed: wire.seed, scenario })))
}

/// What a refused one-scenario link holds, as far as it unpacks: its seed (when readable) and its scenario's JSON
/// text, so the page can show it to be fixed instead of losing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Salvaged {
    pub seed: Option<u64>,
    pub text: String,
}

/// The content of a `#s=` link that [`open`] refuses (damaged checksum, truncated deflate, JSON that is not a
/// scenario, a scenario that fails validation), within the same size caps as [`open`]: with a checksum mismatch
/// everything that was packed, with a truncated stream what inflated before the cut. `None` when nothing can be
/// unpacked (not a one-scenario link, over [`MAX_FRAGMENT_CHARS`], an unknown version, characters outside
/// base64url).
pub fn salvage(fragment: &str) -> Option<Salvaged> {
    let fragment = fragment.trim();
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_FRAGMENT_CHARS {
        return None;
    }
    let (version, data) = fragment.strip_prefix("s=")?.split_once('.')?;
    let zlib = match version {
        ENCODING_VERSION => true,
        ENCODING_VERSION_1 => false,
        _ => return None,
    };
    // A link cut at any character: a last lone character (a length of 4n + 1) holds no whole byte.
    let packed = base64url_decode(data)
        .or_else(|| base64url_decode(data.get(..data.len().saturating_sub(1)).unwrap_or_default()))?;
    let inflate = if zlib {
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit
    } else {
        miniz_oxide::inflate::decompress_to_vec_with_limit
    };
    // On an error miniz_oxide returns its output buffer: what it inflated so far (at most `limit` bytes), then
    // the buffer's unused zero bytes, which JSON text never holds (a NUL in a string is written `\u0000`).
    let bytes = inflate(&packed, MAX_SCENARIO_BYTES).unwrap_or_else(|e| e.output);
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let text = String::from_utf8_lossy(&bytes[..end]).into_owned();
    if text.trim().is_empty() {
        return None;
    }
    // The JSON as packed: `{"seed":1,"scenario":{...}}`. When it parses, its scenario pretty-printed.
    if let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str::<serde_json::Value>(&text) {
        let seed = map.get("seed").and_then(serde_json::Value::as_u64);
        if let Some(scenario) = map.remove("scenario") {
            let text = serde_json::to_string_pretty(&scenario).unwrap_or_default();
            return Some(Salvaged { seed, text });
        }
        return Some(Salvaged { seed, text });
    }
    // Cut short or damaged: the text after `"scenario":` as it is, and the seed if its digits are whole.
    let seed = text
        .split_once("\"seed\":")
        .map(|(_, rest)| rest.chars().take_while(char::is_ascii_digit).collect::<String>())
        .and_then(|digits| digits.parse().ok());
    let scenario = text.split_once("\"scenario\":").map_or(text.as_str(), |(_, rest)| rest);
    Some(Salvaged { seed, text: scenario.to_string() })
}

fn unknown_version(version: &str) -> ShareError {
    ShareError::UnknownVersion(version.chars().take(12).collect())
}

/// base64url, then inflate (zlib with its checksum, or raw deflate) to at most `limit` bytes of UTF-8.
fn unpack(data: &str, zlib: bool, limit: usize) -> Result<String, ShareError> {
    let packed = base64url_decode(data).ok_or(ShareError::BadCharacters)?;
    let inflate = if zlib {
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit
    } else {
        miniz_oxide::inflate::decompress_to_vec_with_limit
    };
    let json = inflate(&packed, limit).map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ShareError::TooLarge,
        miniz_oxide::inflate::TINFLStatus::Adler32Mismatch => ShareError::ChecksumMismatch,
        _ => ShareError::Corrupt,
    })?;
    String::from_utf8(json).map_err(|_| ShareError::Corrupt)
}

/// A comparison link's payload (after `c=`): its version, then 2 to 4 variants, each label checked and each
/// scenario read by `parse_spec` within [`MAX_SCENARIO_BYTES`]; an error names the variant.
fn open_comparison(payload: &str) -> Result<Vec<SharedVariant>, ShareError> {
    let Some((version, data)) = payload.split_once('.') else {
        return Err(ShareError::Corrupt);
    };
    if version != COMPARISON_VERSION {
        return Err(unknown_version(version));
    }
    let text = unpack(data, true, MAX_COMPARISON_BYTES)?;
    let wire: ComparisonWire = serde_json::from_str(&text).map_err(|e| {
        ShareError::Scenario(ScenarioError::Format(crate::FieldError {
            field: "comparison link".into(),
            message: e.to_string(),
        }))
    })?;
    if !(MIN_VARIANTS..=MAX_VARIANTS).contains(&wire.variants.len()) {
        return Err(ShareError::VariantCount(wire.variants.len()));
    }
    wire.variants
        .into_iter()
        .enumerate()
        .map(|(variant, v)| {
            let label = v.label.trim();
            let problem = if label.is_empty() {
                Some("is empty")
            } else if label.chars().count() > MAX_LABEL_CHARS {
                Some("is longer than 40 characters")
            } else if label.chars().any(char::is_control) {
                Some("holds control characters")
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(ShareError::BadLabel { variant, problem });
            }
            let json = v.scenario.to_string();
            if json.len() > MAX_SCENARIO_BYTES {
                return Err(ShareError::Variant { variant, error: Box::new(ShareError::TooLarge) });
            }
            let scenario = crate::scenario::parse_spec(&json)
                .map_err(|e| ShareError::Variant { variant, error: Box::new(ShareError::Scenario(e)) })?;
            Ok(SharedVariant { label: label.to_string(), seed: v.seed, scenario })
        })
        .collect()
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
