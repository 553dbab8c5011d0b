//! Fuzz target: a share-link fragment through the link decoder (base64url, inflate with its size cap and checksum,
//! the wire JSON, the scenario reader), then the validator; a link that decodes must survive re-encoding.
#![no_main]

use fleetplan_engine::{share, Scenario};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(fragment) = std::str::from_utf8(data) else { return };
    let _ = share::decode(fragment);
    let Ok(run) = share::decode_unvalidated(fragment) else { return };
    // Re-encoding what a link held gives a link that holds the same thing.
    let again = share::encode(&run.scenario, run.seed);
    let back = share::decode_unvalidated(&again).expect("a re-encoded link decodes");
    assert_eq!(back.seed, run.seed);
    assert_eq!(
        serde_json::to_string(&back.scenario).expect("a spec serialises"),
        serde_json::to_string(&run.scenario).expect("a spec serialises")
    );
    let _ = Scenario::from_spec(run.scenario);
});
