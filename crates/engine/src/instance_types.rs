//! Built-in table of EC2 instance types for the EC2 capacity model (`docs/model.md` §4.3–4.6, §6): size, network
//! interfaces, ENI trunking density, on-demand price, architecture and T-family CPU credits.
//!
//! Plain data, no IO. Scenarios name instance types (`"m5.large"`); the engine looks them up here to know how much
//! cpu / memory an instance registers, how many `awsvpc` tasks fit on it and what it costs per hour.
//!
//! The table is deliberately small: the families a capacity plan usually compares (general purpose x86 and
//! Graviton, compute, memory, burstable) in the sizes ECS clusters usually run. Adding a row is all it takes to
//! support another type; the tests check every row for consistency.

use serde::Serialize;

use crate::spec::Architecture::{self, Arm64, X86_64};

/// One EC2 instance type. See [`TABLE`] for where every column comes from.
///
/// Only `Serialize`: rows are `'static` data looked up by name ([`get`]); a scenario file carries the name, never
/// the row, so there is nothing to deserialize (and `&'static str` fields cannot borrow from a parsed document).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct InstanceType {
    /// API name, e.g. `m5.large`.
    pub name: &'static str,
    pub vcpu: u32,
    /// Installed memory in MiB (the GiB figure of the instance type page x 1024). What the ECS agent registers is
    /// a little less: see [`InstanceType::registered_memory_mib`].
    pub memory_mib: u32,
    /// Maximum network interfaces, the primary one included.
    pub max_enis: u32,
    /// `awsvpc` tasks per instance with ECS ENI trunking (`awsvpcTrunking`), or `None` if ECS does not support
    /// trunking on this type.
    pub trunk_tasks: Option<u32>,
    /// On-demand price, USD per hour, us-east-1, Linux.
    pub on_demand_hour_usd: f64,
    pub architecture: Architecture,
    /// T family only: baseline CPU utilisation per vCPU, in percent (t3.medium: 20).
    pub burstable_baseline_percent: Option<u32>,
    /// T family only: CPU credits earned per hour (1 credit = 1 vCPU at 100% for 1 minute).
    pub cpu_credits_per_hour: Option<u32>,
}

/// `ECS_RESERVED_MEMORY` (ECS container agent configuration): MiB the agent withholds from tasks. Default 0.
pub const ECS_RESERVED_MEMORY_DEFAULT_MIB: u32 = 0;

/// Memory the operating system and kernel take before the ECS agent registers, in parts per 10,000 of installed
/// memory. **An assumption**, scaled from the one worked example AWS publishes (ECS Developer Guide, "Container
/// instance memory management"): an m4.large with 8 GiB (8,192 MiB) installed registers 7,985 MiB, i.e. 207 MiB or
/// 2.53% less. Real overhead varies with AMI, kernel and instance size (newer Nitro AMIs often lose a few percent
/// more; Karpenter's heuristic for the same effect is 7.5%), so treat registered memory as an estimate. The point
/// the model must get right is that a task asking for the full advertised memory (8,192 MiB on an 8 GiB type)
/// never fits.
pub const OS_MEMORY_OVERHEAD_PER_10K: u32 = 253;

impl InstanceType {
    /// ECS cpu units the agent registers: 1,024 per vCPU. The agent documents a memory reservation
    /// (`ECS_RESERVED_MEMORY`) but none for cpu, so all of it is offered to tasks.
    pub fn cpu_units(&self) -> u32 {
        self.vcpu * 1024
    }

    /// How many `awsvpc` tasks fit on one instance as far as network interfaces go. Without trunking every task
    /// needs an ENI of its own and the primary ENI belongs to the instance: `max_enis - 1` (c5.large: 3 ENIs, 2
    /// tasks). With trunking, the ECS table's figure (c5.large: 10); a type that does not support trunking keeps
    /// the plain limit, as ECS does when the account setting is on but the type is not eligible.
    pub fn awsvpc_task_limit(&self, trunking: bool) -> u32 {
        let plain = self.max_enis.saturating_sub(1);
        if trunking {
            self.trunk_tasks.unwrap_or(plain)
        } else {
            plain
        }
    }

    /// Memory (MiB) the ECS agent registers for tasks: installed memory minus the assumed OS overhead
    /// ([`OS_MEMORY_OVERHEAD_PER_10K`]) minus `ECS_RESERVED_MEMORY` ([`ECS_RESERVED_MEMORY_DEFAULT_MIB`] unless the
    /// scenario sets it). Integer arithmetic, rounding the overhead down, so the m4.large example comes out exact.
    pub fn registered_memory_mib(&self, ecs_reserved_memory_mib: u32) -> u32 {
        let overhead =
            crate::narrow::u32_of_u64(u64::from(self.memory_mib) * u64::from(OS_MEMORY_OVERHEAD_PER_10K) / 10_000);
        self.memory_mib.saturating_sub(overhead).saturating_sub(ecs_reserved_memory_mib)
    }

    /// The family, the part of the name before the dot (`m5` for `m5.large`).
    pub fn family(&self) -> &'static str {
        family_of(self.name)
    }

    /// Whether this is a burstable (T family) type that runs on CPU credits (`docs/model.md` §4.6).
    pub fn is_burstable(&self) -> bool {
        self.burstable_baseline_percent.is_some()
    }
}

const GIB: u32 = 1024;

/// A fixed-performance row. Every such type in the table supports ENI trunking.
const fn fixed(
    name: &'static str,
    vcpu: u32,
    memory_gib: u32,
    max_enis: u32,
    trunk_tasks: u32,
    on_demand_hour_usd: f64,
    architecture: Architecture,
) -> InstanceType {
    InstanceType {
        name,
        vcpu,
        memory_mib: memory_gib * GIB,
        max_enis,
        trunk_tasks: Some(trunk_tasks),
        on_demand_hour_usd,
        architecture,
        burstable_baseline_percent: None,
        cpu_credits_per_hour: None,
    }
}

/// A T-family row: x86, no ENI trunking (T types are absent from the ECS trunking table).
const fn burstable(
    name: &'static str,
    vcpu: u32,
    memory_gib: u32,
    max_enis: u32,
    on_demand_hour_usd: f64,
    baseline_percent: u32,
    credits_per_hour: u32,
) -> InstanceType {
    InstanceType {
        name,
        vcpu,
        memory_mib: memory_gib * GIB,
        max_enis,
        trunk_tasks: None,
        on_demand_hour_usd,
        architecture: Architecture::X86_64,
        burstable_baseline_percent: Some(baseline_percent),
        cpu_credits_per_hour: Some(credits_per_hour),
    }
}

/// The built-in instance types, grouped by family, sizes ascending.
///
/// Sources, column by column:
/// - **vCPU, memory**: the Amazon EC2 instance type pages (aws.amazon.com/ec2/instance-types/: General purpose
///   for m5 / m6i / m6g / t3, Compute optimized for c5 / c6g, Memory optimized for r5).
/// - **max ENIs**: EC2 User Guide, "Maximum IP addresses per network interface" (the network interface limits
///   per instance type, `using-eni.html#AvailableIpPerENI`). Cross-check: each equals the ECS table's "task limit
///   without ENI trunking" plus one for every type that table lists.
/// - **trunk tasks**: ECS Developer Guide, "Supported instances for increased Amazon ECS container network
///   interfaces" (ENI trunking, `eni-trunking-supported-instance-types`), column "Task limit with ENI trunking".
///   The T family is not in that table, hence `None`. `docs/model.md` §4.4 quotes c5.large 10 and m5.xlarge 20.
/// - **price**: Amazon EC2 On-Demand Pricing page, us-east-1 (N. Virginia), Linux, snapshot of 2024, read
///   for m5.large, m5.xlarge, c5.large, t3.medium and m6g.large; within each family the price doubles
///   with each size, as the pricing page shows. Prices are scenario data and can be overridden.
/// - **T3 baseline and credits**: EC2 User Guide, "Key concepts and definitions for burstable performance
///   instances", credit table (credits earned per hour, baseline utilisation per vCPU).
pub const TABLE: &[InstanceType] = &[
    // name, vCPU, GiB, max ENIs, trunk tasks, $/h, architecture
    fixed("m5.large", 2, 8, 3, 10, 0.096, X86_64),
    fixed("m5.xlarge", 4, 16, 4, 20, 0.192, X86_64),
    fixed("m5.2xlarge", 8, 32, 4, 40, 0.384, X86_64),
    fixed("m5.4xlarge", 16, 64, 8, 60, 0.768, X86_64),
    // m6i prices: same as m5 in us-east-1 (recalled from the pricing page, not re-checked for this snapshot).
    fixed("m6i.large", 2, 8, 3, 10, 0.096, X86_64),
    fixed("m6i.xlarge", 4, 16, 4, 20, 0.192, X86_64),
    fixed("m6i.2xlarge", 8, 32, 4, 40, 0.384, X86_64),
    fixed("m6i.4xlarge", 16, 64, 8, 60, 0.768, X86_64),
    // Graviton2 (arm64): task definitions must target ARM64 to run here.
    fixed("m6g.large", 2, 8, 3, 10, 0.077, Arm64),
    fixed("m6g.xlarge", 4, 16, 4, 20, 0.154, Arm64),
    fixed("m6g.2xlarge", 8, 32, 4, 40, 0.308, Arm64),
    fixed("m6g.4xlarge", 16, 64, 8, 60, 0.616, Arm64),
    fixed("c5.large", 2, 4, 3, 10, 0.085, X86_64),
    fixed("c5.xlarge", 4, 8, 4, 20, 0.17, X86_64),
    fixed("c5.2xlarge", 8, 16, 4, 40, 0.34, X86_64),
    fixed("c5.4xlarge", 16, 32, 8, 60, 0.68, X86_64),
    fixed("c6g.large", 2, 4, 3, 10, 0.068, Arm64),
    fixed("c6g.xlarge", 4, 8, 4, 20, 0.136, Arm64),
    fixed("c6g.2xlarge", 8, 16, 4, 40, 0.272, Arm64),
    fixed("c6g.4xlarge", 16, 32, 8, 60, 0.544, Arm64),
    fixed("r5.large", 2, 16, 3, 10, 0.126, X86_64),
    fixed("r5.xlarge", 4, 32, 4, 20, 0.252, X86_64),
    fixed("r5.2xlarge", 8, 64, 4, 40, 0.504, X86_64),
    fixed("r5.4xlarge", 16, 128, 8, 60, 1.008, X86_64),
    // name, vCPU, GiB, max ENIs, $/h, baseline % per vCPU, credits per hour (= vCPU x baseline x 60 min)
    burstable("t3.medium", 2, 4, 3, 0.0416, 20, 24),
    burstable("t3.large", 2, 8, 3, 0.0832, 30, 36),
    burstable("t3.xlarge", 4, 16, 4, 0.1664, 40, 96),
    burstable("t3.2xlarge", 8, 32, 4, 0.3328, 40, 192),
];

/// Every built-in instance type, in table order.
pub fn all() -> &'static [InstanceType] {
    TABLE
}

/// The instance type with this exact API name (names are lowercase, as in the EC2 API).
pub fn get(name: &str) -> Option<&'static InstanceType> {
    TABLE.iter().find(|t| t.name == name)
}

/// The size's normalization factor for Regional Reserved Instances' instance size flexibility, `None` for a
/// size the table does not list. *Amazon EC2 Reserved Instances and Other AWS Reservation Models*, "Maximizing
/// Utilization with Size Flexibility in Regional Reserved Instances": "all Regional Linux Reserved Instances with
/// shared tenancy apply to all sizes of instances within an instance family and an AWS Region"; "All new and
/// existing Reserved Instances are sized according to a normalization factor based on instance size" (Table 3:
/// nano 0.25, micro 0.5, small 1, medium 2, large 4, xlarge 8, then 8 per "x": 2xlarge 16 ... 32xlarge 256).
pub fn size_units(name: &str) -> Option<f64> {
    let size = name.split_once('.')?.1;
    let fixed = match size {
        "nano" => Some(0.25),
        "micro" => Some(0.5),
        "small" => Some(1.0),
        "medium" => Some(2.0),
        "large" => Some(4.0),
        "xlarge" => Some(8.0),
        _ => None,
    };
    fixed.or_else(|| {
        let n: u32 = size.strip_suffix("xlarge")?.parse().ok()?;
        (1..=64).contains(&n).then(|| 8.0 * f64::from(n))
    })
}

/// The families in table order, each once.
pub fn families() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for t in TABLE {
        if !out.contains(&t.family()) {
            out.push(t.family());
        }
    }
    out
}

/// An error message for a name [`get`] does not know: a likely intended name if there is one, then the sizes of
/// the family if the family is known (`m5.huge`), otherwise the families.
pub fn unknown_message(name: &str) -> String {
    let mut msg = format!("unknown instance type `{name}`; ");
    let close: Vec<String> = closest(name).iter().map(|n| format!("`{n}`")).collect();
    if !close.is_empty() {
        msg.push_str(&format!("did you mean {}? ", close.join(" or ")));
    }
    let family = family_of(name);
    let sizes: Vec<&str> = TABLE.iter().filter(|t| t.family() == family).map(|t| t.name).collect();
    if sizes.is_empty() {
        msg.push_str(&format!("known families: {}", families().join(", ")));
    } else {
        msg.push_str(&format!("known {family} sizes: {}", sizes.join(", ")));
    }
    msg
}

fn family_of(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

/// The known name a typo most likely meant: a case difference or a single edit (`m5.larg`, `m5large`). Only for
/// names that are not well formed: `m5.8xlarge` or `m7g.large` are real types this table lacks, and "did you mean
/// `m5.xlarge`?" would mislead. One edit only: at two, unrelated names start to match. Several names can be one
/// edit away (`c5xlarge`: `c5.large` and `c5.xlarge`); all are offered, in table order.
fn closest(name: &str) -> Vec<&'static str> {
    if well_formed(name) {
        return Vec::new();
    }
    let lower = name.to_ascii_lowercase();
    if let Some(t) = get(&lower) {
        return vec![t.name];
    }
    TABLE.iter().filter(|t| edit_distance(&lower, t.name) == 1).map(|t| t.name).collect()
}

/// Whether a name has the shape of an EC2 instance type: `<family>.<size>`, the family lowercase letters and
/// digits with at least one digit (`m5`, `c6gn`, `u-6tb1`), the size one EC2 uses (`large`, `8xlarge`, `metal`).
fn well_formed(name: &str) -> bool {
    let Some((family, size)) = name.split_once('.') else {
        return false;
    };
    let family_ok = family.starts_with(|c: char| c.is_ascii_lowercase())
        && family.chars().any(|c| c.is_ascii_digit())
        && family.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let size_ok = match size.strip_suffix("xlarge") {
        Some(multiple) => multiple.chars().all(|c| c.is_ascii_digit()) && !multiple.starts_with('0'),
        None => matches!(size, "nano" | "micro" | "small" | "medium" | "large" | "metal"),
    };
    family_ok && size_ok
}

/// Levenshtein distance over bytes (instance type names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str) -> &'static InstanceType {
        get(name).unwrap_or_else(|| panic!("{name} missing"))
    }

    /// Every type has a Reserved Instance normalization factor (Table 3 of the reservation models whitepaper).
    #[test]
    fn every_type_has_a_normalization_factor() {
        for t in TABLE {
            assert!(size_units(t.name).is_some(), "{}", t.name);
        }
        assert_eq!(size_units("m5.large"), Some(4.0));
        assert_eq!(size_units("m5.xlarge"), Some(8.0));
        assert_eq!(size_units("c5.24xlarge"), Some(192.0));
        assert_eq!(size_units("t3.medium"), Some(2.0));
        assert_eq!(size_units("m5.huge"), None);
    }

    #[test]
    fn domain_awsvpc_examples() {
        // `docs/model.md` §4.4: c5.large has 3 ENIs -> 2 tasks (10 with trunking); m5.xlarge 3 (20).
        assert_eq!(t("c5.large").max_enis, 3);
        assert_eq!(t("c5.large").awsvpc_task_limit(false), 2);
        assert_eq!(t("c5.large").awsvpc_task_limit(true), 10);
        assert_eq!(t("m5.xlarge").awsvpc_task_limit(false), 3);
        assert_eq!(t("m5.xlarge").awsvpc_task_limit(true), 20);
    }

    #[test]
    fn trunking_on_an_ineligible_type_keeps_the_plain_limit() {
        assert_eq!(t("t3.medium").trunk_tasks, None);
        assert_eq!(t("t3.medium").awsvpc_task_limit(false), 2);
        assert_eq!(t("t3.medium").awsvpc_task_limit(true), 2);
    }

    #[test]
    fn domain_prices_and_sizes() {
        // `docs/model.md` §6, exactly.
        let rows = [
            ("m5.large", 0.096, 2, 8),
            ("m5.xlarge", 0.192, 4, 16),
            ("c5.large", 0.085, 2, 4),
            ("t3.medium", 0.0416, 2, 4),
            ("m6g.large", 0.077, 2, 8),
        ];
        for (name, price, vcpu, gib) in rows {
            let it = t(name);
            assert_eq!(it.on_demand_hour_usd, price, "{name}");
            assert_eq!(it.vcpu, vcpu, "{name}");
            assert_eq!(it.memory_mib, gib * 1024, "{name}");
        }
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in TABLE.iter().enumerate() {
            assert!(TABLE[i + 1..].iter().all(|b| b.name != a.name), "{} twice", a.name);
        }
    }

    #[test]
    fn the_listed_families_and_sizes() {
        assert_eq!(families(), ["m5", "m6i", "m6g", "c5", "c6g", "r5", "t3"]);
        for family in ["m5", "m6i", "m6g", "c5", "c6g", "r5"] {
            for size in ["large", "xlarge", "2xlarge", "4xlarge"] {
                assert!(get(&format!("{family}.{size}")).is_some(), "{family}.{size}");
            }
        }
        for size in ["medium", "large", "xlarge", "2xlarge"] {
            assert!(get(&format!("t3.{size}")).is_some(), "t3.{size}");
        }
        assert!(get("t3.4xlarge").is_none());
        assert_eq!(TABLE.len(), 6 * 4 + 4);
    }

    #[test]
    fn every_row_is_consistent() {
        for it in TABLE {
            let n = it.name;
            assert!(it.vcpu > 0 && it.memory_mib > 0, "{n}");
            assert_eq!(it.memory_mib % 1024, 0, "{n}: whole GiB");
            assert_eq!(it.cpu_units(), it.vcpu * 1024, "{n}");
            assert!(it.max_enis >= 2, "{n}: the primary ENI plus at least one for a task");
            if let Some(trunk) = it.trunk_tasks {
                assert!(trunk > it.awsvpc_task_limit(false), "{n}: trunking must add room");
            }
            assert!(it.on_demand_hour_usd > 0.0 && it.on_demand_hour_usd < 2.0, "{n}");
            // Graviton families end in `g`; everything else here is x86.
            let graviton = matches!(it.family(), "m6g" | "c6g");
            assert_eq!(it.architecture == Architecture::Arm64, graviton, "{n}");
            // Burstable fields come together, only for T, and agree: credits/h = vCPU x baseline% x 60 min.
            assert_eq!(it.is_burstable(), it.family().starts_with('t'), "{n}");
            assert_eq!(it.burstable_baseline_percent.is_some(), it.cpu_credits_per_hour.is_some(), "{n}");
            if let (Some(base), Some(credits)) = (it.burstable_baseline_percent, it.cpu_credits_per_hour) {
                assert_eq!(credits * 100, it.vcpu * base * 60, "{n}");
                assert!(it.trunk_tasks.is_none(), "{n}: T types do not support ENI trunking");
            }
        }
    }

    #[test]
    fn price_doubles_with_each_size_within_a_family() {
        for family in families() {
            let rows: Vec<&InstanceType> = TABLE.iter().filter(|t| t.family() == family).collect();
            for pair in rows.windows(2) {
                let ratio = pair[1].on_demand_hour_usd / pair[0].on_demand_hour_usd;
                assert!((ratio - 2.0).abs() < 1e-9, "{} -> {}: {ratio}", pair[0].name, pair[1].name);
                assert!(pair[1].memory_mib == 2 * pair[0].memory_mib, "{}", pair[1].name);
            }
        }
    }

    #[test]
    fn t3_credits_match_the_ec2_credit_table() {
        let rows = [("t3.medium", 20, 24), ("t3.large", 30, 36), ("t3.xlarge", 40, 96), ("t3.2xlarge", 40, 192)];
        for (name, base, credits) in rows {
            assert_eq!(t(name).burstable_baseline_percent, Some(base), "{name}");
            assert_eq!(t(name).cpu_credits_per_hour, Some(credits), "{name}");
        }
    }

    #[test]
    fn registered_memory_reproduces_the_ecs_guide_example() {
        // The ECS guide's m4.large: 8 GiB installed, 7,985 MiB registered. m5.large has the same 8 GiB.
        assert_eq!(t("m5.large").registered_memory_mib(ECS_RESERVED_MEMORY_DEFAULT_MIB), 7985);
        assert_eq!(t("m5.large").registered_memory_mib(256), 7985 - 256);
        for it in TABLE {
            let reg = it.registered_memory_mib(0);
            assert!(reg < it.memory_mib && reg > it.memory_mib / 100 * 95, "{}", it.name);
        }
    }

    #[test]
    fn lookup() {
        assert_eq!(get("m6g.large").map(|it| it.architecture), Some(Architecture::Arm64));
        assert_eq!(t("r5.4xlarge").memory_mib, 131_072);
        assert_eq!(t("c6g.xlarge").family(), "c6g");
        assert!(get("M5.LARGE").is_none());
        assert!(get("").is_none());
        assert_eq!(all().len(), TABLE.len());
    }

    #[test]
    fn unknown_type_messages() {
        assert_eq!(
            unknown_message("m5.huge"),
            "unknown instance type `m5.huge`; known m5 sizes: m5.large, m5.xlarge, m5.2xlarge, m5.4xlarge"
        );
        assert_eq!(
            unknown_message("t3.4xlarge"),
            "unknown instance type `t3.4xlarge`; known t3 sizes: t3.medium, t3.large, t3.xlarge, t3.2xlarge"
        );
        assert_eq!(
            unknown_message("m5.larg"),
            "unknown instance type `m5.larg`; did you mean `m5.large`? \
             known m5 sizes: m5.large, m5.xlarge, m5.2xlarge, m5.4xlarge"
        );
        assert_eq!(
            unknown_message("x9.large"),
            "unknown instance type `x9.large`; known families: m5, m6i, m6g, c5, c6g, r5, t3"
        );
        assert!(unknown_message("M5.Large").contains("did you mean `m5.large`?"));
        assert!(unknown_message("c5xlarge").contains("did you mean `c5.large` or `c5.xlarge`?"));
        assert!(unknown_message("").contains("known families"));
        // Real types the table lacks get no misleading suggestion.
        assert!(!unknown_message("m5.8xlarge").contains("did you mean"));
        assert!(!unknown_message("m7g.large").contains("did you mean"));
    }

    #[test]
    fn well_formed_names() {
        for name in ["m5.large", "m5.8xlarge", "m7g.medium", "u-6tb1.metal", "c6gn.16xlarge", "x9.xlarge"] {
            assert!(well_formed(name), "{name}");
        }
        for name in ["m5large", "M5.large", "m5.larg", "m5.huge", "large.m5", "m.large", "m5.0xlarge", ""] {
            assert!(!well_formed(name), "{name}");
        }
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("m5.large", "m5.large"), 0);
        assert_eq!(edit_distance("m5.larg", "m5.large"), 1);
        assert_eq!(edit_distance("m5large", "m5.large"), 1);
        assert_eq!(edit_distance("c5.large", "c6g.large"), 2);
    }
}
