//! Typed ids for the simulation's things: a task, an instance, a service, a capacity provider (Auto Scaling group)
//! and a RunTask workload are each numbered from 0 in their own arena, and a newtype per arena keeps one kind of
//! number from being used for another. The output types (trace, views) carry the plain `u32`
//! ([`TaskId::raw`] and the like convert at that boundary).

use std::fmt;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl $name {
            pub const fn new(raw: u32) -> $name {
                $name(raw)
            }

            /// The id of the arena entry at `index` (arenas stay far below `u32::MAX` entries).
            pub const fn from_index(index: usize) -> $name {
                $name($crate::narrow::u32_of(index))
            }

            /// The id as an index into its arena.
            pub const fn index(self) -> usize {
                self.0 as usize
            }

            /// The plain number, for the engine's output types.
            pub const fn raw(self) -> u32 {
                self.0
            }
        }

        impl From<$name> for u32 {
            fn from(id: $name) -> u32 {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id!(
    /// A task: its index among every task launched in the run.
    TaskId
);
typed_id!(
    /// A container instance: its index among every instance launched in the run (terminated ones included).
    InstanceId
);
typed_id!(
    /// A service: its index in the scenario's services.
    ServiceId
);
typed_id!(
    /// An Auto Scaling group capacity provider: its index in the scenario's providers (`Provider::Asg`).
    ProviderId
);
typed_id!(
    /// A RunTask workload: its index in the scenario's RunTask workloads.
    WorkloadId
);

impl ProviderId {
    /// The id of the group `Provider::Asg(index)` names.
    pub const fn of_asg(index: u16) -> ProviderId {
        ProviderId(index as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_convert_to_their_number_and_index() {
        let id = TaskId::new(7);
        assert_eq!((id.index(), id.raw(), u32::from(id), id.to_string()), (7, 7, 7, "7".to_string()));
        assert_eq!(ProviderId::of_asg(3), ProviderId::new(3));
        assert!(InstanceId::new(1) < InstanceId::new(2));
    }
}
