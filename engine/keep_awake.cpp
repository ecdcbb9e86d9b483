#include "engine/keep_awake.hpp"

#include <sched.h>

#include <cstdint>

#include "engine/probe.hpp"

namespace ctxbench {

namespace {

// The spinner: SCHED_IDLE, then a loop with a compiler barrier (an empty infinite loop is undefined
// behaviour in C++ and may be removed). It never returns; its owner SIGKILLs it.
int spin() noexcept {
  sched_param param{};
  param.sched_priority = 0;
  if (::sched_setscheduler(0, SCHED_IDLE, &param) != 0) return 3;
  for (;;) asm volatile("" ::: "memory");
}

}  // namespace

KeepAwake::KeepAwake(const std::vector<int>& cpus) : cpus_(cpus) {
  for (int cpu : cpus) spinners_.push_back(Child::spawn([] { return spin(); }, cpu));
  // Return only once every spinner runs as SCHED_IDLE: then the probe's first batch already sees busy
  // CPUs, and a spinner that could not switch policy is an error, not a silent no-op.
  for (Child& c : spinners_) {
    const std::uint64_t give_up = now_ns() + 2'000'000'000ULL;
    for (;;) {
      if (::sched_getscheduler(c.pid()) == SCHED_IDLE) break;
      if (c.exited() || now_ns() > give_up) throw ProbeError("--keep-awake: a spinner could not switch to SCHED_IDLE");
      throw_if_stopped();
      ::sched_yield();
    }
  }
}

std::vector<pid_t> KeepAwake::pids() const {
  std::vector<pid_t> out;
  for (const Child& c : spinners_) out.push_back(c.pid());
  return out;
}

}  // namespace ctxbench
