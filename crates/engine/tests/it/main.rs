//! The engine's integration tests, as one test binary so the suite links once: whole runs of presets and small
//! scenarios through the public API. `wasm_determinism.rs` stays its own target because it runs in a browser.

mod common;

mod behaviour;
mod calibration;
mod claims;
mod cost;
mod determinism;
mod ec2;
mod format_paths;
mod generated;
mod hostile;
mod invariants;
mod lessons;
mod managed_instances;
mod share_links;
mod summary_json;
mod validation;
