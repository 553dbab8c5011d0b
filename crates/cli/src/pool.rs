//! The work queue `sweep` and `fit` run their runs on: `threads` scoped threads take items from one shared counter,
//! in order, and the results are put back in the order of the items, so the output does not depend on the number
//! of threads.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;

/// The thread count asked for, else the machine's available parallelism (1 if it cannot be told).
pub fn threads(requested: Option<NonZeroUsize>) -> usize {
    requested.or_else(|| thread::available_parallelism().ok()).map_or(1, NonZeroUsize::get)
}

/// Runs `work` on each of `items` on `threads` threads and returns the results in the order of `items`. Each thread
/// has its own `S` (from `state`), e.g. a cache kept across the items it takes. An error stops the threads taking
/// more items; the error returned is the one of the lowest index, whatever the threads did (items are handed out in
/// order, and every item handed out before an error is still run). An item that was never run (not possible
/// without an error before it) gets `not_run(index)`.
pub fn run_in_order<T, R, E, S>(
    items: &[T],
    threads: usize,
    state: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &T) -> Result<R, E> + Sync,
    not_run: impl Fn(usize) -> E,
) -> Result<Vec<R>, E>
where
    T: Sync,
    R: Send,
    E: Send,
{
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let slots: Mutex<Vec<Option<Result<R, E>>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..threads.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                let mut own = state();
                let mut mine = Vec::new();
                while !failed.load(Ordering::Relaxed) {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(k) else { break };
                    let result = work(&mut own, item);
                    if result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    mine.push((k, result));
                }
                let mut slots = slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                for (k, result) in mine {
                    slots[k] = Some(result);
                }
            });
        }
    });
    let slots = slots.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    slots.into_iter().enumerate().map(|(k, slot)| slot.unwrap_or_else(|| Err(not_run(k)))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_item_order_for_any_thread_count() {
        let items: Vec<u64> = (0..50).collect();
        for threads in [1, 2, 3, 8, 64] {
            let squares = run_in_order(&items, threads, || (), |_, &i| Ok::<u64, String>(i * i), |k| k.to_string());
            assert_eq!(squares, Ok(items.iter().map(|i| i * i).collect()), "{threads} threads");
        }
        let none: Result<Vec<u64>, String> = run_in_order(&[], 4, || (), |_, &i: &u64| Ok(i), |k| k.to_string());
        assert_eq!(none, Ok(vec![]));
    }

    #[test]
    fn the_error_of_the_lowest_index_is_returned() {
        let items: Vec<u64> = (0..40).collect();
        for threads in [1, 2, 4, 7] {
            let result = run_in_order(
                &items,
                threads,
                || (),
                |_, &i| if i == 13 || i == 29 { Err(format!("item {i}")) } else { Ok(i) },
                |k| format!("not run {k}"),
            );
            assert_eq!(result, Err("item 13".to_string()), "{threads} threads");
        }
    }

    #[test]
    fn each_thread_keeps_its_own_state() {
        // The state counts the items its thread took: over all threads, every item once.
        let items: Vec<u64> = (0..30).collect();
        let taken = run_in_order(
            &items,
            3,
            || 0_u64,
            |seen, &i| {
                *seen += 1;
                Ok::<(u64, u64), String>((i, *seen))
            },
            |k| k.to_string(),
        )
        .unwrap();
        assert_eq!(taken.iter().map(|(i, _)| *i).collect::<Vec<_>>(), items);
        assert!(taken.iter().all(|(_, seen)| (1..=30).contains(seen)));
    }
}
