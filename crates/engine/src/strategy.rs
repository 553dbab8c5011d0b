//! Capacity provider strategies: which provider the next task of a service or RunTask goes to (`docs/model.md` §4.2).
//!
//! `base` tasks go to the provider that sets it before anything else; after that each task goes to the provider
//! furthest below its share of the weights. Placing tasks one by one this way gives the documented split for any
//! total (OD base 2 weight 1 + SPOT weight 3 over 10 tasks = 4 OD, 6 SPOT) and keeps the split right while a
//! service scales up, is interrupted and is repaired.

use crate::scenario::{Provider, Strategy};

/// Picks the strategy item (index into `strategy.items`) for one more task, given how many tasks each item's
/// provider already has (`counts[i]` for `strategy.items[i]`). Deterministic: ties go to the item listed first.
pub fn next_item(strategy: &Strategy, counts: &[u32]) -> usize {
    next_open_item(strategy, counts, &vec![true; strategy.items.len()]).unwrap_or(0)
}

/// Like [`next_item`], among the items whose provider can take a task now (`open[i]` for `strategy.items[i]`):
/// a provider that cannot (an empty launch bucket, no room) does not hold back the others. The base still goes
/// first when its provider is open; otherwise the open items share the task by weight, and the counts, which then
/// lean to the open items, pull the next tasks back toward the split once the closed provider opens again.
/// `None` when no open item can take a task (only weight-0 items, or none, are open).
pub fn next_open_item(strategy: &Strategy, counts: &[u32], open: &[bool]) -> Option<usize> {
    if let Some(i) = strategy.items.iter().position(|item| item.base > 0) {
        if open[i] && counts[i] < strategy.items[i].base {
            return Some(i);
        }
    }
    let mut best = None::<(usize, u64, u64)>;
    for (i, item) in strategy.items.iter().enumerate().filter(|&(i, item)| item.weight > 0 && open[i]) {
        let have = u64::from(counts[i].saturating_sub(item.base));
        let weight = u64::from(item.weight);
        // Lower have/weight is further behind its share; compare by cross-multiplying to stay in integers.
        let better = match best {
            None => true,
            Some((_, best_have, best_weight)) => have * best_weight < best_have * weight,
        };
        if better {
            best = Some((i, have, weight));
        }
    }
    best.map(|(i, _, _)| i)
}

/// The provider for one more task (see [`next_item`]).
pub fn next_provider(strategy: &Strategy, counts: &[u32]) -> Provider {
    strategy.items[next_item(strategy, counts)].provider
}

/// The strategy item a provider belongs to, if any.
pub fn item_of(strategy: &Strategy, provider: Provider) -> Option<usize> {
    strategy.items.iter().position(|item| item.provider == provider)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::StrategyItem;

    /// How `total` tasks split across the strategy's items, placing them one by one from zero.
    fn split(strategy: &Strategy, total: u32) -> Vec<u32> {
        let mut counts = vec![0u32; strategy.items.len()];
        for _ in 0..total {
            let item = next_item(strategy, &counts);
            counts[item] += 1;
        }
        counts
    }

    #[test]
    fn three_providers_split_by_weight() {
        let s = strategy(&[(Provider::Asg(0), 0, 1), (Provider::Asg(1), 0, 2), (Provider::Asg(2), 0, 1)]);
        assert_eq!(split(&s, 8), vec![2, 4, 2]);
    }

    fn strategy(items: &[(Provider, u32, u32)]) -> Strategy {
        Strategy {
            items: items.iter().map(|&(provider, base, weight)| StrategyItem { provider, base, weight }).collect(),
        }
    }

    #[test]
    fn base_then_weights_the_domain_example() {
        let s = strategy(&[(Provider::Fargate, 2, 1), (Provider::FargateSpot, 0, 3)]);
        assert_eq!(split(&s, 10), vec![4, 6]);
    }

    #[test]
    fn fifty_fifty() {
        let s = strategy(&[(Provider::Fargate, 0, 1), (Provider::FargateSpot, 0, 1)]);
        assert_eq!(split(&s, 1000), vec![500, 500]);
        assert_eq!(split(&s, 7), vec![4, 3]);
    }

    #[test]
    fn base_is_filled_first_even_with_zero_weight() {
        let s = strategy(&[(Provider::Fargate, 3, 0), (Provider::FargateSpot, 0, 1)]);
        assert_eq!(split(&s, 2), vec![2, 0]);
        assert_eq!(split(&s, 10), vec![3, 7]);
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

    /// A closed provider is skipped: its base waits, the open items share by weight, and a strategy whose only
    /// open items have weight 0 has nothing to give.
    #[test]
    fn closed_providers_do_not_hold_back_the_others() {
        let s = strategy(&[(Provider::Fargate, 2, 1), (Provider::FargateSpot, 0, 3), (Provider::Asg(0), 0, 1)]);
        assert_eq!(next_open_item(&s, &[0, 0, 0], &[false, true, true]), Some(1));
        assert_eq!(next_open_item(&s, &[0, 3, 0], &[false, true, true]), Some(2));
        assert_eq!(next_open_item(&s, &[0, 3, 0], &[true, true, true]), Some(0));
        assert_eq!(next_open_item(&s, &[0, 0, 0], &[false, false, false]), None);
        let s = strategy(&[(Provider::Fargate, 2, 1), (Provider::FargateSpot, 0, 0)]);
        assert_eq!(next_open_item(&s, &[0, 0], &[false, true]), None);
    }

    #[test]
    fn single_provider() {
        let s = strategy(&[(Provider::FargateSpot, 0, 1)]);
        assert_eq!(split(&s, 5), vec![5]);
    }
}
