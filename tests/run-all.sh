#!/usr/bin/env bash
# Every check and every test of the project, in every language. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each build here runs once, so incremental caches are only disk, and line tables keep
# file:line in backtraces at a fraction of full debug info's size. With the defaults a fresh
# clone's target/ grew to 7.8 GB, and a CI run on 2026-12-07 lost its last link to
# "ld terminated with signal 7 [Bus error]", what ld gets when the disk fills under its output.
export CARGO_INCREMENTAL=0
export CARGO_PROFILE_DEV_DEBUG=line-tables-only
disk_report() { echo "== disk: $(du -sh target 2>/dev/null | cut -f1) in target/; $(df -h . | awk 'NR == 2 {print $4}') free"; }
disk_report

source tests/postgres-server.sh
start_test_postgres
trap 'disk_report; stop_test_postgres' EXIT

echo "== Rust: format, lints, tests"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
bindings-python/test.sh

echo "== Node binding"
bindings-node/test.sh

echo "== Mobile binding (UniFFI: Kotlin on the JVM, Swift checked)"
bindings-mobile/test.sh
