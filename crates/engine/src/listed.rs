//! `listed!`: a closed set of variants written once. The output's enums (columns, limiters, buckets, states) each
//! need their variants three times: the declaration, the list `ALL` in declaration order (indexing arrays by
//! `variant as usize` relies on that order) and the text `name()` prints; a variant added to one and not the others
//! used to be caught only by a test, or not at all. The macro writes the list and the `name` match from the one
//! declaration.

/// Declares the enum as written and adds `COUNT` (the number of variants) and `ALL` (every variant, in declaration
/// order, so that `ALL[v as usize] == v`). Written with `Variant => "text",` and a trailing `name` (after its doc
/// comment, if any), it also adds `pub fn name(self) -> &'static str` returning each variant's text.
macro_rules! listed {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
        $(#[$name_meta:meta])*
        name
    ) => {
        $crate::listed::listed! {
            $(#[$meta])*
            $vis enum $name {
                $( $(#[$variant_meta])* $variant ),+
            }
        }

        impl $name {
            $(#[$name_meta])*
            pub fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$variant_meta])* $variant ),+
        }

        impl $name {
            /// How many variants there are.
            pub const COUNT: usize = [$(stringify!($variant)),+].len();
            /// Every variant, in declaration order.
            pub const ALL: [$name; $name::COUNT] = [$($name::$variant),+];
        }
    };
}

pub(crate) use listed;

#[cfg(test)]
mod tests {
    listed! {
        /// A made-up set.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Colour {
            /// The first.
            Red => "red",
            Green => "green",
            Blue => "blue (dark)",
        }
        /// Its text.
        name
    }

    listed! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Side {
            Left,
            Right,
        }
    }

    #[test]
    fn all_lists_every_variant_in_declaration_order_with_its_name() {
        assert_eq!(Colour::COUNT, 3);
        assert_eq!(Colour::ALL, [Colour::Red, Colour::Green, Colour::Blue]);
        for (i, c) in Colour::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
        let names: Vec<&str> = Colour::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names, ["red", "green", "blue (dark)"]);
        assert_eq!(Side::ALL, [Side::Left, Side::Right]);
        assert_eq!(Side::COUNT, 2);
    }
}
