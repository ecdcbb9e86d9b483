// Helpers shared by the os_*.cpp files that implement os.hpp; not part of its interface.
#pragma once

#include <errno.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/probe.hpp"

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

inline std::string cpu_list_text(const std::vector<int>& cpus) {
  // Compact "0-3,6" ranges: a 256-CPU mask stays readable in an error message.
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += '-' + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out.empty() ? "none" : out;
}

}  // namespace ctxbench::os_detail
