// --explain's traced pass (docs/METHODOLOGY.md, "Where the time went"): after a record's timed
// repetitions, the same probe and placement run again in a fresh measuring process with the kernel tracer
// armed, as single timed ops; the events and the op windows become the record's `explain`. The timed
// samples never see the tracer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "analysis/record.hpp"
#include "engine/explain/kernel_tracer.hpp"
#include "engine/probe_host.hpp"

namespace ctxbench {

// The traced ops of a second pass when the first, of `ops` ops, kept `kept` events and lost `lost` (the ring
// buffer was full): the share of the ops the buffer held, less a fifth; 0 (no second pass) below
// kMinOpsAfterLoss, or when that is not fewer than `ops`.
inline constexpr std::uint64_t kMinOpsAfterLoss = 20;
std::uint64_t traced_ops_after_loss(std::uint64_t ops, std::uint64_t kept, std::uint64_t lost);

class ExplainPass {
 public:
  // Loads the tracer once for the run; when it cannot, every explainable record says why instead.
  // `tail_quantile`: the slowest fraction of the traced ops the tail explains (--explain-tail).
  ExplainPass(bool quick, double tail_quantile);
  // "" when tracing works, else the exact reason it does not.
  const std::string& unavailable() const { return unavailable_; }
  // Runs the traced pass for `record` (measured by `timed`) when its probe is explainable.
  void explain(const HostRequest& timed, const ProbeInfo& info, Record& record);

 private:
  std::unique_ptr<KernelTracer> tracer_;
  std::string unavailable_;
  std::uint64_t traced_ops_;
  double tail_quantile_;
};

}  // namespace ctxbench
