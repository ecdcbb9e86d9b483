// The per-probe watchdog (--timeout): a probe whose partner hangs or deadlocks must become a `failed`
// result with the reason, its tasks killed and reaped, and the run must go on. It never hangs a CI job.
//
// How: a POSIX timer aimed at the thread that drives the probe (SIGEV_THREAD_ID). When the deadline
// passes, its SIGALRM handler only sets a flag; throw_if_stopped() (os.hpp) then throws ProbeTimeout,
// and the blocked read/futex/waitpid/spin loops reach it because the signal is delivered without
// SA_RESTART (EINTR). The timer keeps firing every 100 ms after the deadline, so a call entered just
// after a tick is interrupted too. If the probe still has not returned `grace` after the deadline (a
// partner thread that ignores its stop request cannot be killed), the handler kills every registered
// child and exits 124: ending the run is better than hanging the job.
#pragma once

#include <signal.h>

#include <cstdint>

#include "engine/probe.hpp"

namespace ctxbench {

// The probe ran past its --timeout: a ProbeError, so the runner records "failed" with this reason.
class ProbeTimeout : public ProbeError {
 public:
  using ProbeError::ProbeError;
};

// True once the armed watchdog's deadline has passed (async-signal-safe read of an atomic).
bool deadline_passed();
// stop_requested() || deadline_passed(): a blocked call that got EINTR must give up.
bool interrupt_pending();
// Throws ProbeTimeout when the deadline has passed. Called by throw_if_stopped().
void throw_if_deadline_passed();
// Called by the SIGINT/SIGTERM handler on the first signal: while a watchdog timer exists, make it fire
// every 100 ms so a blocking call entered just after the signal still returns EINTR. Signal-safe.
void watchdog_kick_on_stop() noexcept;

// How long a probe past its deadline gets to stop before its tasks are killed and the process exits 124.
inline constexpr std::uint64_t kWatchdogGraceNs = 10'000'000'000ULL;

// Arms the watchdog for the calling thread for `timeout_ns` (0: no watchdog) and disarms it, clearing
// the flag, when destroyed. One at a time per process (the runner runs one probe at a time).
class ProbeWatchdog {
 public:
  explicit ProbeWatchdog(std::uint64_t timeout_ns, std::uint64_t grace_ns = kWatchdogGraceNs);
  ~ProbeWatchdog();
  ProbeWatchdog(const ProbeWatchdog&) = delete;
  ProbeWatchdog& operator=(const ProbeWatchdog&) = delete;

 private:
  bool armed_ = false;
};

// Blocks SIGINT/SIGTERM/SIGALRM for the calling thread while it lives; a signal that arrives meanwhile
// stays pending and is handled when the scope ends. Two uses: the JSON rewrite between probes must not
// be cut by the second-signal emergency exit, which would leave a temp file behind; and creation probes
// hold one around each batch so every thread they create inherits the blocked mask, keeping these
// signals on the thread that checks the stop flag (under TSan a signal delivered to a short-lived thread
// that exits before its next intercepted call can be lost, and the run would never stop).
class StopSignalsBlocked {
 public:
  StopSignalsBlocked();
  ~StopSignalsBlocked();
  StopSignalsBlocked(const StopSignalsBlocked&) = delete;
  StopSignalsBlocked& operator=(const StopSignalsBlocked&) = delete;

 private:
  sigset_t old_;
};

}  // namespace ctxbench
