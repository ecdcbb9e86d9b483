# Cross-compiling ctxbench for aarch64 on a Debian x86-64 machine (scripts/build-aarch64.sh): Debian's cross
# compiler, and the arm64 libraries of Debian's multiarch -dev packages (/usr/lib/aarch64-linux-gnu).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# find_package/find_library search <prefix>/lib/aarch64-linux-gnu, never the x86-64 directory.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# pkg-config (libbpf) reads only the arm64 .pc files and the architecture-neutral ones.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
# What CMake runs at build time (gtest_discover_tests lists the test binary's tests) goes through qemu-user;
# binfmt_misc would do it too, this also works where binfmt_misc is not registered.
find_program(CTXBENCH_QEMU_AARCH64 qemu-aarch64-static qemu-aarch64)
if(CTXBENCH_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CTXBENCH_QEMU_AARCH64})
endif()
