// The clock, thread ids and CPU affinity (os.hpp). Everything here either returns, throws
// ProbeError/ProbeSkip/Interrupted, or — in a forked child and in the signal handler — only calls async-signal-safe
// functions and _exits.
#include "engine/os.hpp"
#include "engine/os_internal.hpp"

namespace ctxbench {

using namespace os_detail;

std::string cpu_list_text(const std::vector<int>& cpus) {
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

std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

pid_t gettid_now() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

// ---------------------------------------------------------------- affinity

namespace {

// The affinity mask of the process as first seen. Sized dynamically: machines with more CPUs than
// CPU_SETSIZE (1024) exist, and sched_getaffinity fails with EINVAL when the buffer is too small.
struct StartMask {
  cpu_set_t* set = nullptr;
  std::size_t bytes = 0;
  std::vector<int> cpus;
  int error = 0;

  StartMask() {
    for (int ncpu = 1024; ncpu <= (1 << 22); ncpu *= 2) {
      cpu_set_t* s = CPU_ALLOC(ncpu);
      if (s == nullptr) {
        error = ENOMEM;
        return;
      }
      std::size_t b = CPU_ALLOC_SIZE(ncpu);
      CPU_ZERO_S(b, s);
      if (sched_getaffinity(0, b, s) == 0) {
        set = s;
        bytes = b;
        for (int c = 0; c < ncpu; ++c) {
          if (CPU_ISSET_S(c, b, s)) cpus.push_back(c);
        }
        return;
      }
      error = errno;
      CPU_FREE(s);
      if (error != EINVAL) return;
    }
  }
  ~StartMask() {
    if (set != nullptr) CPU_FREE(set);
  }
};

const StartMask& start_mask() {
  static const StartMask m;  // thread-safe first-call initialisation
  return m;
}

}  // namespace

std::vector<int> allowed_cpus() {
  const StartMask& m = start_mask();
  if (m.set == nullptr) throw_errno("sched_getaffinity", m.error);
  return m.cpus;
}

void pin_to_cpu(int cpu) {
  const std::vector<int> cpus = allowed_cpus();
  bool allowed = false;
  for (int c : cpus) allowed = allowed || c == cpu;
  if (!allowed) {
    throw ProbeSkip("CPU " + std::to_string(cpu) +
                    " is not in this process's affinity mask (allowed: " + cpu_list_text(cpus) + ")");
  }
  cpu_set_t* s = CPU_ALLOC(cpu + 1);
  if (s == nullptr) throw_errno("CPU_ALLOC", ENOMEM);
  std::size_t b = CPU_ALLOC_SIZE(cpu + 1);
  CPU_ZERO_S(b, s);
  CPU_SET_S(cpu, b, s);
  int rc = sched_setaffinity(0, b, s);
  int err = errno;
  CPU_FREE(s);
  if (rc != 0) {
    // EINVAL: the CPU went offline or a cpuset shrank since start-up; the probe cannot run as asked.
    if (err == EINVAL) throw ProbeSkip("cannot pin to CPU " + std::to_string(cpu) + ": " + std::strerror(err));
    throw_errno("sched_setaffinity", err);
  }
}

void unpin() {
  const StartMask& m = start_mask();
  if (m.set == nullptr) throw_errno("sched_getaffinity", m.error);
  if (sched_setaffinity(0, m.bytes, m.set) != 0) throw_errno("sched_setaffinity (unpin)");
}

int current_cpu() { return sched_getcpu(); }

}  // namespace ctxbench
