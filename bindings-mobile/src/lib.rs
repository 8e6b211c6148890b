//! The mobile binding of `earlybird` is built in its own issue; this crate keeps its place in the
//! workspace so that the layout is stable.

pub use earlybird::VERSION;
