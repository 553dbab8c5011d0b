//! The calibration presets reproduce every row of the published 1,000-task benchmark (`docs/model.md` §7)
//! within ±10%, with default settings, for several seeds; `ec2-cold-1000` within the band its comment explains.

use fleetplan_engine::calibration;

/// `ec2-cold-1000` under the documented managed scaling misses ±10% for some seeds, and the test says by how much
/// rather than hide it. The arithmetic: 1,000 tasks of 256 CPU units / 512 MiB hold 30 to a c5.2xlarge, so 34
/// instances; at most 300 tasks wait in PROVISIONING (the 2022 quota listing), so one scale-out covers at most 10
/// instances; and "the scale-out is blocked for Instances that are within the `instanceWarmupPeriod`" (300 s). So
/// completion ≈ first scale-out + 3 × 300 s + boot, registration and task start. Where the first evaluation of the
/// minute comes after the service has queued a quota's worth of tasks, it launches 8–10 instances and the run takes
/// ≈1,075 s (−4%); where it comes a few seconds after the service starts, it sees one or two tasks, launches one
/// instance, and that instance's warm-up costs a whole extra step: ≈1,320 s (+18%). The published 1,118 s is one
/// run; across seeds 1–4 the mean is ≈1,200 s (+7%). What would close the gap is not documented: the phase of the
/// benchmark's first evaluation against its service's first launches, or a first scale-out from zero that ECS
/// sizes differently (its page says an empty group "always scales-out to 200% (two instances)" without saying more).
/// No setting is added to hit the row.
const EC2_COLD_BAND: (f64, f64) = (-0.10, 0.20);

#[test]
fn every_row_within_ten_percent() {
    let mut cold = Vec::new();
    for seed in [1, 2, 3, 4] {
        let rows = calibration::run(seed);
        assert_eq!(rows.len(), 8, "all eight published rows are simulated");
        for row in rows {
            let simulated = row.simulated_s.unwrap_or_else(|| panic!("{} did not complete", row.preset));
            let error = (simulated - row.published_s) / row.published_s;
            let (low, high) = if row.preset == "ec2-cold-1000" {
                cold.push(error);
                EC2_COLD_BAND
            } else {
                (-calibration::TOLERANCE, calibration::TOLERANCE)
            };
            assert!(
                (low..=high).contains(&error),
                "seed {seed}: {} took {simulated:.0} s, published {:.0} s ({:+.1}%)",
                row.preset,
                row.published_s,
                error * 100.0
            );
        }
    }
    // The gap is one extra warm-up step in some seeds, not a drift: the mean stays within ±10%.
    let mean = cold.iter().sum::<f64>() / cold.len() as f64;
    assert!(mean.abs() <= calibration::TOLERANCE, "ec2-cold-1000 mean error {:+.1}%", mean * 100.0);
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
