//! Share links round-trip, and every kind of damaged link is an error with a message, never a panic.

use fleetplan_engine::share::{self, ShareError};
use fleetplan_engine::spec::TimedEventSpec;
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

// ---- Comparison links (issue 12) ----

fn variant(preset: &str, label: &str, seed: u64) -> share::SharedVariant {
    share::SharedVariant { label: label.into(), seed, scenario: presets::get(preset).unwrap().scenario().unwrap().spec }
}

/// A comparison link's payload from any JSON, packed as the encoder packs it.
fn comparison_link(json: &str) -> String {
    format!("c=1.{}", share::base64url_encode(&miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 6)))
}

#[test]
fn a_comparison_link_round_trips_every_variant_with_its_label_and_seed() {
    let variants = [
        variant("fargate-ondemand-1000", "On-Demand", 1),
        variant("fargate-spot-1000", "Spot", 2),
        variant("fargate-5050-1000", "50/50", u64::MAX),
        variant("ec2-warm-1000", "warm EC2", 0),
    ];
    for n in 2..=4 {
        let fragment = share::encode_comparison(&variants[..n]);
        assert!(fragment.starts_with("c=1."), "{fragment}");
        assert!(fragment.bytes().all(|b| b.is_ascii_alphanumeric() || b"=.-_".contains(&b)), "URL-safe");
        let share::Shared::Comparison(back) = share::open(&format!("#{fragment}")).unwrap() else {
            panic!("a comparison")
        };
        assert_eq!(back, variants[..n]);
    }
    // A comparison is not one scenario; one scenario's links still open as before.
    let fragment = share::encode_comparison(&variants[..2]);
    assert_eq!(share::decode(&fragment).unwrap_err(), ShareError::IsAComparison);
    let single = share::encode(&variants[0].scenario, 7);
    assert!(matches!(share::open(&single).unwrap(), share::Shared::Run(run) if run.seed == 7));
    assert!(matches!(share::open(&version_1_link(&variants[0].scenario, 3)).unwrap(), share::Shared::Run(_)));
}

#[test]
fn labels_are_trimmed_and_cut_so_the_link_opens_again() {
    let mut v = vec![variant("fargate-ondemand-1000", "  A  ", 1), variant("fargate-spot-1000", "B", 1)];
    v[1].label = "é".repeat(100);
    let share::Shared::Comparison(back) = share::open(&share::encode_comparison(&v)).unwrap() else { panic!() };
    assert_eq!(back[0].label, "A");
    assert_eq!(back[1].label.chars().count(), fleetplan_engine::compare::MAX_LABEL_CHARS);
}

#[test]
fn bad_comparison_links_are_errors_naming_the_problem() {
    let spec = serde_json::to_string(&presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap().spec).unwrap();
    let v = |label: &str, seed: &str| format!(r#"{{"label":{label},"seed":{seed},"scenario":{spec}}}"#);
    let link = |variants: &[String]| comparison_link(&format!(r#"{{"variants":[{}]}}"#, variants.join(",")));
    let message = |fragment: &str| share::open(fragment).unwrap_err().to_string();

    assert_eq!(share::open(&link(&[v("\"A\"", "1")])).unwrap_err(), ShareError::VariantCount(1));
    assert!(message(&link(&[v("\"A\"", "1")])).contains("holds 1 variant; a comparison has 2 to 4"));
    let five: Vec<String> = (0..5).map(|_| v("\"x\"", "1")).collect();
    assert_eq!(share::open(&link(&five)).unwrap_err(), ShareError::VariantCount(5));
    assert_eq!(share::open(&link(&[])).unwrap_err(), ShareError::VariantCount(0));
    assert_eq!(message(&link(&[v("\"A\"", "1"), v("\"  \"", "1")])), "the label of variant B is empty");
    assert!(message(&link(&[v("\"A\"", "1"), v("\"a\\u0007b\"", "1")])).contains("variant B holds control"));
    let long = format!("\"{}\"", "x".repeat(41));
    assert!(message(&link(&[v(&long, "1"), v("\"B\"", "1")])).contains("variant A is longer than 40 characters"));
    // Seeds: negative, fractional, too large, missing.
    for seed in ["-1", "1.5", "18446744073709551616", "\"1\""] {
        assert!(message(&link(&[v("\"A\"", "1"), v("\"B\"", seed)])).contains("comparison link"), "{seed}");
    }
    // A scenario that cannot be read names its variant and field.
    let bad = r#"{"label":"C","seed":1,"scenario":{"version":1,"services":"many"}}"#.to_string();
    let text = message(&link(&[v("\"A\"", "1"), v("\"B\"", "1"), bad]));
    assert!(text.starts_with("variant C: the link's scenario cannot be used"), "{text}");
    // Unknown fields, wrong shapes, not JSON.
    assert!(message(&comparison_link(r#"{"variants":[],"extra":1}"#)).contains("unknown field"));
    assert!(message(&comparison_link(r#"[1,2]"#)).contains("comparison link"));
    assert!(message(&comparison_link("not json")).contains("comparison link"));
    // Damage on the way: versions, characters, truncation, checksum.
    assert!(matches!(share::open("c=9.AAAA").unwrap_err(), ShareError::UnknownVersion(v) if v == "9"));
    assert_eq!(share::open("c=1").unwrap_err(), ShareError::Corrupt);
    assert_eq!(share::open("c=1.ab$c").unwrap_err(), ShareError::BadCharacters);
    let good =
        share::encode_comparison(&[variant("fargate-ondemand-1000", "A", 1), variant("fargate-spot-1000", "B", 2)]);
    for cut in (4..good.len()).step_by(11) {
        assert!(share::open(&good[..cut]).is_err(), "cut at {cut}");
    }
    let mut damaged = good.clone().into_bytes();
    let i = damaged.len() / 2;
    damaged[i] = if damaged[i] == b'A' { b'B' } else { b'A' };
    assert!(share::open(std::str::from_utf8(&damaged).unwrap()).is_err());
}

#[test]
fn a_comparison_bomb_is_refused_before_any_json_is_read() {
    let zeros = vec![b' '; share::MAX_COMPARISON_BYTES + 1];
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&zeros, 6);
    assert_eq!(share::open(&format!("c=1.{}", share::base64url_encode(&packed))).unwrap_err(), ShareError::TooLarge);
    // Within the comparison's cap but one variant's scenario over one scenario's.
    let big = format!(r#"{{"version":1,"name":"{}"}}"#, "n".repeat(share::MAX_SCENARIO_BYTES));
    let json = format!(
        r#"{{"variants":[{{"label":"A","seed":1,"scenario":{big}}},{{"label":"B","seed":1,"scenario":{{}}}}]}}"#
    );
    let err = share::open(&comparison_link(&json)).unwrap_err();
    assert_eq!(err, ShareError::Variant { variant: 0, error: Box::new(ShareError::TooLarge) });
}

// ---- What a refused link holds (issue 13: a refused link keeps its content) ----

/// A one-scenario link packed from any JSON, as the encoder packs it.
fn run_link(json: &str) -> String {
    format!("s=2.{}", share::base64url_encode(&miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 9)))
}

#[test]
fn a_damaged_checksum_is_refused_but_what_it_packed_is_salvaged() {
    let spec = presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap().spec;
    let json = serde_json::to_string(&serde_json::json!({ "seed": 7, "scenario": spec })).unwrap();
    let mut packed = miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 9);
    let last = packed.len() - 1;
    packed[last] ^= 1; // The Adler-32 checksum's last byte.
    let fragment = format!("s=2.{}", share::base64url_encode(&packed));
    assert_eq!(share::open(&fragment).unwrap_err(), ShareError::ChecksumMismatch);
    let salvaged = share::salvage(&fragment).unwrap();
    assert_eq!(salvaged.seed, Some(7));
    let back: serde_json::Value = serde_json::from_str(&salvaged.text).unwrap();
    assert_eq!(back, serde_json::to_value(&spec).unwrap());
}

#[test]
fn a_truncated_link_salvages_the_text_before_the_cut() {
    let spec = presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap().spec;
    let fragment = share::encode(&spec, 3);
    let cut = &fragment[..fragment.len() * 2 / 3];
    assert!(share::open(cut).is_err());
    let salvaged = share::salvage(cut).unwrap();
    assert_eq!(salvaged.seed, Some(3));
    assert!(salvaged.text.starts_with("{\"version\":1,\"name\":\"Fargate On-Demand"), "{}", salvaged.text);
    assert!(serde_json::from_str::<serde_json::Value>(&salvaged.text).is_err(), "cut short");
}

#[test]
fn json_that_is_not_a_scenario_and_an_invalid_scenario_are_salvaged_whole() {
    let fragment = run_link(
        r#"{"seed":1,"scenario":{"version":1,"name":"x","task_definitions":[{"name":"web","cpu":256,"memory":512}],
            "services":[{"name":"web","task_definition":"web","desired_count":"abc"}]}}"#,
    );
    assert!(matches!(share::open(&fragment), Err(ShareError::Scenario(_))));
    let salvaged = share::salvage(&fragment).unwrap();
    let value: serde_json::Value = serde_json::from_str(&salvaged.text).unwrap();
    assert_eq!(value["services"][0]["desired_count"], "abc");
    // Nothing to salvage: not a link, characters outside base64url, an unknown version.
    assert_eq!(share::salvage("#x=1"), None);
    assert_eq!(share::salvage("s=2.ab+c"), None);
    assert_eq!(share::salvage("s=9.abcd"), None);
}

/// Made by `fleetplan url` on main before events could carry the what-if mark: fargate-ondemand-1000, seed 7, and a
/// `scale` event to 200 tasks at 60 s (what the page's what-if makes, unmarked). tests/e2e/whatif.test.mjs opens it too.
const LINK_BEFORE_THE_WHAT_IF_MARK: &str = concat!(
    "s=2.eNp9Ustu2zAQ_BWCZ9WQ3cY1dDPQB3pq0AbooQiIFbW2CIsPLCk7iuF_75JWjaJJeyP3MbMzu2cZETvZvK9k1OiAjJfNWR6R",
    "ovFONstKOrAoG_kJaA8JxVf35gNacF0lapG8WFZ1zQ-Ihygr2WHUZEIqzfKhR7GqVyux_fFdtOh0b4EOgvypEd6hiEhHo7ES3GYI",
    "O6H96NIfuJV4hTaM7WC0-HJfCefF4KETLQzgNNJC3Odk7LFrmHkj4oKH6j2ZZ-9UZD2bul7UlRyMNSlmqYH8zgxZYZ5UXjjHfE4b",
    "zGn-BuIR5_fuOo2KwafcDEcwA7RmMGlihDCg40cljUtINBYfogpIKhukej-SbHgAhiqBDnfGmVIlm5_n316fsGUQHUbZrO7WlbRo",
    "PTHB3XLF2Bb2qGzLYmYt8DypbINxe9nsYIjIW8N08nRQ1ncZEU7xGDSDAuneJNRppBx_2qzV-h3HY_JBJWPRjykb9bZA71heKTxz",
    "AVBSc0Cxa-1NdyntEYbUK92jPvynTBPE_kX8cnnkEa7X8IoTf3l1i89no8rZFD8yAwTQDJxJjqZj72MiXtp-KsAv0vm2t98-bx8-",
    "MmILkWkZ5YRm32fMPFmHYfCTRVeWbnkMO1p1VTzl9Wqc-XlX8FSyt-iqzuuGGM3eqevtKhNkk2jEDI5HLruKTlPIoqMGPkjuKZtY",
    "F99mc_4lPZM8Xi6_AK0FSew",
);

fn run_summary(scenario: fleetplan_engine::Scenario, seed: u64) -> String {
    let mut sim = Simulation::new(scenario, seed);
    sim.run_to_end();
    serde_json::to_string(&sim.metrics()).unwrap()
}

#[test]
fn a_link_made_before_the_what_if_mark_opens_as_it_did() {
    let (scenario, seed) = share::decode(LINK_BEFORE_THE_WHAT_IF_MARK).unwrap();
    assert_eq!(seed, 7);
    // The same scenario: written back, it is the same link, byte for byte.
    assert_eq!(share::encode(&scenario.spec, seed), LINK_BEFORE_THE_WHAT_IF_MARK);
    assert!(!scenario.spec.events[0].what_if());
    assert_eq!(
        serde_json::to_value(&scenario.spec.events).unwrap(),
        serde_json::json!([{ "type": "scale", "at_s": 60.0, "service": "web", "desired_count": 200 }])
    );
}

/// Marked, the event reads back marked from a link, and the run is the unmarked one's, exactly.
#[test]
fn the_what_if_mark_round_trips_and_changes_nothing_in_the_run() {
    let (plain, seed) = share::decode(LINK_BEFORE_THE_WHAT_IF_MARK).unwrap();
    let mut spec = plain.spec.clone();
    match &mut spec.events[0] {
        TimedEventSpec::Scale { what_if, .. } => *what_if = true,
        other => panic!("{other:?}"),
    }
    let fragment = share::encode(&spec, seed);
    assert_ne!(fragment, LINK_BEFORE_THE_WHAT_IF_MARK);
    let (marked, _) = share::decode(&fragment).unwrap();
    assert!(marked.spec.events[0].what_if());
    assert_eq!(serde_json::to_value(&marked.spec.events).unwrap()[0]["what_if"], serde_json::json!(true));
    assert_eq!(run_summary(marked, seed), run_summary(plain, seed));
}

/// The mark is a plain flag, and only on the kinds of event a what-if makes: anything else is refused with the
/// field named.
#[test]
fn the_what_if_mark_is_a_flag_on_the_events_what_ifs_make() {
    let (scenario, _) = share::decode(LINK_BEFORE_THE_WHAT_IF_MARK).unwrap();
    let with_event = |event: serde_json::Value| {
        let mut json = serde_json::to_value(&scenario.spec).unwrap();
        json["events"] = serde_json::json!([event]);
        fleetplan_engine::Scenario::from_json(&json.to_string())
    };
    let ok = with_event(serde_json::json!({ "type": "deploy", "at_s": 5, "service": "web", "what_if": true }));
    assert!(ok.unwrap().spec.events[0].what_if());
    let not_a_flag =
        with_event(serde_json::json!({ "type": "deploy", "at_s": 5, "service": "web", "what_if": "yes please" }));
    assert!(not_a_flag.unwrap_err().to_string().contains("expected a boolean"));
    let other_kind =
        with_event(serde_json::json!({ "type": "fargate_spot_interruption", "at_s": 5, "count": 1, "what_if": true }));
    assert!(other_kind.unwrap_err().to_string().contains("what_if"));
}
