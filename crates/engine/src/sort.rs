//! Stable sorting with one copy of the sort in the wasm, for cold paths (validation, reports, the page's lists).
//!
//! Each `sort_by` on another element type or comparison is its own copy of the standard library's sort, 3-5 KiB of
//! wasm each: 34 of them were about 160 KiB raw of the page's module (README, "The page's wasm size"). These sort the
//! positions instead, with one non-generic sort over `usize` and the comparison behind `dyn`, then move the
//! elements once. The order is `slice::sort_by`'s exactly: a stable sort's result is fixed by the comparison. A
//! comparison costs an indirect call, so the simulation's hot paths keep the standard sort.

use std::cmp::Ordering;

/// `v.sort_by(cmp)`: stable, the same order.
pub fn sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    positions(&mut order, &mut |a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    v.extend(order.iter().filter_map(|&i| slots.get_mut(i).and_then(Option::take)));
}

/// `v.sort_by_key(key)`: stable, the same order.
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `v.sort()`: stable, the same order.
pub fn sort<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, T::cmp);
}

/// The one copy of the sort: positions by a comparison of the elements at them.
#[inline(never)]
fn positions(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::unnecessary_sort_by)] // `sort_by` itself is what ours is compared with
    fn the_same_order_as_the_standard_stable_sort() {
        // Pairs with many equal keys: stability decides the order of the second halves.
        let mut state = 12345u64;
        for len in [0, 1, 2, 3, 17, 64, 500] {
            let items: Vec<(u8, u32)> = (0..len)
                .map(|i| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (u8::try_from(state >> 60).unwrap_or(0), i)
                })
                .collect();
            let mut ours = items.clone();
            sort_by_key(&mut ours, |p| p.0);
            let mut std_sorted = items.clone();
            std_sorted.sort_by_key(|p| p.0);
            assert_eq!(ours, std_sorted);
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| b.0.cmp(&a.0));
            let mut std_sorted = items.clone();
            std_sorted.sort_by(|a, b| b.0.cmp(&a.0));
            assert_eq!(ours, std_sorted);
            let mut ours = items.clone();
            sort(&mut ours);
            let mut std_sorted = items;
            std_sorted.sort();
            assert_eq!(ours, std_sorted);
        }
        let mut floats = vec![2.5, -0.0, 0.0, f64::NAN, -1.0, 1e300];
        let mut expected = floats.clone();
        sort_by(&mut floats, f64::total_cmp);
        expected.sort_by(f64::total_cmp);
        assert_eq!(format!("{floats:?}"), format!("{expected:?}"));
    }
}
