#!/usr/bin/env bash
# Fresh machine -> results: installs missing Debian packages, builds (Release) into build/, links
# ./ctxbench to the binary, and runs the default suite. Extra arguments go to ctxbench
# (default: --json out.json).
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
ln -sf build/ctxbench ctxbench

if (($# == 0)); then set -- --json out.json; fi
exec ./ctxbench "$@"
