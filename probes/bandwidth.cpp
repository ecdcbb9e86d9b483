// bw.<pipe|unix_stream|shm_ring>/size:N: bandwidth, bytes per second, by message size (4 KiB ... 1 MiB),
// one process writing and its forked child reading. One op is one N-byte message written by A and read
// in full by B; the record's unit is B/s (the runner's ns per op stay the samples; reporters show N x 1e9 / ns).
// A batch ends only when B has read everything A wrote in it (B counts bytes in shared memory), so no
// data is left in a buffer when the batch is timed.
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "engine/partner.hpp"
#include "engine/probe_util.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

constexpr std::uint32_t kRingBytes = 1u << 20;  // the shm ring: 1 MiB of data, a power of two

struct BwShared {
  alignas(64) std::atomic<std::uint64_t> consumed{0};  // bytes B has read (written by B only)
  alignas(64) std::atomic<std::uint32_t> head{0};      // shm ring: bytes written, mod 2^32 (by A only)
  alignas(64) std::atomic<std::uint32_t> tail{0};      // shm ring: bytes read, mod 2^32 (by B only)
  alignas(64) std::atomic<std::uint32_t> stop{0};
  alignas(64) char ring[kRingBytes];
};

enum class Medium { Pipe, UnixStream, ShmRing };

// B for pipe and socket: read whatever arrives, count it, until EOF.
int fd_reader(int fd, BwShared* sh, char* buf, std::size_t len) noexcept {
  for (;;) {
    const ssize_t n = ::read(fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n == 0 ? 0 : 1;
    sh->consumed.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_release);
  }
}

// B for the shm ring: copy out whatever is there; yield the CPU while the ring is empty.
int ring_reader(BwShared* sh, char* buf, std::size_t len) noexcept {
  for (;;) {
    const std::uint32_t t = sh->tail.load(std::memory_order_relaxed);
    const std::uint32_t avail = sh->head.load(std::memory_order_acquire) - t;
    if (avail == 0) {
      if (sh->stop.load(std::memory_order_relaxed) != 0) return 0;
      ::sched_yield();
      continue;
    }
    const std::uint32_t off = t & (kRingBytes - 1);
    std::uint32_t chunk = std::min<std::uint32_t>(avail, kRingBytes - off);
    chunk = std::min<std::uint32_t>(chunk, static_cast<std::uint32_t>(len));
    std::memcpy(buf, sh->ring + off, chunk);
    sh->tail.store(t + chunk, std::memory_order_release);
    sh->consumed.fetch_add(chunk, std::memory_order_release);
  }
}

class BandwidthSession final : public Session {
 public:
  BandwidthSession(Medium medium, std::size_t size, int cpu)
      : medium_(medium),
        size_(size),
        mapping_(sizeof(BwShared)),
        sh_(new (mapping_.get()) BwShared),
        a_buf_(new char[size]),
        b_buf_(new char[size]),
        caller_(this_task()) {
    std::memset(a_buf_.get(), 'b', size);
    BwShared* sh = sh_;
    char* b_buf = b_buf_.get();
    if (medium == Medium::ShmRing) {
      partner_ = Partner::process(cpu, [sh, b_buf, size] { return ring_reader(sh, b_buf, size); });
    } else {
      int rd = -1, wr = -1;
      if (medium == Medium::Pipe) {
        Pipe p = make_pipe();
        rd = p.read_end.release();
        wr = p.write_end.release();
      } else {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
          throw ProbeError(std::string("socketpair: ") + std::strerror(errno));
        rd = sv[1];
        wr = sv[0];
      }
      UniqueFd read_end(rd);
      write_ = UniqueFd(wr);
      const int a_fd = wr;
      partner_ = Partner::process(
          cpu, [rd, sh, b_buf, size] { return fd_reader(rd, sh, b_buf, size); }, Partner::closing({a_fd}));
    }
  }
  ~BandwidthSession() override {
    sh_->stop.store(1, std::memory_order_relaxed);
    write_.reset();
    partner_.stop();
  }

  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    OpGuard guard(broken_);
    for (std::uint64_t i = 0; i < n; ++i) {
      if (medium_ == Medium::ShmRing)
        ring_write();
      else
        write_all(write_.get(), a_buf_.get(), size_);
      sent_ += size_;
    }
    // The batch is over when B has read it all: yield to B (same CPU) or spin briefly (other CPU).
    std::uint64_t spins = 0;
    while (sh_->consumed.load(std::memory_order_acquire) < sent_) {
      ::sched_yield();
      if (++spins % 1024 == 0) check_partner();
    }
    guard.done();
  }
  std::vector<TaskId> tasks() const override { return {caller_, partner_.task()}; }

 private:
  void ring_write() {
    std::size_t done = 0;
    std::uint64_t spins = 0;
    while (done < size_) {
      const std::uint32_t h = sh_->head.load(std::memory_order_relaxed);
      const std::uint32_t space = kRingBytes - (h - sh_->tail.load(std::memory_order_acquire));
      if (space == 0) {
        ::sched_yield();
        if (++spins % 1024 == 0) check_partner();
        continue;
      }
      const std::uint32_t off = h & (kRingBytes - 1);
      std::size_t chunk = std::min<std::size_t>({static_cast<std::size_t>(space), kRingBytes - off, size_ - done});
      std::memcpy(sh_->ring + off, a_buf_.get() + done, chunk);
      sh_->head.store(h + static_cast<std::uint32_t>(chunk), std::memory_order_release);
      done += chunk;
    }
  }
  void check_partner() {
    throw_if_stopped();
    if (partner_.exited()) throw ProbeError("partner exited");
  }

  Medium medium_;
  std::size_t size_;
  SharedMapping mapping_;
  BwShared* sh_;
  std::unique_ptr<char[]> a_buf_, b_buf_;
  TaskId caller_;
  UniqueFd write_;
  Partner partner_;
  std::uint64_t sent_ = 0;
  bool broken_ = false;
};

std::string size_text(std::size_t bytes) {
  if (bytes >= (1u << 20)) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes >> 10) + " KiB";
}

}  // namespace

void add_bandwidth_probes(ProbeTable& table, const ProbeTableConfig&) {
  struct Kind {
    Medium medium;
    const char* key;
    const char* how;
  };
  const Kind kinds[] = {
      {Medium::Pipe, "pipe", "a pipe (write(2) of the whole message; B read(2)s into a buffer of the same size)"},
      {Medium::UnixStream, "unix_stream",
       "a socketpair(AF_UNIX, SOCK_STREAM) (write(2) of the whole message; B read(2)s into a buffer of the "
       "same size)"},
      {Medium::ShmRing, "shm_ring",
       "a 1 MiB byte ring in MAP_SHARED memory (memcpy in, memcpy out; a side that finds the ring full or "
       "empty calls sched_yield)"},
  };
  for (const Kind& k : kinds) {
    for (std::size_t size : {std::size_t{4} << 10, std::size_t{16} << 10, std::size_t{64} << 10, std::size_t{256} << 10,
                             std::size_t{1} << 20}) {
      ProbeInfo info;
      info.name = std::string("bw.") + k.key + "/size:" + std::to_string(size);
      info.family = "bw";
      info.params = {{"size", std::to_string(size)}};
      info.op = "bytes per second through " + std::string(k.how) + " from a process to its forked child, " +
                size_text(size) +
                " messages: one op is one message written by A and read in full by B "
                "(a timed batch ends when B has read all of it)";
      info.unit = "B/s";
      info.measure = Measure::Bandwidth;
      info.bytes_per_op = static_cast<double>(size);
      info.where.kinds = {PlacementKind::SameCpu, PlacementKind::CrossCpu};
      info.suites = size == (std::size_t{64} << 10) && k.medium != Medium::UnixStream
                        ? std::vector<std::string>{"default", "bw"}
                        : std::vector<std::string>{"bw"};
      const Medium medium = k.medium;
      table.push_back(std::make_unique<SimpleProbe>(
          std::move(info), [medium, size](const Placement& p) -> std::unique_ptr<Session> {
            return std::make_unique<BandwidthSession>(medium, size, partner_cpu(p));
          }));
    }
  }
}

}  // namespace ctxbench
