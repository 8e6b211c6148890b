//! Shared code of the benchmark programs in `benches/src/bin/`.

pub mod synthetic;
