// The ONE explicit table of every probe ctxbench has. Order here is run order and --list order.
#pragma once

#include <memory>
#include <vector>

#include "probes/probe.hpp"

namespace ctxbench {

const std::vector<std::unique_ptr<Probe>>& probe_registry();

}  // namespace ctxbench
