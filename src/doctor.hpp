// `ctxbench doctor [--root DIR]`: the machine check (analysis/doctor.hpp). Exit 0 ready, 1 findings,
// 2 bad usage. --root reads a fixture tree instead of / (tests) and then samples no steal.
#pragma once

#include <string>
#include <vector>

namespace ctxbench {

int doctor_main(const std::vector<std::string>& args);

}  // namespace ctxbench
