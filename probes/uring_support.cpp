// The io_uring verdict (uring_support.hpp). Pure: no syscalls, so it is tested on literal facts.
#include "probes/uring_support.hpp"

#include <errno.h>

#include <cstring>

namespace ctxbench {

namespace {

std::string trimmed(const std::string& s) {
  const std::size_t end = s.find_last_not_of(" \t\n");
  return end == std::string::npos ? std::string() : s.substr(0, end + 1);
}

}  // namespace

std::string uring_skip_reason(const UringFacts& facts, bool needs_msg_ring) {
  const std::string disabled = trimmed(facts.disabled);
  if (disabled == "2") return "io_uring is disabled on this machine (/proc/sys/kernel/io_uring_disabled = 2)";
  if (facts.setup_errno == ENOSYS) return "this kernel has no io_uring (io_uring_setup: ENOSYS)";
  if (facts.setup_errno == EPERM) {
    if (disabled == "1")
      return "io_uring is limited to the kernel.io_uring_group group and this user is outside it "
             "(/proc/sys/kernel/io_uring_disabled = 1; io_uring_setup: EPERM)";
    return "io_uring_setup is refused (EPERM: a seccomp filter, e.g. a container's default profile)";
  }
  if (facts.setup_errno != 0) return std::string("io_uring_setup failed: ") + std::strerror(facts.setup_errno);
  if (needs_msg_ring && !facts.msg_ring) return "this kernel's io_uring has no IORING_OP_MSG_RING (Linux 5.18+)";
  if (needs_msg_ring && !facts.cqe_skip)
    return "this kernel's io_uring has no IOSQE_CQE_SKIP_SUCCESS (IORING_FEAT_CQE_SKIP, Linux 5.17+)";
  return "";
}

}  // namespace ctxbench
