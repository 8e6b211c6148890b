#!/usr/bin/env bash
# Per-call overhead of the mobile binding: the same calls through Kotlin/JNA/UniFFI and in the
# core directly, both release builds, side by side in one run. Needs the tools bindings-mobile/test.sh
# installs (.tools/kotlin, Debian JNA).
set -euo pipefail
cd "$(dirname "$0")/../.."
kotlin=.tools/kotlin/node_modules/kotlin-compiler
jna=/usr/share/java/jna.jar
out=build/mobile-bench
mkdir -p "$out"
cargo build --quiet --release -p earlybird-mobile
cargo build --quiet --release -p earlybird-benches --bin mobile_core
"$kotlin/bin/kotlinc" -classpath "$jna" -d "$out/earlybird.jar" \
  bindings-mobile/generated/kotlin/app/earlybird/earlybird.kt
"$kotlin/bin/kotlinc" -classpath "$out/earlybird.jar:$jna" -d "$out/bench.jar" benches/mobile/Bench.kt
target/release/mobile_core >"$out/core.txt"
java -Djna.nosys=false -Djna.library.path=target/release \
  -cp "$out/earlybird.jar:$out/bench.jar:$kotlin/lib/kotlin-stdlib.jar:$jna" BenchKt >"$out/kotlin.txt"
echo "| call | core (ns) | Kotlin via binding (ns) | ratio |"
echo "|---|---:|---:|---:|"
join <(sort "$out/core.txt") <(sort "$out/kotlin.txt") | awk '{printf "| %s | %d | %d | %.1f× |\n", $1, $2, $3, $3 / $2}'
