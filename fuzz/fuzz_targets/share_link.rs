//! Fuzz target: a share-link fragment through the link decoder (base64url, inflate with its size cap and checksum,
//! the wire JSON, the scenario reader), then the validator; a link that decodes must survive re-encoding. Both
//! kinds of link: one run (`s=`) and a comparison of variants (`c=`).
#![no_main]

use fleetplan_engine::{share, Scenario};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(fragment) = std::str::from_utf8(data) else { return };
    let _ = share::decode(fragment);
    match share::open(fragment) {
        Ok(share::Shared::Run(run)) => {
            // Re-encoding what a link held gives a link that holds the same thing.
            let again = share::encode(&run.scenario, run.seed);
            let back = share::decode_unvalidated(&again).expect("a re-encoded link decodes");
            assert_eq!(back.seed, run.seed);
            assert_eq!(
                serde_json::to_string(&back.scenario).expect("a spec serialises"),
                serde_json::to_string(&run.scenario).expect("a spec serialises")
            );
            let _ = Scenario::from_spec(run.scenario);
        }
        Ok(share::Shared::Comparison(variants)) => {
            assert!((2..=4).contains(&variants.len()));
            let again = share::encode_comparison(&variants);
            let Ok(share::Shared::Comparison(back)) = share::open(&again) else {
                panic!("a re-encoded comparison link decodes to a comparison")
            };
            assert_eq!(back.len(), variants.len());
            for (b, v) in back.iter().zip(&variants) {
                assert_eq!((&b.label, b.seed), (&v.label, v.seed));
                assert_eq!(
                    serde_json::to_string(&b.scenario).expect("a spec serialises"),
                    serde_json::to_string(&v.scenario).expect("a spec serialises")
                );
            }
            for v in variants {
                let _ = Scenario::from_spec(v.scenario);
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
