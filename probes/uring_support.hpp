// Whether this machine can run the io_uring hand-offs (ctxswitch_uring.cpp), and if not, why: the facts
// are read there; the verdict is a pure function of them, so tests hand it the facts of a machine where
// io_uring is disabled instead of changing the sysctl.
#pragma once

#include <string>

namespace ctxbench {

struct UringFacts {
  // /proc/sys/kernel/io_uring_disabled as read ("" when absent: kernels before 6.6 have no such switch).
  std::string disabled;
  // errno of setting up a ring (io_uring_queue_init), 0 when one could be made.
  int setup_errno = 0;
  bool msg_ring = false;  // IORING_OP_MSG_RING is supported (io_uring_get_probe): Linux 5.18+
  bool cqe_skip = false;  // IOSQE_CQE_SKIP_SUCCESS (IORING_FEAT_CQE_SKIP): Linux 5.17+
};

// The skip reason, naming the cause, or "" when the probe can run. `needs_msg_ring`: the MSG_RING probe.
std::string uring_skip_reason(const UringFacts& facts, bool needs_msg_ring);

}  // namespace ctxbench
