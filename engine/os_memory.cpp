// Shared anonymous mappings and futex waits and wakes (os.hpp). Everything here either returns, throws
// ProbeError/ProbeSkip/Interrupted, or — in a forked child and in the signal handler — only calls async-signal-safe
// functions and _exits.
#include "engine/os.hpp"
#include "engine/os_internal.hpp"

namespace ctxbench {

using namespace os_detail;

// ---------------------------------------------------------------- shared memory and futex

SharedMapping::SharedMapping(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw_errno("mmap(MAP_SHARED|MAP_ANONYMOUS)");
  addr_ = p;
  bytes_ = bytes;
}

SharedMapping::SharedMapping(SharedMapping&& o) noexcept : addr_(o.addr_), bytes_(o.bytes_) {
  o.addr_ = nullptr;
  o.bytes_ = 0;
}

SharedMapping& SharedMapping::operator=(SharedMapping&& o) noexcept {
  if (this != &o) {
    if (addr_ != nullptr) ::munmap(addr_, bytes_);
    addr_ = o.addr_;
    bytes_ = o.bytes_;
    o.addr_ = nullptr;
    o.bytes_ = 0;
  }
  return *this;
}

SharedMapping::~SharedMapping() {
  if (addr_ != nullptr) ::munmap(addr_, bytes_);
}

namespace {
// std::atomic<uint32_t> is a plain 32-bit word (checked below), so the kernel may wait on its address.
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

long futex_call(std::atomic<std::uint32_t>* word, int op, std::uint32_t val, const timespec* timeout) {
  return ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op, val, timeout, nullptr, 0);
}
}  // namespace

int futex_wait_errno(std::atomic<std::uint32_t>* word, std::uint32_t expected, bool shared,
                     std::uint64_t timeout_ns) noexcept {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout_ns / 1000000000ull);
  ts.tv_nsec = static_cast<long>(timeout_ns % 1000000000ull);
  const int op = shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE;
  return futex_call(word, op, expected, timeout_ns == 0 ? nullptr : &ts) == 0 ? 0 : errno;
}

int futex_wake_errno(std::atomic<std::uint32_t>* word, bool shared) noexcept {
  return futex_call(word, shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, 1, nullptr) < 0 ? errno : 0;
}

bool futex_wait_for(std::atomic<std::uint32_t>* word, std::uint32_t expected, bool shared, std::uint64_t timeout_ns) {
  switch (const int err = futex_wait_errno(word, expected, shared, timeout_ns)) {
    case 0:
    case EAGAIN:  // the word had already changed
    case EINTR:   // a signal: the caller checks stop_requested()
      return true;
    case ETIMEDOUT:
      return false;
    default:
      throw_errno(shared ? "futex(FUTEX_WAIT)" : "futex(FUTEX_WAIT_PRIVATE)", err);
  }
}

void futex_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected, bool shared) {
  futex_wait_for(word, expected, shared, 0);
}

void futex_wake(std::atomic<std::uint32_t>* word, bool shared) {
  if (const int err = futex_wake_errno(word, shared); err != 0) {
    throw_errno(shared ? "futex(FUTEX_WAKE)" : "futex(FUTEX_WAKE_PRIVATE)", err);
  }
}

}  // namespace ctxbench
