// The server's own accounting, taken by its main thread on request. Dead tasks are in getrusage (threads
// in RUSAGE_SELF, reaped children in RUSAGE_CHILDREN); live children are read from /proc, so a child
// that exits between two snapshots moves from one source to the other without being lost.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "probes/server/server.hpp"

namespace ctxbench::server {

namespace {

std::uint64_t timeval_ns(const timeval& tv) {
  return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000'000ULL + static_cast<std::uint64_t>(tv.tv_usec) * 1000ULL;
}

void add_rusage(Accounting& a, int who) {
  rusage ru{};
  if (::getrusage(who, &ru) != 0) return;
  a.user_ns += timeval_ns(ru.ru_utime);
  a.sys_ns += timeval_ns(ru.ru_stime);
  a.cpu_ns += timeval_ns(ru.ru_utime) + timeval_ns(ru.ru_stime);
  a.voluntary += static_cast<std::uint64_t>(ru.ru_nvcsw);
  a.involuntary += static_cast<std::uint64_t>(ru.ru_nivcsw);
}

// A live single-threaded child: CPU time in ns from schedstat (the exact total); the user/system split
// only exists in clock ticks (stat fields 14 and 15), which stay monotonic, so they are taken as such.
void add_live_child(Accounting& a, pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  const std::string schedstat = read_small_file(dir + "/schedstat");
  const std::string stat = read_small_file(dir + "/stat");
  if (schedstat.empty() || stat.empty()) return;  // exited meanwhile: counted once it is reaped
  a.cpu_ns += std::strtoull(schedstat.c_str(), nullptr, 10);
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const std::size_t close = stat.rfind(')');
  if (close != std::string::npos && close + 2 < stat.size()) {
    const char* p = stat.c_str() + close + 2;
    for (int field = 3; field < 14 && p != nullptr; ++field) {
      p = std::strchr(p, ' ');
      if (p != nullptr) ++p;
    }
    if (p != nullptr) {
      static const double ns_per_tick = 1e9 / static_cast<double>(::sysconf(_SC_CLK_TCK));
      char* end = nullptr;
      a.user_ns += static_cast<std::uint64_t>(std::strtod(p, &end) * ns_per_tick);
      a.sys_ns += static_cast<std::uint64_t>(std::strtod(end, nullptr) * ns_per_tick);
    }
  }
  const SwitchCounts sw = read_switch_counts(pid, pid);
  a.voluntary += sw.voluntary;
  a.involuntary += sw.involuntary;
}

void add_memory(Accounting& a, pid_t pid) {
  const MemoryUse use = read_memory_use(pid);
  a.rss_bytes += use.rss_bytes;
  a.pss_bytes += use.pss_bytes;
}

std::uint64_t own_threads() {
  const std::string text = read_small_file("/proc/self/status");
  const std::size_t pos = text.find("\nThreads:");
  return pos == std::string::npos ? 1 : std::strtoull(text.c_str() + pos + 9, nullptr, 10);
}

}  // namespace

Accounting take_accounting(bool closing, Handler& handler, Children& children) {
  children.reap();
  Accounting a;
  auto own_counters = [&] {
    a.requests = handler.counters().total();
    a.accepted = handler.counters().accepted();
    add_rusage(a, RUSAGE_SELF);
    add_rusage(a, RUSAGE_CHILDREN);
  };
  if (closing) own_counters();
  for (pid_t pid : children.live) add_live_child(a, pid);
  if (!closing) own_counters();
  a.tasks = own_threads() + children.live.size();
  if (closing) {
    add_memory(a, ::getpid());
    for (pid_t pid : children.live) add_memory(a, pid);
  }
  return a;
}

}  // namespace ctxbench::server
