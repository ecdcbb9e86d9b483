// The probe table the unit tests iterate: the default server sweep, no test.* probes. Built once per test
// binary so that references into it (probe_named) stay valid.
#pragma once

#include "probes/registry.hpp"

namespace ctxbench {

inline const ProbeTable& default_probe_table() {
  static const ProbeTable table = build_probe_table({});
  return table;
}

}  // namespace ctxbench
