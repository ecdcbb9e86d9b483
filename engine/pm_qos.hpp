// --pm-qos: hold /dev/cpu_dma_latency at 0 us for the whole run, as cyclictest does by default. The kernel
// keeps a CPU out of every idle state whose exit latency exceeds the request for as long as the file stays
// open, so cross-CPU wake-ups stop paying a deep idle exit (docs/METHODOLOGY.md, "Placements and idle
// states"). It changes the machine while ctxbench runs and nothing after: closing the file drops the request.
#pragma once

#include <string>

namespace ctxbench {

class PmQosHold {
 public:
  // Opens `path` and writes the 32-bit value 0. Never throws: when that is not possible (no such file,
  // no permission), held() is false and reason() says why, naming the file.
  explicit PmQosHold(const std::string& path = "/dev/cpu_dma_latency");
  ~PmQosHold();
  PmQosHold(const PmQosHold&) = delete;
  PmQosHold& operator=(const PmQosHold&) = delete;
  bool held() const { return fd_ >= 0; }
  const std::string& reason() const { return reason_; }

 private:
  int fd_ = -1;
  std::string reason_;
};

}  // namespace ctxbench
