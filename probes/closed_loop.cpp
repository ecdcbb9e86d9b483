#include "probes/closed_loop.hpp"

#include <time.h>

#include <cstddef>
#include <string>

#include "engine/os.hpp"

namespace ctxbench {

namespace {

std::uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace

void set_closed_loop_explain(ProbeInfo& info, int connections) {
  if (connections == 1) {
    info.explainable = true;
    info.explain_other_side = "server";
    return;
  }
  info.explain_why_not_key = "overlapping_requests";
  info.explain_why_not =
      "with " + std::to_string(connections) +
      " connections the requests overlap: the one client thread reads whichever reply is ready, and a "
      "request's time is mostly queueing behind the other connections' requests, so its window has no single "
      "critical path to split; the connections:1 record of the same model and scenario is explained";
}

void ClosedLoopSession::run_ops(std::uint64_t n) {
  const std::uint64_t target = completions_ + n;
  pump([&] { return completions_ >= target; });
}

void ClosedLoopSession::completed(std::uint64_t started_at) {
  if (started_at >= window_opened_at_) {
    // Only whole clears happen to latencies_, so its values are the newest windows: drop the older ones.
    windows_.erase(windows_.begin(), windows_.end() - static_cast<std::ptrdiff_t>(2 * latencies_.size()));
    const std::uint64_t now = now_ns();
    latencies_.push_back(static_cast<double>(now - started_at));
    windows_.push_back(started_at);
    windows_.push_back(now);
  }
  ++completions_;
}

std::vector<std::uint64_t> ClosedLoopSession::own_windows() const {
  return {windows_.end() - static_cast<std::ptrdiff_t>(2 * latencies_.size()), windows_.end()};
}

void ClosedLoopSession::pump_until_every_connection_answers() {
  std::vector<std::uint64_t> wanted;
  for (std::size_t i = 0; i < connection_count(); ++i) wanted.push_back(answered(i) + 1);
  std::size_t next = 0;  // connections before it have answered
  pump([&] {
    while (next < wanted.size() && answered(next) >= wanted[next]) ++next;
    return next == wanted.size();
  });
}

void ClosedLoopSession::drain() {
  draining_ = true;
  pump([this] {
    for (std::size_t i = 0; i < connection_count(); ++i)
      if (outstanding(i)) return false;
    return true;
  });
}

ClosedLoopSession::Window ClosedLoopSession::window(bool closing, const std::function<void()>& snapshot) {
  Window w;
  if (!closing) {
    drain();
    snapshot();
    const std::uint64_t served = completions_;
    draining_ = false;
    for (std::size_t i = 0; i < connection_count(); ++i) restart(i);
    pump_until_every_connection_answers();
    window_opened_at_ = now_ns();
    w = {window_opened_at_, thread_cpu_ns(), completions_, served};
    latencies_.clear();  // the drain and the first round are not the window
  } else {
    w = {now_ns(), thread_cpu_ns(), completions_, 0};
    drain();
    snapshot();
    w.served = completions_;
  }
  return w;
}

}  // namespace ctxbench
