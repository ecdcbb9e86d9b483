// Reads the /proc and /sys files the machine block is parsed from (analysis/machine.hpp), under a root
// directory so tests can point it at a fixture tree (tests/fixtures/machine/...).
#pragma once

#include <map>
#include <string>

namespace ctxbench {

// Same alias as analysis/machine.hpp: relative path -> content; directory listings under "<dir>/".
using FileSnapshot = std::map<std::string, std::string>;

// Reads every file parse_machine() uses, relative to `root` ("/" on a real run). Never throws for a
// missing file; the entry is simply absent.
FileSnapshot read_machine_files(const std::string& root);

}  // namespace ctxbench
