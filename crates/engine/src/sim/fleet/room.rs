//! A list of instances with an index of their room, so placement skips instances that cannot take a task
//! without looking at them.
//!
//! [`RoomList`] is an ordered list of instance ids (a group's live instances, or one zone's), kept in exactly the
//! order the plain `Vec` it replaces had (pushes at the end, `swap_remove`), with a segment tree over the
//! positions: each node holds upper bounds of the room of the instances under it ([`Room`]: the most free cpu,
//! memory and ENIs, the most of `min(cpu, memory / 2)` over its instances, the fewest dynamic host ports in use,
//! and which architectures are ACTIVE). A subtree whose bounds cannot hold a task holds no instance that
//! [`fits`](super::placement::fits) it, so
//! [`next_may_fit`](RoomList::next_may_fit) walks the list in order and stops only at instances that might fit;
//! placement still checks each one exactly. The choice is the one a scan of every instance makes: the index only
//! leaves out instances that would be rejected.
//!
//! `Fleet` refreshes an instance's leaf whenever its room or state changes (`hold`, `release`, `transition`,
//! `terminate`, `insert`), and `Fleet::check` compares every node with a recount.

use super::{Instance, Needs};
use crate::defaults;
use crate::ids::InstanceId;
use crate::instance::InstanceState;
use crate::spec::Architecture;

/// Upper bounds of the room of a set of instances (a leaf: one instance's room; no room at all unless ACTIVE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Room {
    cpu: u32,
    memory: u32,
    enis: u32,
    /// The fewest dynamic host ports in use.
    dynamic_ports_used: u32,
    /// Bit `1 << architecture` for each architecture with an ACTIVE instance.
    architectures: u8,
    /// The most of [`balanced`] over the instances: the cpu and memory maxima above can come from different
    /// instances (in a group of compute- and memory-optimised types, the full ones keep cpu or memory, not both),
    /// so on their own they let the walk descend into subtrees where no instance has both.
    balanced: u32,
}

/// An instance's (or a task's) cpu and memory as one number, `min(cpu, memory / 2)`: an instance with at least a
/// task's cpu and memory has at least its `balanced`, so a set of instances whose largest is below the task's holds
/// none that fits it, whatever cpu and memory are left apart.
fn balanced(cpu: u32, memory: u32) -> u32 {
    cpu.min(memory / 2)
}

impl Room {
    /// No instance, or none that can take a task.
    const NONE: Room = Room { cpu: 0, memory: 0, enis: 0, dynamic_ports_used: u32::MAX, architectures: 0, balanced: 0 };

    /// An instance's room: what it has free if it is ACTIVE, none otherwise.
    pub(super) fn of(instance: &Instance) -> Room {
        if instance.state != InstanceState::Active {
            return Room::NONE;
        }
        Room {
            cpu: instance.cpu_free,
            memory: instance.memory_free,
            enis: instance.eni_free,
            dynamic_ports_used: instance.dynamic_ports_used,
            architectures: architecture_bit(instance.instance_type.architecture),
            balanced: balanced(instance.cpu_free, instance.memory_free),
        }
    }

    fn merge(a: Room, b: Room) -> Room {
        Room {
            cpu: a.cpu.max(b.cpu),
            memory: a.memory.max(b.memory),
            enis: a.enis.max(b.enis),
            dynamic_ports_used: a.dynamic_ports_used.min(b.dynamic_ports_used),
            architectures: a.architectures | b.architectures,
            balanced: a.balanced.max(b.balanced),
        }
    }

    /// False when no instance under these bounds can fit `needs` (true does not mean one does: fixed host ports
    /// are not summarised, and the bounds may come from different instances).
    #[inline(always)]
    fn may_fit(&self, needs: &Needs) -> bool {
        self.architectures & architecture_bit(needs.architecture) != 0
            && self.cpu >= needs.cpu
            && self.memory >= needs.memory
            && self.balanced >= balanced(needs.cpu, needs.memory)
            && (!needs.eni || self.enis >= 1)
            && self.dynamic_ports_used.saturating_add(needs.dynamic_ports) <= defaults::DYNAMIC_PORTS
    }
}

fn bit(bits: &[u64], position: usize) -> bool {
    bits.get(position / 64).is_some_and(|w| (w >> (position % 64)) & 1 == 1)
}

fn set_bit(bits: &mut Vec<u64>, position: usize, on: bool) {
    let (word, shift) = (position / 64, position % 64);
    if bits.len() <= word {
        if !on {
            return;
        }
        bits.resize(word + 1, 0);
    }
    if on {
        bits[word] |= 1 << shift;
    } else {
        bits[word] &= !(1 << shift);
    }
}

/// The first position at or after `from` whose bit is clear (every position past the words is clear).
fn next_clear(bits: &[u64], from: usize) -> usize {
    let mut word = from / 64;
    let Some(&first) = bits.get(word) else { return from };
    // Positions before `from` in its word count as set.
    let mut free = !first & (u64::MAX << (from % 64));
    loop {
        if free != 0 {
            return word * 64 + free.trailing_zeros() as usize;
        }
        word += 1;
        match bits.get(word) {
            Some(&w) => free = !w,
            None => return word * 64,
        }
    }
}

fn architecture_bit(architecture: Architecture) -> u8 {
    match architecture {
        Architecture::X86_64 => 1,
        Architecture::Arm64 => 2,
    }
}

/// An ordered list of instance ids with a segment tree of their [`Room`] (see the module doc).
#[derive(Debug, Clone, Default)]
pub(in crate::sim) struct RoomList {
    ids: Vec<InstanceId>,
    /// Leaves at `capacity + position`; node `n` merges `2n` and `2n + 1`; node 0 is unused. Empty until the
    /// first push.
    tree: Vec<Room>,
    /// A power of two, at least `ids.len()`.
    capacity: usize,
    /// Per owner slot (`fleet::owner_slot`), a bit per position: set while the instance there holds any of the
    /// owner's tasks. Kept for the zone lists only (`Fleet::hold`/`release`), where the default placement's fast
    /// path jumps over the instances that already hold the owner's tasks ([`next_free`](Self::next_free)) instead
    /// of visiting each. Bits past the end are always clear.
    held: Vec<Vec<u64>>,
}

impl RoomList {
    /// The ids, in list order.
    pub(in crate::sim) fn ids(&self) -> &[InstanceId] {
        &self.ids
    }

    pub(in crate::sim) fn len(&self) -> usize {
        self.ids.len()
    }

    pub(in crate::sim) fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Appends an instance with its room; returns its position.
    pub(super) fn push(&mut self, id: InstanceId, room: Room) -> usize {
        let at = self.ids.len();
        self.ids.push(id);
        if at >= self.capacity {
            self.grow();
        }
        self.set(at, room);
        at
    }

    /// Doubles the tree (or makes the first one) and rebuilds it from the old leaves.
    fn grow(&mut self) {
        let capacity = (self.capacity * 2).max(8);
        let mut tree = vec![Room::NONE; 2 * capacity];
        for position in 0..self.capacity {
            tree[capacity + position] = self.tree[self.capacity + position];
        }
        for node in (1..capacity).rev() {
            tree[node] = Room::merge(tree[2 * node], tree[2 * node + 1]);
        }
        self.tree = tree;
        self.capacity = capacity;
    }

    /// Sets the room of the instance at `position`.
    pub(super) fn set(&mut self, position: usize, room: Room) {
        let mut node = self.capacity + position;
        self.tree[node] = room;
        while node > 1 {
            node /= 2;
            let merged = Room::merge(self.tree[2 * node], self.tree[2 * node + 1]);
            if self.tree[node] == merged {
                break;
            }
            self.tree[node] = merged;
        }
    }

    /// Removes the instance at `position` as `Vec::swap_remove` does (the last one takes its place). Returns the id
    /// that moved into `position`, if one did.
    pub(super) fn swap_remove(&mut self, position: usize) -> Option<InstanceId> {
        let last = self.ids.len() - 1;
        self.ids.swap_remove(position);
        if position < last {
            let moved = self.tree[self.capacity + last];
            self.set(position, moved);
        }
        self.set(last, Room::NONE);
        for bits in &mut self.held {
            let moved = bit(bits, last);
            set_bit(bits, position, moved);
            set_bit(bits, last, false);
        }
        self.ids.get(position).copied().filter(|_| position < last)
    }

    /// Marks whether the instance at `position` holds any of the tasks of the owner in `slot`.
    pub(super) fn set_held(&mut self, slot: usize, position: usize, held: bool) {
        if self.held.len() <= slot {
            if !held {
                return;
            }
            self.held.resize_with(slot + 1, Vec::new);
        }
        set_bit(&mut self.held[slot], position, held);
    }

    /// Whether the instance at `position` holds any of the tasks of the owner in `slot` (as [`set_held`] said).
    ///
    /// [`set_held`]: Self::set_held
    pub(super) fn is_held(&self, slot: usize, position: usize) -> bool {
        self.held.get(slot).is_some_and(|bits| bit(bits, position))
    }

    /// The first position in `from..to` whose instance may fit `needs` and holds none of the tasks of the owner in
    /// `slot`; every position before it in that range holds an instance that does not fit or holds some. Leaps
    /// between the two indexes: the next clear bit (64 positions a word), then the room index from there, until
    /// both agree on a position. `held_fit` is set to the first position on the way that may fit but holds some
    /// of the owner's tasks, if it is still `None` (placement asks whether any instance fits at all).
    pub(in crate::sim) fn next_free(
        &self,
        from: usize,
        to: usize,
        needs: &Needs,
        slot: usize,
        held_fit: &mut Option<usize>,
    ) -> Option<usize> {
        let to = to.min(self.ids.len());
        let bits = self.held.get(slot).map_or(&[][..], Vec::as_slice);
        let mut at = from;
        loop {
            at = next_clear(bits, at);
            if at >= to {
                return None;
            }
            let fit = self.next_may_fit(at, to, needs)?;
            if fit == at {
                return Some(at);
            }
            if held_fit.is_none() && bit(bits, fit) {
                *held_fit = Some(fit);
            }
            at = fit;
        }
    }

    /// The first position in `from..to` whose instance may fit `needs`; every position before it in that range
    /// holds an instance that does not fit. An in-order walk of the tree from the leaf at `from`: a node that may
    /// fit is entered (left child first), one that cannot is passed over with everything under it. (The bounds of
    /// a node can come from different children, so a node that may fit can still hold no leaf that does: the walk
    /// then goes on to the right.) A hit next door costs one leaf, a long run of full instances a few levels.
    pub(in crate::sim) fn next_may_fit(&self, from: usize, to: usize, needs: &Needs) -> Option<usize> {
        let to = to.min(self.ids.len());
        if from >= to {
            return None;
        }
        // The instance next door first (a run of instances with room), then the whole tree's bounds.
        if self.tree[self.capacity + from].may_fit(needs) {
            return Some(from);
        }
        if !self.tree[1].may_fit(needs) {
            return None;
        }
        // `node` covers positions `lo..lo + size`.
        let (mut node, mut lo, mut size) = (self.capacity + from, from, 1);
        loop {
            if lo >= to {
                return None;
            }
            if self.tree[node].may_fit(needs) {
                if size == 1 {
                    return Some(lo);
                }
                node *= 2;
                size /= 2;
                continue;
            }
            // Up while `node` is a right child, then over to the right sibling.
            while node % 2 == 1 {
                if node == 1 {
                    return None;
                }
                node /= 2;
                lo -= size;
                size *= 2;
            }
            node += 1;
            lo += size;
        }
    }

    /// Checks the tree against a recount: every leaf is its instance's room, every node the merge of its children,
    /// and nothing past the end has room.
    pub(super) fn check(&self, instances: &[Instance]) -> Result<(), String> {
        for (position, id) in self.ids.iter().enumerate() {
            if self.tree[self.capacity + position] != Room::of(&instances[id.index()]) {
                return Err(format!("room index of instance {id} disagrees with the instance"));
            }
        }
        for position in self.ids.len()..self.capacity {
            if self.tree[self.capacity + position] != Room::NONE {
                return Err(format!("room index has room past its end at {position}"));
            }
        }
        for node in 1..self.capacity {
            if self.tree[node] != Room::merge(self.tree[2 * node], self.tree[2 * node + 1]) {
                return Err(format!("room index node {node} disagrees with its children"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::fleet::Fleet;
    use crate::sim::testing::{self, i, t};

    fn needs(cpu: u32, memory: u32) -> Needs {
        Needs { cpu, memory, architecture: Architecture::X86_64, eni: false, fixed_ports: Vec::new(), dynamic_ports: 0 }
    }

    /// Positions in `from..to` that may fit, found by stepping `next_may_fit`.
    fn walk(list: &RoomList, from: usize, to: usize, needs: &Needs) -> Vec<usize> {
        let mut found = Vec::new();
        let mut at = from;
        while let Some(p) = list.next_may_fit(at, to, needs) {
            found.push(p);
            at = p + 1;
        }
        found
    }

    fn room(cpu: u32, memory: u32) -> Room {
        Room { cpu, memory, enis: 0, dynamic_ports_used: 0, architectures: 1, balanced: balanced(cpu, memory) }
    }

    /// Over 20 instances (past the first tree size, so it grows), the walk finds exactly the positions whose own
    /// room fits, in order, within any range; after swap_remove the list and the tree move together as a Vec does.
    #[test]
    fn the_walk_stops_exactly_at_the_positions_with_room() {
        let mut list = RoomList::default();
        let mut plain = Vec::new();
        for n in 0..20u32 {
            let r = room((n * 7) % 5 * 256, 1024);
            list.push(i(n), r);
            plain.push((i(n), r));
        }
        let want = needs(512, 512);
        let expected = |plain: &[(InstanceId, Room)], from: usize, to: usize| -> Vec<usize> {
            (from..to.min(plain.len())).filter(|&p| plain[p].1.may_fit(&want)).collect()
        };
        for (from, to) in [(0, 20), (3, 17), (19, 20), (5, 5), (0, 100)] {
            assert_eq!(walk(&list, from, to, &want), expected(&plain, from, to), "{from}..{to}");
        }
        let moved = list.swap_remove(2);
        plain.swap_remove(2);
        assert_eq!(moved, Some(i(19)));
        assert_eq!(list.ids(), plain.iter().map(|(id, _)| *id).collect::<Vec<_>>());
        assert_eq!(walk(&list, 0, 19, &want), expected(&plain, 0, 19));
        assert_eq!(list.swap_remove(18), None, "the last one moves nothing");
        plain.swap_remove(18);
        assert_eq!(walk(&list, 0, 18, &want), expected(&plain, 0, 18));
        // The architecture and the dynamic ports bound the walk too.
        assert_eq!(
            walk(&list, 0, 18, &Needs { architecture: Architecture::Arm64, ..want.clone() }),
            Vec::<usize>::new()
        );
        list.set(0, Room { dynamic_ports_used: defaults::DYNAMIC_PORTS, ..room(4096, 4096) });
        assert!(!walk(&list, 0, 1, &Needs { dynamic_ports: 1, ..want }).contains(&0));
    }

    /// Full instances of two kinds, some with cpu left and no memory, others with memory left and no cpu, make
    /// the cpu and memory maxima of every node look like room: the balanced bound rules those nodes out, so the
    /// root says no room at all, and the walk still stops exactly at the one instance with both.
    #[test]
    fn full_instances_of_two_shapes_are_not_room() {
        let mut list = RoomList::default();
        for n in 0..40u32 {
            list.push(i(n), if n % 2 == 0 { room(512, 300) } else { room(0, 15_000) });
        }
        let want = needs(256, 512);
        assert!(!list.tree[1].may_fit(&want));
        assert_eq!(walk(&list, 0, 40, &want), Vec::<usize>::new());
        list.set(33, room(256, 600));
        assert_eq!(walk(&list, 0, 40, &want), vec![33]);
        assert_eq!(walk(&list, 34, 40, &want), Vec::<usize>::new());
    }

    /// `next_free` finds exactly the positions that may fit and are not marked held, in order, across word
    /// boundaries; marks follow `swap_remove` like the ids do, and a held position that may fit is reported once.
    #[test]
    fn the_free_walk_leaps_over_held_positions() {
        let mut list = RoomList::default();
        for n in 0..150u32 {
            list.push(i(n), room(if n % 7 == 3 { 0 } else { 1024 }, 1024));
        }
        let slot = 4;
        for position in (0..150).filter(|p| p % 3 == 0 || (60..130).contains(p)) {
            list.set_held(slot, position, true);
        }
        let want = needs(512, 512);
        let expected = |list: &RoomList, from: usize, to: usize| -> Vec<usize> {
            (from..to.min(list.len()))
                .filter(|&p| list.tree[list.capacity + p].may_fit(&want) && !list.is_held(slot, p))
                .collect()
        };
        let free_walk = |list: &RoomList, from: usize, to: usize| {
            let (mut found, mut at, mut held_fit) = (Vec::new(), from, None);
            while let Some(p) = list.next_free(at, to, &want, slot, &mut held_fit) {
                found.push(p);
                at = p + 1;
            }
            (found, held_fit)
        };
        for (from, to) in [(0, 150), (61, 140), (64, 128), (149, 150), (10, 10)] {
            assert_eq!(free_walk(&list, from, to).0, expected(&list, from, to), "{from}..{to}");
        }
        // 17 is free without room, 18 held with room: the room index lands on 18, the first held one that may fit.
        assert_eq!(free_walk(&list, 17, 150).1, Some(18));
        assert_eq!(free_walk(&list, 60, 140).1, None, "the bits leap from 60 to 130, then nothing held may fit");
        // Another owner's slot holds nothing: every position that may fit.
        let mut none = None;
        assert_eq!(list.next_free(3, 150, &want, 9, &mut none), Some(4));
        list.swap_remove(0);
        assert!(!list.is_held(slot, 149), "past the end is clear");
        assert!(!list.is_held(slot, 0), "position 0 now holds the old last instance, not held");
        assert_eq!(free_walk(&list, 0, 149).0, expected(&list, 0, 149));
        list.set_held(slot, 1, false);
        assert!(!list.is_held(slot, 1));
        assert_eq!(next_clear(&[u64::MAX, u64::MAX], 5), 128);
    }

    /// The fleet keeps the index in step as tasks are held and released and instances leave: its check (a recount)
    /// passes, and a full instance is skipped.
    #[test]
    fn the_fleet_keeps_the_room_index_in_step() {
        let provider = r#""max_size": 4, "desired_capacity": 4, "availability_zones": ["us-east-1a", "us-east-1b"]"#;
        let mut sim = testing::checked(testing::ec2(provider, "", "", ""));
        let fleet: &mut Fleet = &mut sim.fleet;
        let full = needs(fleet.instance(i(1)).cpu_free, 256);
        fleet.hold(i(1), t(100), &full, 3);
        let small = needs(256, 256);
        let group = &fleet.providers[0].instances;
        assert_eq!(walk(group, 0, 4, &small), vec![0, 2, 3]);
        fleet.terminate(i(0), crate::time::SimTime::ZERO);
        assert!(fleet.providers[0].instances.check(&fleet.instances).is_ok());
        assert_eq!(fleet.providers[0].instances.ids(), &[i(3), i(1), i(2)]);
        assert_eq!(walk(&fleet.providers[0].instances, 0, 3, &small), vec![0, 2]);
        fleet.release(i(1), t(100), &full, 3);
        assert_eq!(walk(&fleet.providers[0].instances, 0, 3, &small), vec![0, 1, 2]);
        for rt in &fleet.providers {
            assert!(rt.instances.check(&fleet.instances).is_ok());
            for zone in &rt.by_zone {
                assert!(zone.check(&fleet.instances).is_ok());
            }
        }
    }
}
