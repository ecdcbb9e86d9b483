// ctxswitch.eventfd_uring.*, ctxswitch.pipe_uring.*, ctxswitch.msg_ring.*: the token round trip of the
// ctxswitch probes with each side waiting for a completion on its own io_uring: of a read of its eventfd or
// pipe (the other side write(2)s the token), or of a message the other side posts to its ring with
// IORING_OP_MSG_RING. Beside the blocking and epoll versions (ctxswitch_epoll.cpp) only the wait differs
// (docs/METHODOLOGY.md, "Hand-offs an event loop makes"). Compiled only where liburing is (CMakeLists.txt);
// skipped with the cause where the kernel refuses io_uring (uring_support.hpp).
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "probes/families.hpp"
#include "probes/handoff_probe.hpp"
#include "probes/token_fds.hpp"
#include "probes/uring_support.hpp"

namespace ctxbench {

namespace {

// EINTR: retry, unless a stop was requested (then report it so A can throw Interrupted).
bool retry_eintr() { return !stop_requested(); }

// A wakes at least this often to check that its partner is alive: a killed partner never sends again.
constexpr long long kAliveCheckNs = 100'000'000;
constexpr unsigned kRingEntries = 4;  // one request in flight per ring

UringFacts read_uring_facts() {
  UringFacts facts;
  facts.disabled = read_small_file("/proc/sys/kernel/io_uring_disabled");
  io_uring ring{};
  const int rc = io_uring_queue_init(kRingEntries, &ring, 0);
  if (rc < 0) {
    facts.setup_errno = -rc;
    return facts;
  }
  facts.cqe_skip = (ring.features & IORING_FEAT_CQE_SKIP) != 0;
  if (io_uring_probe* probe = io_uring_get_probe_ring(&ring)) {
    facts.msg_ring = io_uring_opcode_supported(probe, IORING_OP_MSG_RING) != 0;
    io_uring_free_probe(probe);
  }
  io_uring_queue_exit(&ring);
  return facts;
}

void skip_unless_uring_works(bool needs_msg_ring) {
  const std::string why = uring_skip_reason(read_uring_facts(), needs_msg_ring);
  if (!why.empty()) throw ProbeSkip(why);
}

// One side's ring. exit() unmaps and closes it in the calling task only: after a fork the other task's
// copy stays, which is how each task keeps just its own ring (Channel::drop).
class Ring {
 public:
  Ring() {
    const int rc = io_uring_queue_init(kRingEntries, &ring_, 0);
    if (rc < 0) throw ProbeError(std::string("io_uring_queue_init: ") + std::strerror(-rc));
    live_ = true;
  }
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  ~Ring() { exit(); }
  void exit() noexcept {
    if (live_) io_uring_queue_exit(&ring_);
    live_ = false;
  }
  io_uring* get() { return &ring_; }

 private:
  io_uring ring_{};
  bool live_ = false;
};

// Submits what is queued and waits for one completion in the same io_uring_enter: A for at most
// kAliveCheckNs (kTimedOut: the session then checks its partner), B without limit. 0 with *cqe set, else
// kTimedOut or an errno value.
int submit_and_wait_one(io_uring* ring, Side s, io_uring_cqe** cqe) noexcept {
  for (;;) {
    *cqe = nullptr;
    int rc = 0;
    if (s == Side::A) {
      __kernel_timespec ts{};
      ts.tv_nsec = kAliveCheckNs;
      rc = io_uring_submit_and_wait_timeout(ring, cqe, 1, &ts, nullptr);
    } else {
      rc = io_uring_submit_and_wait(ring, 1);
      if (rc >= 0) rc = io_uring_peek_cqe(ring, cqe);
    }
    if (rc >= 0 && *cqe != nullptr) return 0;
    if (rc == -ETIME) return kTimedOut;
    if (rc == -EINTR && !retry_eintr()) return EINTR;
    if (rc < 0 && rc != -EINTR && rc != -EAGAIN) return -rc;
  }
}

// Each side write(2)s the token to the other's descriptor and waits for an io_uring read of its own.
class UringReadChannel final : public Channel {
 public:
  explicit UringReadChannel(TokenKind kind) : kind_(kind), ends_(make_token_ends(kind, false)) {}
  int prepare(Side) noexcept override { return 0; }
  int send(Side s, const char*, std::size_t) noexcept override {
    return send_token(kind_, ends_.end[static_cast<int>(s)].send.get(), retry_eintr);
  }
  int recv(Side s, char*, std::size_t) noexcept override {
    SideState& st = side_[static_cast<int>(s)];
    io_uring* ring = st.ring.get();
    const unsigned len = static_cast<unsigned>(token_bytes(kind_));
    if (!st.pending) {  // a read that timed out (A) is still in flight: wait for it, do not queue another
      io_uring_sqe* sqe = io_uring_get_sqe(ring);
      if (sqe == nullptr) return EBUSY;
      io_uring_prep_read(sqe, ends_.end[static_cast<int>(s)].recv.get(), &st.token, len, 0);
      st.pending = true;
    }
    io_uring_cqe* cqe = nullptr;
    const int rc = submit_and_wait_one(ring, s, &cqe);
    if (rc != 0) return rc;
    const int res = cqe->res;
    io_uring_cqe_seen(ring, cqe);
    st.pending = false;
    if (res == static_cast<int>(len)) return 0;
    if (res == 0) return kPeerGone;  // EOF: the pipe's writer is gone
    return res < 0 ? -res : EIO;
  }
  void drop(Side s) noexcept override {
    const int i = static_cast<int>(s);
    side_[i].ring.exit();
    ends_.end[i].recv.reset();
    ends_.end[i].send.reset();
  }

 private:
  struct alignas(64) SideState {  // each side's own line: the two are written by two tasks
    Ring ring;
    std::uint64_t token = 0;
    bool pending = false;
  };
  TokenKind kind_;
  TokenEnds ends_;
  SideState side_[2];
};

// Each side posts a completion to the other's ring (IORING_OP_MSG_RING) and waits for one on its own.
class MsgRingChannel final : public Channel {
 public:
  MsgRingChannel() {
    for (int i = 0; i < 2; ++i) {
      // The sender's own descriptor of the other's ring: the target outlives the other side's drop.
      target_[i] = UniqueFd(::fcntl(side_[1 - i].ring.get()->ring_fd, F_DUPFD_CLOEXEC, 0));
      if (!target_[i]) throw ProbeError(std::string("dup ring fd: ") + std::strerror(errno));
    }
  }
  int prepare(Side) noexcept override { return 0; }
  int send(Side s, const char*, std::size_t) noexcept override {
    const int i = static_cast<int>(s);
    io_uring* ring = side_[i].ring.get();
    io_uring_sqe* sqe = io_uring_get_sqe(ring);
    if (sqe == nullptr) return EBUSY;
    io_uring_prep_msg_ring(sqe, target_[i].get(), 0, kToken, 0);
    io_uring_sqe_set_data64(sqe, kOwnSend);
    // No completion of its own on success: the sender's ring only ever holds tokens (or a failed send).
    io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
    for (;;) {
      const int rc = io_uring_submit(ring);
      if (rc >= 0) return 0;
      if (rc == -EINTR && retry_eintr()) continue;
      return -rc;
    }
  }
  int recv(Side s, char*, std::size_t) noexcept override {
    io_uring* ring = side_[static_cast<int>(s)].ring.get();
    io_uring_cqe* cqe = nullptr;
    const int rc = submit_and_wait_one(ring, s, &cqe);
    if (rc != 0) return rc;
    const std::uint64_t data = cqe->user_data;
    const int res = cqe->res;
    io_uring_cqe_seen(ring, cqe);
    if (data == kToken) return 0;
    return res < 0 ? -res : EIO;  // the completion of its own MSG_RING that failed
  }
  void drop(Side s) noexcept override {
    const int i = static_cast<int>(s);
    side_[i].ring.exit();
    target_[i].reset();
  }

 private:
  static constexpr std::uint64_t kToken = 1, kOwnSend = 2;
  struct alignas(64) SideState {
    Ring ring;
  };
  SideState side_[2];
  UniqueFd target_[2];  // target_[i]: side i's descriptor of the other side's ring
};

HandoffKind read_handoff(TokenKind kind) {
  HandoffKind h;
  h.key = std::string(kind == TokenKind::Eventfd ? "eventfd" : "pipe") + "_uring";
  h.token_bytes = token_bytes(kind);
  h.how = std::string("each side writes a token to ") + token_text(kind) +
          " with write(2) and waits on its own io_uring for an io_uring read of its own descriptor, queued and "
          "awaited in one io_uring_enter (the empty descriptor arms io_uring's poll; the write completes the "
          "read): write + io_uring_enter per hand-off";
  h.make = [kind] {
    skip_unless_uring_works(false);
    return std::unique_ptr<Channel>(std::make_unique<UringReadChannel>(kind));
  };
  return h;
}

HandoffKind msg_ring_handoff() {
  HandoffKind h;
  h.key = "msg_ring";
  h.token_bytes = sizeof(std::uint64_t);
  h.how =
      "each side posts a completion to the other's io_uring with IORING_OP_MSG_RING (one io_uring_enter to "
      "submit; IOSQE_CQE_SKIP_SUCCESS: no completion of its own) and waits in io_uring_enter for one on its "
      "own ring: no descriptor read, no data copied, 2 io_uring_enter per hand-off";
  h.make = [] {
    skip_unless_uring_works(true);
    return std::unique_ptr<Channel>(std::make_unique<MsgRingChannel>());
  };
  return h;
}

}  // namespace

void add_ctxswitch_uring_probes(ProbeTable& table, const ProbeTableConfig&) {
  for (const HandoffKind& h : {read_handoff(TokenKind::Eventfd), read_handoff(TokenKind::Pipe), msg_ring_handoff()}) {
    table.push_back(make_handoff_probe(h, true));
    table.push_back(make_handoff_probe(h, false));
  }
}

}  // namespace ctxbench
