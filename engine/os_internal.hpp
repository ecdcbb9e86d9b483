// What the os_*.cpp files that implement os.hpp share: the system headers of the OS layer (one block
// for all six) and a few helpers. Not part of os.hpp's interface.
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <system_error>
#include <vector>

#include "engine/probe.hpp"
#include "engine/watchdog.hpp"

namespace ctxbench::os_detail {

inline std::string errno_text(const char* what, int err) { return std::string(what) + ": " + std::strerror(err); }

[[noreturn]] inline void throw_errno(const char* what, int err = errno) { throw ProbeError(errno_text(what, err)); }

// Writes a message to stderr with write(2) only: usable in a forked child of a threaded process.
inline void child_say(const char* a, const char* b) {
  auto put = [](const char* s) {
    if (s != nullptr) {
      ssize_t r = ::write(STDERR_FILENO, s, std::strlen(s));
      (void)r;
    }
  };
  put("ctxbench child: ");
  put(a);
  put(b);
  put("\n");
}

}  // namespace ctxbench::os_detail
