#!/usr/bin/env bash
# Every check and every test of the project, in every language. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

source tests/postgres-server.sh
start_test_postgres

echo "== Rust: format, lints, tests"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
bindings-python/test.sh

echo "== Node binding"
bindings-node/test.sh

echo "== Mobile binding (UniFFI: Kotlin on the JVM, Swift checked)"
bindings-mobile/test.sh
