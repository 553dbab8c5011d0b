//! Capacity provider strategies: which provider the next task of a service or RunTask goes to (domain.md 4.2).
//!
//! `base` tasks go to the provider that sets it before anything else; after that each task goes to the provider
//! furthest below its share of the weights. Placing tasks one by one this way gives the documented split for any
//! total (OD base 2 weight 1 + SPOT weight 3 over 10 tasks = 4 OD, 6 SPOT) and keeps the split right while a
//! service scales up, is interrupted and is repaired.

use crate::scenario::{Provider, Strategy};

/// Picks the provider for one more task, given how many tasks each provider already has
/// (`counts[provider.index()]`). Deterministic: ties go to the provider listed first.
pub fn next_provider(strategy: &Strategy, counts: &[u32; 2]) -> Provider {
    if let Some(item) = strategy.items.iter().find(|item| item.base > 0) {
        if counts[item.provider.index()] < item.base {
            return item.provider;
        }
    }
    let beyond_base = |provider: Provider, base: u32| u64::from(counts[provider.index()].saturating_sub(base));
    let mut best = None::<(Provider, u64, u64)>;
    for item in strategy.items.iter().filter(|item| item.weight > 0) {
        let have = beyond_base(item.provider, item.base);
        let weight = u64::from(item.weight);
        // Lower have/weight is further behind its share; compare by cross-multiplying to stay in integers.
        let better = match best {
            None => true,
            Some((_, best_have, best_weight)) => have * best_weight < best_have * weight,
        };
        if better {
            best = Some((item.provider, have, weight));
        }
    }
    best.map(|(provider, _, _)| provider).unwrap_or(strategy.items[0].provider)
}

/// How `total` tasks split across providers, placing them one by one from zero.
pub fn split(strategy: &Strategy, total: u32) -> [u32; 2] {
    let mut counts = [0u32; 2];
    for _ in 0..total {
        counts[next_provider(strategy, &counts).index()] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::StrategyItem;

    fn strategy(items: &[(Provider, u32, u32)]) -> Strategy {
        Strategy {
            items: items.iter().map(|&(provider, base, weight)| StrategyItem { provider, base, weight }).collect(),
        }
    }

    #[test]
    fn base_then_weights_the_domain_example() {
        let s = strategy(&[(Provider::Fargate, 2, 1), (Provider::FargateSpot, 0, 3)]);
        assert_eq!(split(&s, 10), [4, 6]);
    }

    #[test]
    fn fifty_fifty() {
        let s = strategy(&[(Provider::Fargate, 0, 1), (Provider::FargateSpot, 0, 1)]);
        assert_eq!(split(&s, 1000), [500, 500]);
        assert_eq!(split(&s, 7), [4, 3]);
    }

    #[test]
    fn base_is_filled_first_even_with_zero_weight() {
        let s = strategy(&[(Provider::Fargate, 3, 0), (Provider::FargateSpot, 0, 1)]);
        assert_eq!(split(&s, 2), [2, 0]);
        assert_eq!(split(&s, 10), [3, 7]);
    }

    #[test]
    fn repairs_toward_the_split_after_losses() {
        let s = strategy(&[(Provider::Fargate, 0, 1), (Provider::FargateSpot, 0, 3)]);
        // 10 OD, 10 SPOT: SPOT is far below its 3/4 share, so replacements go there.
        assert_eq!(next_provider(&s, &[10, 10]), Provider::FargateSpot);
        assert_eq!(next_provider(&s, &[3, 6]), Provider::FargateSpot);
        // 1 OD of 10 is below its quarter share.
        assert_eq!(next_provider(&s, &[1, 9]), Provider::Fargate);
        // Exactly on share: the tie goes to the provider listed first.
        assert_eq!(next_provider(&s, &[1, 3]), Provider::Fargate);
    }

    #[test]
    fn single_provider() {
        let s = strategy(&[(Provider::FargateSpot, 0, 1)]);
        assert_eq!(split(&s, 5), [0, 5]);
    }
}
