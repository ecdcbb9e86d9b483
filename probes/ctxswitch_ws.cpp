// Direct vs indirect context-switch cost: the working-set sweep (lmbench lat_ctx -s; Li, Ding & Shen
// 2007). Two processes on one CPU pass a byte through pipes and each reads its own W-byte array between
// hand-offs, so every switch also costs the refill of the cache the other task evicted. The one-task
// probe does the same pipe write+read and the same W-byte read alone; the derived per-switch figure
// subtracts it twice (analysis/derived.cpp), leaving the switch plus what it does to the caches.
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/partner.hpp"
#include "engine/probe_util.hpp"
#include "probes/byte_relay.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

constexpr std::size_t kLine = 64;

// W bytes of private anonymous memory, filled with non-zero bytes: never-written anonymous pages all
// map the one zero page, which would take no cache at all.
class WorkingSet {
 public:
  explicit WorkingSet(std::size_t bytes) : bytes_(bytes) {
    if (bytes_ == 0) return;
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw ProbeError(std::string("mmap working set: ") + std::strerror(errno));
    data_ = static_cast<unsigned char*>(p);
    std::memset(data_, 0x5a, bytes_);
  }
  ~WorkingSet() {
    if (data_ != nullptr) ::munmap(data_, bytes_);
  }
  WorkingSet(const WorkingSet&) = delete;
  WorkingSet& operator=(const WorkingSet&) = delete;
  // Reads one word of every cache line (lat_ctx sums its array): what the task "does" between switches.
  std::uint64_t touch() const noexcept {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < bytes_; i += kLine) sum += *reinterpret_cast<const volatile std::uint64_t*>(data_ + i);
    return sum;
  }

 private:
  std::size_t bytes_;
  unsigned char* data_ = nullptr;
};

// The sum goes here so the compiler cannot drop the reads.
std::atomic<std::uint64_t> g_sink{0};

class WsPingPong final : public Session {
 public:
  WsPingPong(std::size_t bytes, int cpu) : a_ws_(bytes), b_ws_(bytes), caller_(this_task()) {
    Pipe to_b = make_pipe(), to_a = make_pipe();
    const int in = to_b.read_end.get(), out = to_a.write_end.get();
    const int a_write = to_b.write_end.get(), a_read = to_a.read_end.get();
    const WorkingSet* ws = &b_ws_;  // the child's copy: only it ever reads these pages
    // The partner B: the pipe probes' relay with a read of its own working set between read and write.
    partner_ = Partner::process(
        cpu,
        [in, out, ws] {
          std::uint64_t sum = 0;
          const int rc = relay_bytes(in, out, [&sum, ws] { sum += ws->touch(); });
          g_sink.fetch_add(sum, std::memory_order_relaxed);
          return rc;
        },
        Partner::closing({a_write, a_read}));
    to_b.read_end.reset();
    to_a.write_end.reset();
    a_write_ = std::move(to_b.write_end);
    a_read_ = std::move(to_a.read_end);
  }
  ~WsPingPong() override {
    a_write_.reset();
    partner_.stop();
  }
  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    OpGuard guard(broken_);
    std::uint64_t sum = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      sum += a_ws_.touch();
      byte_round_trip(a_write_.get(), a_read_.get());
    }
    g_sink.fetch_add(sum, std::memory_order_relaxed);
    guard.done();
  }
  std::vector<TaskId> tasks() const override { return {caller_, partner_.task()}; }

 private:
  WorkingSet a_ws_, b_ws_;
  TaskId caller_;
  UniqueFd a_write_, a_read_;
  Partner partner_;
  bool broken_ = false;
};

std::string ws_text(std::size_t bytes) {
  if (bytes >= (1u << 20)) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " B";
}

}  // namespace

const std::vector<std::size_t>& working_set_sizes() {
  static const std::vector<std::size_t> sizes = {0, 16u << 10, 64u << 10, 256u << 10, 1u << 20, 4u << 20, 16u << 20};
  return sizes;
}

void add_ctxswitch_ws_probes(ProbeTable& table, const ProbeTableConfig&) {
  for (std::size_t bytes : working_set_sizes()) {
    const std::string param = "/ws:" + std::to_string(bytes);
    // The representative step in the default suite: 1 MiB, past L2 on most machines.
    const std::vector<std::string> suites =
        bytes == (1u << 20) ? std::vector<std::string>{"default", "ctxswitch"} : std::vector<std::string>{"ctxswitch"};
    {
      ProbeInfo info;
      info.name = "ctxswitch.ws.self" + param;
      info.family = "ctxswitch";
      info.params = {{"ws", std::to_string(bytes)}};
      info.op = "one task reads one word of every cache line of its own " + ws_text(bytes) +
                " array, writes 1 B to a pipe and reads it back: the work of one side of "
                "ctxswitch.ws.process with no switch (subtracted twice by its per_switch figure)";
      info.where.kinds = {PlacementKind::None};
      info.suites = suites;
      table.push_back(std::make_unique<SimpleProbe>(std::move(info), [bytes](const Placement&) {
        auto ws = std::make_shared<WorkingSet>(bytes);
        auto pipe = std::make_shared<Pipe>(make_pipe());
        return make_loop_session([ws, pipe] {
          g_sink.fetch_add(ws->touch(), std::memory_order_relaxed);
          byte_round_trip(pipe->write_end.get(), pipe->read_end.get());
        });
      }));
    }
    ProbeInfo info;
    info.measure = Measure::RoundTrip;
    info.name = "ctxswitch.ws.process" + param;
    info.family = "ctxswitch";
    info.params = {{"ws", std::to_string(bytes)}};
    info.op =
        "one round trip between two processes on one CPU, each reading one word of every cache line of "
        "its own " +
        ws_text(bytes) +
        " array before passing 1 B on through a pipe (lmbench lat_ctx -s): 2 context switches, each "
        "followed by the refill of what the other task evicted";
    info.where.kinds = {PlacementKind::SameCpu};
    info.expected_switches_per_op = 2;
    // --explain: the switch is in the pipe calls' phases and the switched-in one, the array walk with its
    // refill in user_space (docs/METHODOLOGY.md, "Where the time went").
    info.explainable = true;
    info.suites = suites;
    table.push_back(
        std::make_unique<SimpleProbe>(std::move(info), [bytes](const Placement& p) -> std::unique_ptr<Session> {
          return std::make_unique<WsPingPong>(bytes, partner_cpu(p));
        }));
  }
}

}  // namespace ctxbench
