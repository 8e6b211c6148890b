#!/usr/bin/env bash
# Builds the Node binding from this repository and runs its checks and tests.
#
# Installs what it needs into bindings-node/node_modules (npm ci: @napi-rs/cli, TypeScript,
# @types/node; no prebuilt earlybird binary is downloaded from anywhere), builds the native
# module once in release mode (the shipped configuration, and the one the benchmark measures;
# a debug build saves little here because the core must be compiled either way), checks that
# the generated index.js / index.d.ts are the committed ones, type-checks and runs the examples
# (examples/types.mts holds `@ts-expect-error` lines that tsc must find to be errors),
# then runs every test with node's built-in runner. Ends with node --test's summary.
set -euo pipefail
cd "$(dirname "$0")"

need_major=20
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "test.sh needs Node >= $need_major and npm on PATH" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt "$need_major" ]; then
  echo "test.sh needs Node >= $need_major, found $(node --version)" >&2
  exit 1
fi

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== napi build --release"
npx napi build --platform --release

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "== generated index.js and index.d.ts are committed as built"
  git diff --exit-code -- index.js index.d.ts
fi

echo "== tsc --noEmit on the examples, then run them"
npx tsc -p examples/tsconfig.json --noEmit
npx tsc -p examples/tsconfig.json --outDir build/examples
node build/examples/quickstart.mjs > /dev/null
node build/examples/engines.mjs > /dev/null
node build/examples/billing.mjs > /dev/null
node build/examples/types.mjs > /dev/null

echo "== node --test"
node --test test/
