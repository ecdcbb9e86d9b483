#!/usr/bin/env bash
# Installs the Debian 12 packages ctxbench needs, only those missing (idempotent); sudo when not root.
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also what the test suite uses (compare.py, scipy, pytest, clang, chromium)
#   scripts/install-deps.sh --charts also what scripts/ (charts, report, exports) need: CI jobs
set -euo pipefail

packages=(build-essential cmake g++ git pkg-config libfmt-dev nlohmann-json3-dev libbenchmark-dev libgtest-dev)
packages+=(clang libbpf-dev bpftool)  # --explain's BPF program: compiled by clang, skeleton by bpftool, libbpf
packages+=(libsqlite3-dev libpq-dev)   # `ctxbench history`'s results store: SQLite file or PostgreSQL server
packages+=(liburing-dev)                # the io_uring hand-offs (ctxswitch.*_uring, ctxswitch.msg_ring)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libbenchmark-tools python3 python3-numpy python3-scipy python3-pytest procps clang stress-ng)
  packages+=(python3-matplotlib python3-yaml)  # scripts/ tests: charts, report, workflow parse
  packages+=(clang-format)                     # test.sh's first step: every C/C++ file as .clang-format says
  packages+=(chromium chromium-driver)         # the report rendered in headless Chromium (test_report_browser.py)
  # The real servers of the db.* probes (tests/db_test.cpp) and of the history store's PostgreSQL tests
  # (tests/history_*_test.cpp). Debian's postinst may start the system's own cluster/service; the tests
  # never use it (private instances on unix sockets in a temporary directory).
  packages+=(postgresql-15 pgbouncer mariadb-server)
fi
if [[ "${1:-}" == "--charts" ]]; then
  packages+=(python3 python3-numpy python3-matplotlib)
fi

native=$(dpkg --print-architecture)
missing=()
for p in "${packages[@]}"; do
  # Installed for this machine's architecture (or arch-independent): after scripts/build-aarch64.sh a
  # package can also be there for arm64, one line each.
  dpkg-query -W -f='${Architecture} ${db:Status-Status}\n' "$p" 2>/dev/null |
    grep -qE "^($native|all) installed$" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
