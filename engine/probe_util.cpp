#include "engine/probe_util.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ctxbench {

std::unique_ptr<Session> SimpleProbe::start(const Placement& placement) const {
  for (const auto& [kind, reason] : info_.where.skipped) {
    if (kind == placement.kind) throw ProbeSkip(reason);
  }
  bool listed = false;
  for (PlacementKind k : info_.where.kinds) listed = listed || k == placement.kind;
  if (!listed) throw ProbeError(info_.name + ": placement not supported by this probe");
  if (placement.kind == PlacementKind::SameCpu && (placement.cpu_a < 0 || placement.cpu_b != placement.cpu_a)) {
    throw ProbeError(info_.name + ": same-cpu placement needs cpu_a == cpu_b >= 0");
  }
  if (placement.kind == PlacementKind::CrossCpu &&
      (placement.cpu_a < 0 || placement.cpu_b < 0 || placement.cpu_a == placement.cpu_b)) {
    throw ProbeError(info_.name + ": cross-cpu placement needs two different CPUs");
  }
  return start_(placement);
}

int partner_cpu(const Placement& placement) {
  switch (placement.kind) {
    case PlacementKind::SameCpu:
    case PlacementKind::CrossCpu:
      return placement.cpu_b;
    case PlacementKind::Unpinned:
    case PlacementKind::None:
      break;
  }
  return -1;
}

TaskId this_task() { return TaskId{getpid(), gettid_now()}; }

OpGuard::OpGuard(bool& broken) : broken_(broken) {
  if (broken_) throw ProbeError("session unusable: an earlier op failed half-way");
  broken_ = true;
}

void throw_probe_errno(const std::string& what) { throw ProbeError(what + ": " + std::strerror(errno)); }

}  // namespace ctxbench
