#!/usr/bin/env bash
# The Python binding's tests on a fresh machine: installs its tools into .venv/, builds the
# wheel the way users get it (`pip install` runs maturin, release profile: the shipped build,
# and the one the GIL test and the benchmark need), checks the stubs, runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Python binding: tools (.venv)"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
pip install -q maturin==1.16.0 pytest==9.2.0 mypy==2.4.1 fastapi==0.165.0 httpx2==2.16.2

echo "== Python binding: build and install the wheel (maturin, release)"
# For the host's own target triple, as `napi build --platform` builds the Node binding: both
# then share target/<triple>/release, so the second build compiles its ~15 own crates, not
# every dependency again (and the run keeps one release tree of them on disk, not two).
CARGO_BUILD_TARGET="$(rustc -vV | sed -n 's/^host: //p')" \
    pip install -q --no-build-isolation --no-deps --force-reinstall ./bindings-python

echo "== Python binding: type stubs against the native module"
python -m mypy.stubtest earlybird._earlybird

echo "== Python binding: type check of the package, the tests and the FastAPI example"
python -m mypy --strict bindings-python/python/earlybird docs/examples/fastapi_app.py
python -m mypy bindings-python/tests

echo "== Python binding: pytest"
python -m pytest -q -rs -p no:cacheprovider bindings-python/tests
