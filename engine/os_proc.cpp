// What /proc and getrusage say about tasks: switch counts, resident set, the executable (os.hpp). Everything here
// either returns, throws ProbeError/ProbeSkip/Interrupted, or — in a forked child and in the signal handler — only
// calls async-signal-safe functions and _exits.
#include <dirent.h>

#include <map>

#include "engine/os.hpp"
#include "engine/os_internal.hpp"

namespace ctxbench {

using namespace os_detail;

// ---------------------------------------------------------------- context-switch counts

std::string read_small_file(const std::string& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      text.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ::close(fd);
  return text;
}

CpuTicks read_cpu_ticks() {
  const std::string text = read_small_file("/proc/stat");
  CpuTicks t;
  if (text.rfind("cpu ", 0) != 0) return t;
  const char* p = text.c_str() + 4;
  // user nice system idle iowait irq softirq steal; guest time is already inside user and nice.
  for (int i = 0; i < 8; ++i) {
    char* end = nullptr;
    const std::uint64_t v = std::strtoull(p, &end, 10);
    if (end == p) break;
    t.total += v;
    if (i == 3 || i == 4) t.idle += v;
    p = end;
  }
  return t;
}

SwitchCounts read_switch_counts(pid_t pid, pid_t tid) {
  SwitchCounts c;
  const std::string text = read_small_file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/status");
  if (text.empty()) return c;
  auto field = [&text](const char* key) -> std::uint64_t {
    const std::string k = std::string("\n") + key + ":";
    std::size_t pos = text.find(k);
    if (pos == std::string::npos) return 0;
    return std::strtoull(text.c_str() + pos + k.size(), nullptr, 10);
  };
  c.voluntary = field("voluntary_ctxt_switches");
  c.involuntary = field("nonvoluntary_ctxt_switches");
  return c;
}

SwitchCounts reaped_children_switch_counts() {
  rusage ru{};
  if (getrusage(RUSAGE_CHILDREN, &ru) != 0) throw_errno("getrusage(RUSAGE_CHILDREN)");
  return SwitchCounts{static_cast<std::uint64_t>(ru.ru_nvcsw), static_cast<std::uint64_t>(ru.ru_nivcsw)};
}

std::uint64_t resident_kib() {
  // statm: size resident shared text lib data dt, in pages.
  const std::string statm = read_small_file("/proc/self/statm");
  const std::size_t space = statm.find(' ');
  if (space == std::string::npos) return 0;
  const std::uint64_t pages = std::strtoull(statm.c_str() + space + 1, nullptr, 10);
  return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) / 1024;
}

std::uint64_t peak_resident_kib() {
  // VmHWM, the high-water mark of this address space. Not getrusage's ru_maxrss: exec keeps the old
  // address space's high-water mark there, and a process started by posix_spawn (vfork) ran on its
  // parent's, so a measuring process would report ctxbench's own peak as its own.
  const std::string status = read_small_file("/proc/self/status");
  const std::size_t at = status.find("VmHWM:");
  if (at == std::string::npos) return 0;
  return std::strtoull(status.c_str() + at + 6, nullptr, 10);
}

std::string executable_dir() {
  char buf[PATH_MAX + 1];
  ssize_t n = ::readlink("/proc/self/exe", buf, PATH_MAX);
  if (n <= 0) throw_errno("readlink(/proc/self/exe)");
  std::string path(buf, static_cast<std::size_t>(n));
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// ---------------------------------------------------------------- process trees

namespace {

pid_t parent_of(pid_t pid) {
  const std::string stat = read_small_file("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos || close + 4 >= stat.size()) return 0;
  return static_cast<pid_t>(std::atoi(stat.c_str() + close + 4));  // ") S <ppid>"
}

std::vector<pid_t> all_pids() {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    const pid_t p = static_cast<pid_t>(std::atoi(e->d_name));
    if (p > 0) out.push_back(p);
  }
  ::closedir(d);
  return out;
}

std::uint64_t kib_field_bytes(const std::string& text, const char* key) {
  const std::size_t pos = text.find(key);
  return pos == std::string::npos ? 0 : std::strtoull(text.c_str() + pos + std::strlen(key), nullptr, 10) * 1024;
}

}  // namespace

std::vector<pid_t> process_tree(const std::vector<pid_t>& roots) {
  std::vector<pid_t> tree = roots;
  std::map<pid_t, std::vector<pid_t>> children;
  for (pid_t p : all_pids()) children[parent_of(p)].push_back(p);
  for (std::size_t i = 0; i < tree.size(); ++i)
    for (pid_t c : children[tree[i]]) tree.push_back(c);
  return tree;
}

MemoryUse read_memory_use(pid_t pid) {
  const std::string rollup = read_small_file("/proc/" + std::to_string(pid) + "/smaps_rollup");
  return {kib_field_bytes(rollup, "\nRss:"), kib_field_bytes(rollup, "\nPss:")};
}

}  // namespace ctxbench
