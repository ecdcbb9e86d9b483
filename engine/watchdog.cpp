// The per-probe watchdog (watchdog.hpp). The signal handler touches only lock-free atomics and calls
// only async-signal-safe functions (clock_gettime, write, kill via kill_registered_children, _exit).
#include "engine/watchdog.hpp"

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>

#include "engine/os.hpp"

namespace ctxbench {

namespace {

// 100 ms between kicks after the deadline (or after a stop request): short enough that a call entered
// just after one kick waits at most that long, long enough to cost nothing.
constexpr long kKickNs = 100'000'000;

std::atomic<bool> g_armed{false};
std::atomic<bool> g_passed{false};
std::atomic<std::uint64_t> g_deadline_ns{0};
std::atomic<std::uint64_t> g_hard_deadline_ns{0};
std::atomic<std::uint64_t> g_timeout_ns{0};
// The live timer, for the stop handler's kick; valid while g_timer_live.
timer_t g_timer{};
std::atomic<bool> g_timer_live{false};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

void say(const char* s) {
  ssize_t r = ::write(STDERR_FILENO, s, std::strlen(s));
  (void)r;
}

extern "C" void watchdog_signal_handler(int) {
  const int saved_errno = errno;
  if (g_armed.load(std::memory_order_acquire)) {
    const std::uint64_t now = now_ns();
    if (now >= g_deadline_ns.load(std::memory_order_relaxed)) g_passed.store(true, std::memory_order_release);
    if (now >= g_hard_deadline_ns.load(std::memory_order_relaxed)) {
      say("ctxbench: a probe did not stop within its grace period after --timeout; killing its tasks and "
          "exiting 124 (the JSON file holds the probes finished before it)\n");
      kill_all_registered_children();
      _exit(124);
    }
  }
  errno = saved_errno;  // the interrupted code must see its own errno (EINTR comes from the kernel)
}

void install_handler_once() {
  static const bool installed = [] {
    struct sigaction sa {};
    sa.sa_handler = watchdog_signal_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: the blocked call must return EINTR
    if (sigaction(SIGALRM, &sa, nullptr) != 0)
      throw ProbeError(std::string("sigaction(SIGALRM): ") + std::strerror(errno));
    return true;
  }();
  (void)installed;
}

itimerspec spec_ns(std::uint64_t first_ns, long every_ns) {
  itimerspec its{};
  its.it_value.tv_sec = static_cast<time_t>(first_ns / 1'000'000'000ULL);
  its.it_value.tv_nsec = static_cast<long>(first_ns % 1'000'000'000ULL);
  its.it_interval.tv_sec = 0;
  its.it_interval.tv_nsec = every_ns;
  return its;
}

}  // namespace

bool deadline_passed() { return g_passed.load(std::memory_order_acquire); }

bool interrupt_pending() { return stop_requested() || deadline_passed(); }

void throw_if_deadline_passed() {
  if (!deadline_passed()) return;
  const std::uint64_t s = g_timeout_ns.load() / 1'000'000'000ULL;
  throw ProbeTimeout("timed out: the probe ran longer than --timeout " + std::to_string(s) +
                     " s (a partner task hung or deadlocked); its tasks were killed and reaped");
}

void watchdog_kick_on_stop() noexcept {
  // From the SIGINT/SIGTERM handler: timer_settime is async-signal-safe. Kicks every 100 ms so a
  // blocking call entered just after the stop signal still returns EINTR and sees the flag.
  if (!g_timer_live.load(std::memory_order_acquire)) return;
  const itimerspec its = spec_ns(static_cast<std::uint64_t>(kKickNs), kKickNs);
  timer_settime(g_timer, 0, &its, nullptr);
}

ProbeWatchdog::ProbeWatchdog(std::uint64_t timeout_ns, std::uint64_t grace_ns) {
  if (timeout_ns == 0) return;
  install_handler_once();
  sigevent sev{};
  sev.sigev_notify = SIGEV_THREAD_ID;  // this thread: the one blocked in the probe, not a partner
  sev.sigev_signo = SIGALRM;
  sev._sigev_un._tid = gettid_now();
  timer_t timer{};
  if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0)
    throw ProbeError(std::string("timer_create (watchdog): ") + std::strerror(errno));
  const std::uint64_t now = now_ns();
  g_timeout_ns.store(timeout_ns);
  g_deadline_ns.store(now + timeout_ns);
  g_hard_deadline_ns.store(now + timeout_ns + grace_ns);
  g_passed.store(false);
  g_timer = timer;
  g_timer_live.store(true, std::memory_order_release);
  g_armed.store(true, std::memory_order_release);
  const itimerspec its = spec_ns(timeout_ns, kKickNs);
  if (timer_settime(timer, 0, &its, nullptr) != 0) {
    const int err = errno;
    g_armed.store(false);
    g_timer_live.store(false);
    timer_delete(timer);
    throw ProbeError(std::string("timer_settime (watchdog): ") + std::strerror(err));
  }
  armed_ = true;
}

ProbeWatchdog::~ProbeWatchdog() {
  if (!armed_) return;
  // Block SIGALRM while the timer goes away so the handler never sees a half-cleared state.
  sigset_t alrm, old;
  sigemptyset(&alrm);
  sigaddset(&alrm, SIGALRM);
  pthread_sigmask(SIG_BLOCK, &alrm, &old);
  g_armed.store(false, std::memory_order_release);
  g_timer_live.store(false, std::memory_order_release);
  timer_delete(g_timer);
  // A tick already queued for this thread is harmless (the handler does nothing while disarmed); take
  // it now so it does not interrupt a later call for nothing.
  timespec zero{};
  while (sigtimedwait(&alrm, nullptr, &zero) == SIGALRM) {
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  g_passed.store(false, std::memory_order_release);
}

StopSignalsBlocked::StopSignalsBlocked() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGALRM);
  pthread_sigmask(SIG_BLOCK, &s, &old_);
}

StopSignalsBlocked::~StopSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

}  // namespace ctxbench
