//! Fargate's published task sizes (`docs/model.md` §4.1): which cpu / memory pairs a task definition may ask for.

/// The memory sizes (MiB) Fargate accepts for a cpu size (1024 = 1 vCPU), or `None` for an unsupported cpu.
pub fn valid_memory(cpu: u32) -> Option<Vec<u32>> {
    let (from_gb, to_gb, step_gb) = match cpu {
        256 => return Some(vec![512, 1024, 2048]),
        512 => (1, 4, 1),
        1024 => (2, 8, 1),
        2048 => (4, 16, 1),
        4096 => (8, 30, 1),
        8192 => (16, 60, 4),
        16384 => (32, 120, 8),
        _ => return None,
    };
    Some((from_gb..=to_gb).step_by(step_gb).map(|gb| gb * 1024).collect())
}

pub const VALID_CPU: [u32; 7] = [256, 512, 1024, 2048, 4096, 8192, 16384];

/// Checks a cpu / memory pair; the error says what would be valid instead.
pub fn check_size(cpu: u32, memory: u32) -> Result<(), String> {
    let Some(valid) = valid_memory(cpu) else {
        let list: Vec<String> = VALID_CPU.iter().map(u32::to_string).collect();
        return Err(format!("Fargate does not support cpu {cpu}; valid cpu values: {}", list.join(", ")));
    };
    if valid.contains(&memory) {
        return Ok(());
    }
    Err(format!("Fargate does not support cpu {cpu} with memory {memory}; valid: {}", describe_sizes(&valid)))
}

/// "512, 1024, 2048" for short lists, "8192 to 30720 in steps of 1024" for long ones.
fn describe_sizes(sizes: &[u32]) -> String {
    if sizes.len() <= 8 {
        sizes.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
    } else {
        let step = sizes[1] - sizes[0];
        format!("{} to {} in steps of {step}", sizes[0], sizes[sizes.len() - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_pairs() {
        assert!(check_size(256, 512).is_ok());
        assert!(check_size(256, 2048).is_ok());
        assert!(check_size(512, 4096).is_ok());
        assert!(check_size(4096, 30720).is_ok());
        assert!(check_size(8192, 16384).is_ok());
        assert!(check_size(8192, 20480).is_ok());
        assert!(check_size(16384, 122880).is_ok());
    }

    #[test]
    fn invalid_pairs_name_the_valid_ones() {
        let err = check_size(256, 4096).unwrap_err();
        assert_eq!(err, "Fargate does not support cpu 256 with memory 4096; valid: 512, 1024, 2048");
        let err = check_size(4096, 4096).unwrap_err();
        assert!(err.contains("8192 to 30720 in steps of 1024"), "{err}");
        assert!(check_size(8192, 18432).is_err(), "8 vCPU takes 4 GB steps");
        assert!(check_size(300, 512).unwrap_err().contains("valid cpu values"));
    }
}
