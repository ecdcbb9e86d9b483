#!/usr/bin/env bash
# Cross-builds ctxbench for aarch64 on a Debian 12 x86-64 machine into build-aarch64/ (README.md, "On
# aarch64"), and makes the machine run what it built: qemu-user through binfmt_misc, so
# ./build-aarch64/ctxbench runs like a native program, and so do the helpers it execs.
#   scripts/build-aarch64.sh              install what is missing, configure, build everything
#   scripts/build-aarch64.sh TARGET...    the same, building only these targets (e.g. ctxbench ctxbench_tests)
# Installs only what is missing (sudo when not root): the arm64 architecture in dpkg, the cross compiler,
# qemu-user-static, and the arm64 -dev packages of ctxbench's libraries (Debian's multiarch packages).
# A library Debian cannot install for arm64 beside the amd64 one (libpq-dev: not Multi-Arch) turns its
# optional part off, said on stderr and by CMake: never silently.
# Figures from this build under qemu-user are not aarch64's figures: the run says it is emulated
# (docs/METHODOLOGY.md, "Emulated runs").
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${CTXBENCH_AARCH64_DIR:-build-aarch64}

# Root only for what is missing: a machine already set up builds as any user.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "build-aarch64: need root or sudo to run: $*" >&2
    exit 1
  fi
}
export DEBIAN_FRONTEND=noninteractive

installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]; }

updated=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "build-aarch64: adding the arm64 architecture to dpkg (multiarch)" >&2
  as_root dpkg --add-architecture arm64
  as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  updated=1
fi

# Host tools (amd64) and the arm64 libraries the required parts of ctxbench link.
packages=(cmake pkg-config g++-aarch64-linux-gnu qemu-user-static binfmt-support file)
packages+=(clang bpftool)  # --explain's BPF object is architecture-neutral bytecode: host tools build it
packages+=(nlohmann-json3-dev libfmt-dev:arm64 libgtest-dev:arm64 libbenchmark-dev:arm64 libbpf-dev:arm64)
packages+=(libsqlite3-dev:arm64)
packages+=(liburing-dev:arm64)  # the io_uring hand-offs (probes/ctxswitch_uring.cpp)
missing=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
if ((${#missing[@]} > 0)); then
  echo "build-aarch64: installing ${missing[*]}" >&2
  ((updated)) || as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  updated=1
  as_root apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Optional: `history --store postgresql://` needs libpq. Debian's libpq-dev is not Multi-Arch, so its arm64
# package would replace the amd64 one the native build needs: asked first (apt-get -s), never forced.
cmake_args=()
if installed libpq-dev:arm64; then
  :
elif plan=$(apt-get install -s -qq --no-install-recommends libpq-dev:arm64 2>&1) && grep -q '^Remv' <<<"$plan"; then
  echo "build-aarch64: libpq-dev:arm64 would remove the amd64 libpq-dev (not Multi-Arch): the aarch64 build" \
    "leaves out the PostgreSQL results store (CTXBENCH_POSTGRES=OFF; SQLite stores work)" >&2
  cmake_args+=(-DCTXBENCH_POSTGRES=OFF)
elif ! as_root apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-remove --no-install-recommends \
  libpq-dev:arm64 >/dev/null 2>&1; then
  echo "build-aarch64: libpq-dev:arm64 cannot be installed: the aarch64 build leaves out the PostgreSQL" \
    "results store (CTXBENCH_POSTGRES=OFF; SQLite stores work)" >&2
  cmake_args+=(-DCTXBENCH_POSTGRES=OFF)
fi

# binfmt_misc: the kernel hands an aarch64 ELF to qemu-aarch64-static. In a container or a machine without
# systemd-binfmt nothing registers it at boot, so it is done here: mount the filesystem, then enable
# Debian's entry (update-binfmts), else register the line from /usr/lib/binfmt.d. Flag F (fix binary):
# the kernel keeps the interpreter open, so exec'd aarch64 programs run in any mount namespace.
binfmt=/proc/sys/fs/binfmt_misc
if [[ ! -e $binfmt/register ]]; then
  as_root mount -t binfmt_misc binfmt_misc "$binfmt"
fi
if [[ ! -e $binfmt/qemu-aarch64 ]]; then
  as_root update-binfmts --enable qemu-aarch64 2>/dev/null || true
fi
if [[ ! -e $binfmt/qemu-aarch64 && -f /usr/lib/binfmt.d/qemu-aarch64.conf ]]; then
  grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf | as_root tee "$binfmt/register" >/dev/null
fi
[[ -e $binfmt/qemu-aarch64 ]] || { echo "build-aarch64: could not register qemu-aarch64 in $binfmt" >&2; exit 1; }

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
# --no-warn-unused-cli: on a configured tree CMake ignores the toolchain file it already read, and says so.
cmake --no-warn-unused-cli -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release \
  "${launcher[@]}" "${cmake_args[@]}" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$dir" -j"$(nproc)" "${targets[@]}"
file -L "$dir/ctxbench" >&2
