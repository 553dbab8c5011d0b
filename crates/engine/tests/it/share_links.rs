//! Share links round-trip, and every kind of damaged link is an error with a message, never a panic.

use fleetplan_engine::share::{self, ShareError};
use fleetplan_engine::{presets, Simulation};

#[test]
fn every_preset_round_trips_with_its_seed() {
    for preset in presets::all() {
        let scenario = preset.scenario().unwrap();
        let fragment = share::encode(&scenario.spec, 1234);
        assert!(fragment.starts_with("s=2."));
        assert!(fragment.bytes().all(|b| b.is_ascii_alphanumeric() || b"=.-_".contains(&b)), "URL-safe");
        let (decoded, seed) = share::decode(&format!("#{fragment}")).unwrap();
        assert_eq!(seed, 1234);
        assert_eq!(decoded, scenario, "{}", preset.id);
    }
}

#[test]
fn a_link_replays_the_identical_run() {
    let scenario = presets::get("fargate-spot-interruption").unwrap().scenario().unwrap();
    let fragment = share::encode(&scenario.spec, 99);
    let (decoded, seed) = share::decode(&fragment).unwrap();
    let run = |s, seed| {
        let mut sim = Simulation::new(s, seed);
        sim.run_to_end();
        serde_json::to_string(&sim.metrics()).unwrap()
    };
    assert_eq!(run(scenario, 99), run(decoded, seed));
}

#[test]
fn damaged_links_are_errors() {
    let scenario = presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap();
    let fragment = share::encode(&scenario.spec, 1);
    // Truncated anywhere: never a panic, always an error.
    for cut in (5..fragment.len()).step_by(7) {
        assert!(share::decode(&fragment[..cut]).is_err(), "cut at {cut}");
    }
    assert_eq!(share::decode("garbage!!").unwrap_err(), ShareError::NotALink);
    assert_eq!(share::decode("s=2.abc$def").unwrap_err(), ShareError::BadCharacters);
    assert!(matches!(share::decode("s=7.AAAA").unwrap_err(), ShareError::UnknownVersion(v) if v == "7"));
    assert_eq!(share::decode("s=1.AAAAAAAA").unwrap_err(), ShareError::Corrupt);
    assert_eq!(share::decode("s=2.AAAAAAAA").unwrap_err(), ShareError::Corrupt);
    let too_long = format!("s=2.{}", "A".repeat(share::MAX_FRAGMENT_CHARS));
    assert!(matches!(share::decode(&too_long).unwrap_err(), ShareError::TooLong(_)));
    for err in [ShareError::NotALink, ShareError::Corrupt, ShareError::ChecksumMismatch, ShareError::TooLarge] {
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn a_decompression_bomb_is_refused() {
    let zeros = vec![b' '; 20 * 1024 * 1024];
    let packed = miniz_oxide_compat::compress(&zeros);
    let fragment = format!("s=1.{}", share::base64url_encode(&packed));
    assert_eq!(share::decode(&fragment).unwrap_err(), ShareError::TooLarge);
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&zeros, 6);
    let fragment = format!("s=2.{}", share::base64url_encode(&packed));
    assert_eq!(share::decode(&fragment).unwrap_err(), ShareError::TooLarge);
}

/// A version 1 link (raw deflate, no checksum), as links were made until version 2.
fn version_1_link(spec: &fleetplan_engine::spec::ScenarioSpec, seed: u64) -> String {
    let json = serde_json::to_vec(&share::SharedRun { seed, scenario: spec.clone() }).unwrap();
    format!("s=1.{}", share::base64url_encode(&miniz_oxide::deflate::compress_to_vec(&json, 9)))
}

#[test]
fn version_1_links_still_open() {
    let scenario = presets::get("fargate-spot-interruption").unwrap().scenario().unwrap();
    let (decoded, seed) = share::decode(&version_1_link(&scenario.spec, 5)).unwrap();
    assert_eq!((decoded, seed), (scenario, 5));
}

#[test]
fn one_changed_character_is_caught_by_the_checksum() {
    // Version 1 had no checksum: some single-character changes unpack into a different scenario that is valid.
    let scenario = presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap();
    let changed_into_other_scenario = |fragment: &str| {
        let (prefix, data) = fragment.split_at(4);
        let mut silently_different = 0;
        for (i, original) in data.char_indices() {
            for replacement in ['A', 'g', 'Q', '0', '-'] {
                if replacement == original {
                    continue;
                }
                let damaged = format!("{prefix}{}{replacement}{}", &data[..i], &data[i + 1..]);
                if let Ok((decoded, _)) = share::decode(&damaged) {
                    if decoded != scenario {
                        silently_different += 1;
                    }
                }
            }
        }
        silently_different
    };
    assert!(changed_into_other_scenario(&version_1_link(&scenario.spec, 1)) > 0, "the weakness version 2 fixes");
    assert_eq!(changed_into_other_scenario(&share::encode(&scenario.spec, 1)), 0);
}

#[test]
fn a_valid_link_with_an_invalid_scenario_says_why() {
    let mut spec = presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap().spec;
    spec.task_definitions[0].memory = 4096;
    let fragment = share::encode(&spec, 1);
    let err = share::decode(&fragment).unwrap_err();
    assert!(err.to_string().contains("Fargate does not support cpu 256 with memory 4096"), "{err}");
}

/// The same deflate the links use, reached through the engine's dependency.
mod miniz_oxide_compat {
    pub fn compress(data: &[u8]) -> Vec<u8> {
        miniz_oxide::deflate::compress_to_vec(data, 6)
    }
}
