//! The page's one table of state colours: the task states and the AWS Batch job states, as the cluster canvas,
//! the HTML legends and every chart draw them, so a state reads the same wherever it is shown. Nothing else
//! names a state's colour: the cluster painters, the legends and the charts all look it up here (a test below
//! checks that no other source file spells a state name as a literal or draws a state line in another colour).
//!
//! The colours are the Okabe–Ito colour-blind-safe palette, with greys for the states that only wait.

use fleetplan_engine::output::BatchJobState;
use fleetplan_engine::task::TaskState;

/// Task states that are drawn: every state but STOPPED (the last of `TaskState::ALL`).
pub const DRAWN: usize = 7;

/// The seven drawn task states in `TaskState::ALL` order (PROVISIONING..DEPROVISIONING) and their CSS colours
/// (grey for PROVISIONING). The app renders its HTML legend from it.
pub const STATE_COLOURS: [(&str, &str); DRAWN] = [
    ("PROVISIONING", "#BBBBBB"),
    ("PENDING", "#F0E442"),
    ("ACTIVATING", "#56B4E9"),
    ("RUNNING", "#009E73"),
    ("DEACTIVATING", "#E69F00"),
    ("STOPPING", "#D55E00"),
    ("DEPROVISIONING", "#CC79A7"),
];

/// AWS Batch job states in `BatchJobState::ALL` order and their CSS colours: a state that means what a task state
/// means has its colour (RUNNABLE waits for capacity like PENDING, STARTING is ACTIVATING, RUNNING is RUNNING,
/// FAILED is STOPPING's vermillion); the rest are greys and the palette's blue.
pub const JOB_STATE_COLOURS: [(&str, &str); 7] = [
    ("SUBMITTED", "#DDDDDD"),
    ("PENDING", "#BBBBBB"),
    ("RUNNABLE", "#F0E442"),
    ("STARTING", "#56B4E9"),
    ("RUNNING", "#009E73"),
    ("SUCCEEDED", "#0072B2"),
    ("FAILED", "#D55E00"),
];

/// What held a service back (`fleetplan_engine::limited_by::Held`, in `Held::index` order: the limiters in
/// `Limiter::ALL` order, then task startup and nothing), as the band under the charts draws it: Paul Tol's
/// qualitative colours and Okabe–Ito's blue, none a task state's colour but task startup, which is PROVISIONING's
/// grey (its tasks are on their way), and nothing (steady) nearly white.
pub const HELD_COLOURS: [&str; fleetplan_engine::limited_by::Held::COUNT] = [
    "#0072B2", // service launch rate
    "#332288", // Fargate On-Demand launch bucket
    "#88CCEE", // Fargate Spot launch bucket
    "#44AA99", // Fargate Spot capacity
    "#999933", // deployment settings
    "#CC6677", // backoff
    "#882255", // circuit breaker
    "#AA4499", // EC2 capacity
    "#DDCC77", // PROVISIONING limit
    "#117733", // cluster auto scaling
    "#661100", // Fargate On-Demand vCPU quota
    "#6699CC", // Fargate Spot vCPU quota
    "#AA7744", // container instances per cluster
    "#777777", // Auto Scaling group maximum capacity
    "#BBBBBB", // task startup
    "#F4F4F4", // nothing (steady)
];

/// The band's colour for what held a service back.
pub fn held(held: fleetplan_engine::limited_by::Held) -> &'static str {
    HELD_COLOURS[held.index()]
}

/// A drawn task state's CSS colour ("#RRGGBB"); STOPPED is never drawn and has none.
pub fn task_state(state: TaskState) -> Option<&'static str> {
    STATE_COLOURS.get(state.index()).map(|&(_, colour)| colour)
}

/// A job state's CSS colour ("#RRGGBB").
pub fn job_state(state: BatchJobState) -> &'static str {
    JOB_STATE_COLOURS[state.index() % JOB_STATE_COLOURS.len()].1
}

/// The red, green and blue bytes of a "#RRGGBB" colour (black for anything else).
pub fn rgb(hex: &str) -> (u8, u8, u8) {
    let byte = |i: usize| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(0);
    (byte(1), byte(3), byte(5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_state_colours_follow_the_job_states() {
        for ((name, _), state) in JOB_STATE_COLOURS.iter().zip(BatchJobState::ALL) {
            assert_eq!(*name, state.name());
        }
        // The states shared with tasks have the tasks' colours.
        assert_eq!(Some(job_state(BatchJobState::Running)), task_state(TaskState::Running));
        assert_eq!(Some(job_state(BatchJobState::Starting)), task_state(TaskState::Activating));
        assert_eq!(Some(job_state(BatchJobState::Runnable)), task_state(TaskState::Pending));
    }

    #[test]
    fn held_colours_are_distinct() {
        for (i, a) in HELD_COLOURS.iter().enumerate() {
            assert!(HELD_COLOURS[i + 1..].iter().all(|b| a != b), "{a} twice");
        }
        assert_eq!(held(fleetplan_engine::limited_by::Held::Startup), STATE_COLOURS[0].1);
    }

    #[test]
    fn state_colours_follow_the_lifecycle() {
        for ((name, colour), state) in STATE_COLOURS.iter().zip(TaskState::ALL) {
            assert_eq!(*name, state.name());
            assert!(colour.starts_with('#') && colour.len() == 7);
        }
        assert_eq!(TaskState::ALL[DRAWN], TaskState::Stopped);
        assert_eq!(task_state(TaskState::Stopped), None);
        // The colours tell the drawn states apart.
        for (i, (_, a)) in STATE_COLOURS.iter().enumerate() {
            assert!(STATE_COLOURS[i + 1..].iter().all(|(_, b)| a != b), "{a} twice");
        }
        assert_eq!(rgb("#009E73"), (0, 0x9E, 0x73));
    }

    /// Every web source file but this one, as (path, text).
    fn sources() -> Vec<(String, String)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src dir").flatten().map(|e| e.path()).collect();
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("palette.rs") {
                    let text = std::fs::read_to_string(&path).expect("source");
                    out.push((path.display().to_string(), text));
                }
            }
        }
        let mut out = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
        out
    }

    /// The legend, the cluster and the charts take a state's colour from this table: no other source file spells
    /// a state's name as a literal (they go through the table or `name()`), nor a state colour's hex code next
    /// to one.
    #[test]
    fn no_other_file_names_a_state_or_its_colour() {
        let sources = sources();
        assert!(sources.len() > 10, "found {} sources", sources.len());
        for (name, colour) in STATE_COLOURS.iter().chain(&JOB_STATE_COLOURS) {
            let quoted = format!("\"{name}\"");
            for (path, text) in &sources {
                let by_hand = text.lines().find(|l| l.contains(&quoted));
                assert!(by_hand.is_none(), "{path} names the state {name} by hand: {by_hand:?}");
                for line in text.lines().filter(|l| l.to_ascii_uppercase().contains(colour)) {
                    assert!(
                        !STATE_COLOURS.iter().chain(&JOB_STATE_COLOURS).any(|(n, _)| line.contains(n)),
                        "{path} draws a state in {colour} by hand: {line}"
                    );
                }
            }
        }
    }
}
