// Baselines: what reading the clock and entering the kernel cost, so other figures can be read
// against them (the runner's own timer cost, and a mode switch that is NOT a context switch).
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engine/probe_util.hpp"
#include "probes/families.hpp"

namespace ctxbench {

static std::unique_ptr<Probe> make_baseline_clock() {
  ProbeInfo info;
  info.name = "baseline.clock";
  info.family = "baseline";
  info.op = "one clock_gettime(CLOCK_MONOTONIC) read (served by the vDSO: normally no system call)";
  info.where.kinds = {PlacementKind::None};
  info.expected_switches_per_op = 0;
  return std::make_unique<SimpleProbe>(std::move(info), [](const Placement&) {
    return make_loop_session([] {
      timespec ts;
      clock_gettime(CLOCK_MONOTONIC, &ts);  // an opaque libc call: the compiler cannot drop it
    });
  });
}

static std::unique_ptr<Probe> make_baseline_syscall() {
  ProbeInfo info;
  info.name = "baseline.syscall";
  info.family = "baseline";
  info.op =
      "one null system call, syscall(SYS_getppid): a mode switch (user -> kernel -> user) of the "
      "same task, NOT a context switch";
  info.where.kinds = {PlacementKind::None};
  info.expected_switches_per_op = 0;
  return std::make_unique<SimpleProbe>(std::move(info), [](const Placement&) {
    // syscall(2) rather than getppid(): no libc wrapper could ever cache the answer.
    return make_loop_session([] { ::syscall(SYS_getppid); });
  });
}

void add_baseline_probes(ProbeTable& table, const ProbeTableConfig&) {
  table.push_back(make_baseline_clock());
  table.push_back(make_baseline_syscall());
}

}  // namespace ctxbench
