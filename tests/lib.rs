//! Cross-engine and cross-language tests live under `tests/`; this crate only hosts them.
