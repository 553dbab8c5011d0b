//! The calibration presets reproduce every row of the published 1,000-task benchmark (`docs/model.md` §7)
//! within ±10%, with default settings, for several seeds.

use fleetplan_engine::calibration;

#[test]
fn every_row_within_ten_percent() {
    for seed in [1, 2, 3] {
        let rows = calibration::run(seed);
        assert_eq!(rows.len(), 8, "all eight published rows are simulated");
        for row in rows {
            let simulated = row.simulated_s.unwrap_or_else(|| panic!("{} did not complete", row.preset));
            let error = (simulated - row.published_s) / row.published_s;
            assert!(
                error.abs() <= calibration::TOLERANCE,
                "seed {seed}: {} took {simulated:.0} s, published {:.0} s ({:+.1}%)",
                row.preset,
                row.published_s,
                error * 100.0
            );
        }
    }
}

#[test]
fn the_mechanisms_order_the_rows_as_published() {
    // One calibration run (every preset once), read row by row.
    let rows = calibration::run(5);
    let time = |id: &str| rows.iter().find(|r| r.preset == id).and_then(|r| r.simulated_s).unwrap();
    // Spot waits for capacity; a load balancer adds registration and health checks.
    assert!(time("fargate-spot-1000") > time("fargate-5050-1000") + 60.0);
    assert!(time("fargate-lb-1000") > time("fargate-ondemand-1000") + 20.0);
    // EC2 without instances waits for managed scaling; with instances, the 250/min service rate is the limit.
    assert!(time("ec2-cold-1000") > 3.0 * time("ec2-warm-1000"));
    assert!(time("ec2-warm-1000") > time("fargate-ondemand-1000"));
}
