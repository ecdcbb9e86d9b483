// --keep-awake: one SCHED_IDLE busy-loop process per CPU a probe uses, so no CPU the probe hands work
// to ever enters an idle state (on a VM: a HLT that exits to the host). A cross-CPU figure measured this
// way excludes the idle-state exit and shows the wake-up itself. SCHED_IDLE means the spinner runs only
// when nothing else wants the CPU: a woken probe task preempts it at once.
#pragma once

#include <sys/types.h>

#include <vector>

#include "engine/os.hpp"

namespace ctxbench {

class KeepAwake {
 public:
  KeepAwake() = default;
  // Forks one spinner pinned to each CPU (Child: dies with ctxbench, killed and reaped by the
  // destructor). Throws ProbeSkip for a CPU outside the mask, ProbeError when fork or SCHED_IDLE fails.
  explicit KeepAwake(const std::vector<int>& cpus);
  KeepAwake(KeepAwake&&) noexcept = default;
  KeepAwake& operator=(KeepAwake&&) noexcept = default;
  ~KeepAwake() = default;  // each Child SIGKILLs and reaps its spinner
  std::vector<pid_t> pids() const;
  const std::vector<int>& cpus() const { return cpus_; }

 private:
  std::vector<int> cpus_;
  std::vector<Child> spinners_;
};

}  // namespace ctxbench
