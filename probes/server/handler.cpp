// The request handler shared by every server model, and the two ways of running it on a connection
// (blocking read/handle/write, or non-blocking as data arrives).
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "probes/server/server.hpp"

namespace ctxbench::server {

namespace {

// A dependent multiply-add chain: no memory traffic, cannot be vectorised or skipped, so its time per
// iteration is stable and the calibration holds for the whole run.
std::uint64_t spin(std::uint64_t iterations, std::uint64_t seed) {
  std::uint64_t x = seed | 1;
  for (std::uint64_t i = 0; i < iterations; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    asm volatile("" : "+r"(x));
  }
  return x;
}

// Iterations of spin() per work_ns: the fastest of several timed runs (interruptions only add time).
std::uint64_t calibrate(std::uint64_t work_ns) {
  if (work_ns == 0) return 0;
  constexpr std::uint64_t kTrial = 200'000;
  std::uint64_t best = ~0ULL;
  for (int i = 0; i < 7; ++i) {
    const std::uint64_t t0 = now_ns();
    spin(kTrial, t0);
    best = std::min(best, std::max<std::uint64_t>(now_ns() - t0, 1));
  }
  return std::max<std::uint64_t>(1, work_ns * kTrial / best);
}

}  // namespace

RequestCounters::RequestCounters() : mapping_((kSlots + 1) * sizeof(Slot)) {
  for (unsigned i = 0; i <= kSlots; ++i) new (&slots()[i]) Slot();
}

std::uint64_t RequestCounters::total() const {
  std::uint64_t sum = 0;
  for (unsigned i = 0; i < kSlots; ++i) sum += slots()[i].value.load(std::memory_order_relaxed);
  return sum;
}

Handler::Handler(std::uint64_t work_ns, std::size_t ws_bytes)
    : spin_iterations_(calibrate(work_ns)), ws_bytes_(ws_bytes) {
  // Tests only: a server that corrupts every Nth reply proves the client's check catches it.
  if (const char* every = std::getenv("CTXBENCH_SERVER_CORRUPT_EVERY"))
    corrupt_every_ = std::strtoull(every, nullptr, 10);
}

Message Handler::handle(const Message& request, std::byte* working_set) {
  Message reply;
  reply.seq = request.seq;
  reply.connection = request.connection;
  reply.check = reply_check(request.seq, request.connection);
  if (corrupt_every_ > 0 && request.seq % corrupt_every_ == 0) reply.check ^= 1;
  reply.pad[0] = spin(spin_iterations_, request.seq);
  // One read-modify-write per cache line: the working set a connection's state would drag back into
  // the cache after the server ran other connections.
  for (std::size_t i = 0; i < ws_bytes_; i += 64)
    working_set[i] = std::byte(std::to_integer<unsigned>(working_set[i]) + 1);
  return reply;
}

Connection::Connection(int fd_, std::size_t ws_bytes, unsigned slot_) : fd(fd_), slot(slot_) {
  if (ws_bytes > 0) {
    working_set.reset(new std::byte[ws_bytes]);
    std::memset(working_set.get(), 0, ws_bytes);  // resident from the start, not faulted in per request
  }
}

Connection::~Connection() {
  if (fd >= 0) ::close(fd);
}

bool read_message(int fd, Message& m) {
  auto* p = reinterpret_cast<char*>(&m);
  std::size_t got = 0;
  while (got < sizeof m) {
    const ssize_t r = ::read(fd, p + got, sizeof m - got);
    if (r > 0) {
      got += static_cast<std::size_t>(r);
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}

bool write_message(int fd, const Message& m) {
  const auto* p = reinterpret_cast<const char*>(&m);
  std::size_t put = 0;
  while (put < sizeof m) {
    const ssize_t w = ::send(fd, p + put, sizeof m - put, MSG_NOSIGNAL);
    if (w > 0) {
      put += static_cast<std::size_t>(w);
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}

void serve_blocking(Connection& c, Handler& handler) {
  Message request;
  while (read_message(c.fd, request)) {
    const Message reply = handler.handle(request, c.working_set.get());
    // Counted before the reply leaves: when the client has every reply, the server's count has them all
    // (its snapshots are taken with no request outstanding, so the two counts then agree exactly).
    handler.counters().add(c.slot);
    if (!write_message(c.fd, reply)) return;
  }
}

bool serve_ready(Connection& c, Handler& handler) {
  for (;;) {
    auto* p = reinterpret_cast<char*>(&c.request);
    const ssize_t r = ::read(c.fd, p + c.filled, sizeof c.request - c.filled);
    if (r == 0) return false;
    if (r < 0) return errno == EAGAIN || errno == EINTR;
    c.filled += static_cast<std::size_t>(r);
    if (c.filled < sizeof c.request) continue;
    c.filled = 0;
    const Message reply = handler.handle(c.request, c.working_set.get());
    handler.counters().add(c.slot);  // before the reply, as in serve_blocking
    if (!write_message(c.fd, reply)) return false;
  }
}

}  // namespace ctxbench::server
