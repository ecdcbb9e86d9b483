// The stop flag, the stop signal handlers and the registry of live children (os.hpp). Everything here either returns,
// throws ProbeError/ProbeSkip/Interrupted, or — in a forked child and in the signal handler — only calls
// async-signal-safe functions and _exits.
#include "engine/os.hpp"
#include "engine/os_internal.hpp"

namespace ctxbench {

using namespace os_detail;

// ---------------------------------------------------------------- stop flag and child registry

namespace {

// The signal number that requested the stop, 0 if none. A plain lock-free atomic: the only state the
// signal handler touches besides the child registry.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<bool> g_second_signal_exits{true};

// Live children, for the emergency path of the handler (second signal): it cannot take a lock or
// allocate, so this is a fixed array of lock-free slots; 0 means free. With more live children than
// slots the extra ones are simply not tracked — PR_SET_PDEATHSIG still kills them when we exit.
constexpr std::size_t kChildSlots = 4096;
std::atomic<pid_t> g_children[kChildSlots];
static_assert(std::atomic<pid_t>::is_always_lock_free);

void kill_registered_children() noexcept {
  for (auto& slot : g_children) {
    pid_t p = slot.load(std::memory_order_acquire);
    if (p > 0) ::kill(p, SIGKILL);
  }
}

extern "C" void stop_signal_handler(int sig) {
  int saved_errno = errno;  // kill() may change errno under the interrupted code
  int expected = 0;
  if (!g_stop_signal.compare_exchange_strong(expected, sig)) {
    if (!g_second_signal_exits.load(std::memory_order_relaxed)) {
      errno = saved_errno;
      return;
    }
    // Second signal: the user means it. Do not wait for cleanup that may be stuck.
    kill_registered_children();
    _exit(128 + sig);
  }
  watchdog_kick_on_stop();  // keeps kicking a blocked call until the probe has stopped
  errno = saved_errno;
}

}  // namespace

bool stop_requested() { return g_stop_signal.load(std::memory_order_relaxed) != 0; }
int stop_signal() { return g_stop_signal.load(std::memory_order_relaxed); }
void request_stop(int sig) {
  int expected = 0;
  g_stop_signal.compare_exchange_strong(expected, sig == 0 ? SIGTERM : sig);
}
void reset_stop_for_tests() { g_stop_signal.store(0); }
void set_second_stop_signal_exits(bool exits) { g_second_signal_exits.store(exits); }
void throw_if_stopped() {
  if (stop_requested()) throw Interrupted();
  throw_if_deadline_passed();  // --timeout: a ProbeTimeout, i.e. this probe fails and the run goes on
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = stop_signal_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked read/futex/waitpid returns EINTR and sees the flag
  if (sigaction(SIGINT, &sa, nullptr) != 0) throw_errno("sigaction(SIGINT)");
  if (sigaction(SIGTERM, &sa, nullptr) != 0) throw_errno("sigaction(SIGTERM)");
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  if (sigaction(SIGPIPE, &ign, nullptr) != 0) throw_errno("sigaction(SIGPIPE)");
}

void kill_all_registered_children() noexcept { kill_registered_children(); }

std::string signal_text(int sig) {
  const char* name = ::sigdescr_np(sig);
  return std::to_string(sig) + " (" + (name != nullptr ? name : "unknown") + ")";
}

void register_child(pid_t pid) {
  if (pid <= 0) return;
  for (auto& slot : g_children) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, pid, std::memory_order_acq_rel)) return;
  }
}

void unregister_child(pid_t pid) {
  if (pid <= 0) return;
  for (auto& slot : g_children) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) return;
  }
}

}  // namespace ctxbench
