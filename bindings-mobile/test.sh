#!/usr/bin/env bash
# The mobile binding's checks: builds the library (debug: one cargo build gives both the
# cdylib and uniffi-bindgen, the tests check behaviour, not speed), regenerates the Kotlin and
# Swift sources and fails if they differ from the committed ones, checks the Swift (syntax
# with tree-sitter, the C header with gcc, every declared symbol exported), then compiles the
# Kotlin bindings and the Kotlin test suite and runs them on the JVM. Installs its own tools
# (Debian JNA, the npm Kotlin compiler, a tree-sitter venv) into .tools/. The last line is the
# Kotlin suite's "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools=$root/.tools
out=$root/build/mobile
generated=bindings-mobile/generated
mkdir -p "$tools" "$out"

step() { echo "== mobile: $*"; }

step "tools"
if [ ! -f /usr/share/java/jna.jar ] || ! command -v gcc >/dev/null || ! command -v nm >/dev/null; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjna-java gcc binutils >/dev/null
fi
kotlin=$tools/kotlin/node_modules/kotlin-compiler
if [ ! -x "$kotlin/bin/kotlinc" ]; then
  npm install --prefix "$tools/kotlin" --no-audit --no-fund --loglevel=error kotlin-compiler@2.4.20 >/dev/null
fi
venv=$tools/swift-check-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import tree_sitter_swift" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check tree-sitter==0.26.1 tree-sitter-swift==0.7.4
fi

step "build (debug cdylib + uniffi-bindgen)"
cargo build --quiet --locked -p earlybird-mobile --features cli
library=target/debug/libearlybird_mobile.so

step "generate Kotlin and Swift, compare with the committed sources"
for language in kotlin swift; do
  target/debug/uniffi-bindgen generate "$library" --language "$language" \
    --out-dir "$generated/$language" --no-format >/dev/null
done
if git rev-parse --git-dir >/dev/null 2>&1; then
  untracked=$(git ls-files --others --exclude-standard -- "$generated")
  if ! git diff --exit-code --stat -- "$generated" || [ -n "$untracked" ]; then
    echo "$untracked"
    echo "the generated bindings changed: review and commit $generated"
    exit 1
  fi
else
  echo "not a git checkout: skipping the comparison with the committed sources"
fi

step "Swift: syntax (tree-sitter), C header (gcc), exported symbols (nm)"
"$venv/bin/python" bindings-mobile/tools/swift_syntax_check.py "$generated"/swift/*.swift
header=$generated/swift/EarlybirdFFI.h
# Included from a file, as a header is (gcc warns about `#pragma once` in a main file).
echo "#include \"$root/$header\"" | gcc -fsyntax-only -Wall -Werror -D_Nullable= -D_Nonnull= -x c -
grep -oE '\b(uniffi|ffi)_[A-Za-z0-9_]+\s*\(' "$header" | tr -d ' (' | sort -u >"$out/declared.txt"
nm -D --defined-only "$library" | awk '{print $3}' | sort -u >"$out/exported.txt"
missing=$(comm -23 "$out/declared.txt" "$out/exported.txt")
if [ -n "$missing" ]; then
  echo "declared in $header but not exported by $library:"
  echo "$missing"
  exit 1
fi
echo "$(wc -l <"$out/declared.txt") header symbols, all exported"

step "Kotlin: compile the bindings and the suite, run on the JVM"
jna=/usr/share/java/jna.jar
kotlin_source=$generated/kotlin/app/earlybird/earlybird.kt
# The generated file is rewritten on every run: recompile it (the slow part) only when its
# content changed.
digest=$(sha256sum "$kotlin_source" | cut -d' ' -f1)
if [ ! -f "$out/earlybird.jar" ] || [ "$(cat "$out/earlybird.jar.sha256" 2>/dev/null)" != "$digest" ]; then
  "$kotlin/bin/kotlinc" -Werror -classpath "$jna" -d "$out/earlybird.jar" "$kotlin_source"
  echo "$digest" >"$out/earlybird.jar.sha256"
fi
"$kotlin/bin/kotlinc" -Werror -classpath "$out/earlybird.jar:$jna" -d "$out/earlybird-test.jar" \
  bindings-mobile/tests/kotlin/*.kt
java -Djna.nosys=false -Djna.library.path="$root/target/debug" \
  -cp "$out/earlybird.jar:$out/earlybird-test.jar:$kotlin/lib/kotlin-stdlib.jar:$jna" \
  earlybird.test.EarlybirdTestKt tests/cases
