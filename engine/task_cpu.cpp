#include "engine/task_cpu.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "engine/os.hpp"

namespace ctxbench {

int parse_stat_processor(const std::string& text) {
  const auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  // After ") " comes field 3 (state); field 39 is 36 separators further on.
  std::size_t pos = close + 1;
  for (int field = 3; field <= 39; ++field) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) return -1;
    if (field == 39) {
      char* end = nullptr;
      const long v = std::strtol(text.c_str() + pos, &end, 10);
      if (end == text.c_str() + pos || v < 0 || v > (1 << 20)) return -1;
      return static_cast<int>(v);
    }
    while (pos < text.size() && text[pos] != ' ') ++pos;
  }
  return -1;
}

TaskCpuReader::TaskCpuReader(const std::vector<TaskId>& tasks) {
  const pid_t me = gettid_now();
  for (const TaskId& t : tasks) {
    const bool self = t.tid == me;
    int fd = -1;
    if (!self) {
      const std::string path = "/proc/" + std::to_string(t.pid) + "/task/" + std::to_string(t.tid) + "/stat";
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    }
    fds_.push_back(fd);
    self_.push_back(self);
  }
}

TaskCpuReader::~TaskCpuReader() {
  for (int fd : fds_)
    if (fd >= 0) ::close(fd);
}

int TaskCpuReader::cpu(std::size_t i) const {
  if (i >= fds_.size()) return -1;
  if (self_[i]) return current_cpu();
  if (fds_[i] < 0) return -1;
  char buf[1024];
  ssize_t n;
  do {
    n = ::pread(fds_[i], buf, sizeof buf - 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return -1;  // ESRCH once the task has exited
  return parse_stat_processor(std::string(buf, static_cast<std::size_t>(n)));
}

}  // namespace ctxbench
