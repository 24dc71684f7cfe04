#!/usr/bin/env bash
# Install tilgen into ./.venv with a portable CPU build of llama-cpp-python.
#   bash scripts/install.sh            # runtime (embedded + remote backends)
#   bash scripts/install.sh test       # plus the test dependencies
# The llama-cpp-python wheel comes from the cache ($TILGEN_WHEEL_CACHE), llama-cpp-python's
# prebuilt CPU wheels ($TILGEN_PREBUILT_INDEX; "off" skips them) or a build from source, and
# passes a real decode first (scripts/engine.py). TILGEN_ENGINE=build forces a build.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
LLAMA_VERSION="${LLAMA_VERSION:-0.3.36}"
WHEEL_CACHE="${TILGEN_WHEEL_CACHE:-$HOME/.cache/tilgen/wheels}"
PYTHON="${PYTHON:-python3}"
# CPU flags: not a native build, which may enable instructions (AMX) that virtual machines
# refuse at run time (a crash at the first decode), but AVX2/FMA/F16C plus each AVX-512
# extension this CPU reports (prompt processing 1.5-1.9x faster where present; see
# docs/PERFORMANCE.md). The wheel is built for, and cached on, this machine. Set CMAKE_ARGS
# to override, e.g. CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
# for a wheel that other AVX2 machines can use too.
if [ -z "${CMAKE_ARGS:-}" ]; then
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
  cpu_flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
  has() { for f in "$@"; do case "$cpu_flags" in *" $f "*) ;; *) return 1 ;; esac; done; }
  if has avx512f avx512cd avx512vl avx512dq avx512bw; then
    CMAKE_ARGS="$CMAKE_ARGS -DGGML_AVX512=ON"
    has avx512vbmi && CMAKE_ARGS="$CMAKE_ARGS -DGGML_AVX512_VBMI=ON"
    has avx512_vnni && CMAKE_ARGS="$CMAKE_ARGS -DGGML_AVX512_VNNI=ON"
    has avx512_bf16 && CMAKE_ARGS="$CMAKE_ARGS -DGGML_AVX512_BF16=ON"
  fi
  has avx_vnni && CMAKE_ARGS="$CMAKE_ARGS -DGGML_AVX_VNNI=ON"
fi
export CMAKE_ARGS

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip

# One cached wheel per version and set of flags: other CMAKE_ARGS build (and keep) another.
WHEEL_CACHE="$WHEEL_CACHE/$LLAMA_VERSION-$(printf '%s' "$CMAKE_ARGS" | sha256sum | cut -c1-12)"
mkdir -p "$WHEEL_CACHE"
if [ "$extra" = "test" ]; then spec=".[embedded,test]"; else spec=".[embedded]"; fi
# The engine: the cached build, else llama-cpp-python's prebuilt CPU wheel, else a build from
# source; each is kept only after a real decode in a subprocess (scripts/engine.py). tilgen
# and its dependencies are installed after the first candidate, before its check.
.venv/bin/python scripts/engine.py --python .venv/bin/python --version "$LLAMA_VERSION" \
  --cache "$WHEEL_CACHE" \
  --deps-cmd ".venv/bin/python -m pip install -q -e '$spec' --find-links '$WHEEL_CACHE'"
echo "tilgen installed: $(.venv/bin/tilgen --version)"
