// test.*: probes that misbehave on purpose, for the watchdog and kill-matrix tests. Compiled only with the
// CMake option CTXBENCH_TEST_PROBES, and in the table only when its config asks (ProbeTableConfig in
// registry.hpp; ctxbench asks when the environment has CTXBENCH_TEST_PROBES=1), so no normal run or
// --list sees them.
//
//   test.hang.process  the partner process takes the first byte and never answers (a hung partner)
//   test.hang.thread   the same with a partner thread (it still honours its stop request: EOF)
//   test.crash.segv    the partner process dies of SIGSEGV on the first op
//   test.crash.abort   the partner process calls abort() on the first op
//   test.crash.measuring_process  the measuring process itself dies of SIGSEGV on the first op, with
//                      a live partner process that must die with it
//   test.noop          a one-task op that does nothing: the probe after a crash must still be ok
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "engine/partner.hpp"
#include "engine/probe_util.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

enum class Misbehaviour { Hang, Segv, Abort };

// Reads one byte, then misbehaves. Raw syscalls only: it runs in a forked child or a partner thread.
int bad_partner(int in, Misbehaviour how) noexcept {
  char c = 0;
  if (read_full(in, &c, 1, always_retry) != 0) return 0;  // EOF before the first op: the session went away
  switch (how) {
    case Misbehaviour::Segv:
      // Default disposition first: a sanitizer runtime's SEGV handler would turn it into an abort.
      ::signal(SIGSEGV, SIG_DFL);
      ::raise(SIGSEGV);  // dies of the signal, as a real crash would
      return 1;
    case Misbehaviour::Abort:
      std::abort();
    case Misbehaviour::Hang:
      break;
  }
  // Never answer; return only at EOF (the session closed its end), which a thread needs to be joined.
  for (;;) {
    const ssize_t r = ::read(in, &c, 1);
    if (r == 0 || (r < 0 && errno != EINTR)) return 0;
  }
}

class BadSession final : public Session {
 public:
  BadSession(bool process, Misbehaviour how) : caller_(this_task()) {
    Pipe to_b = make_pipe();
    Pipe to_a = make_pipe();
    auto in = std::make_shared<UniqueFd>(std::move(to_b.read_end));
    const int a_write = to_b.write_end.get(), a_read = to_a.read_end.get();
    partner_ = Partner::start(
        process, -1, [in, how] { return bad_partner(in->get(), how); }, [this] { a_write_.reset(); },
        Partner::closing({a_write, a_read}));
    a_write_ = std::move(to_b.write_end);
    a_read_ = std::move(to_a.read_end);
    b_write_ = std::move(to_a.write_end);  // kept open by us: the partner never writes, EOF never comes
  }
  ~BadSession() override {
    a_write_.reset();
    partner_.stop();
  }

  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    char c = 'x';
    for (std::uint64_t i = 0; i < n; ++i) {
      write_all(a_write_.get(), &c, 1);
      // The answer never comes: either the partner hangs (the watchdog ends this) or it died, which the
      // crash variants notice by polling the child between short waits.
      for (;;) {
        throw_if_stopped();
        if (partner_.exited()) throw ProbeError(partner_death());
        ::usleep(10'000);  // EINTR from the watchdog or a stop signal lands on the check above
      }
    }
  }

  std::vector<TaskId> tasks() const override { return {caller_, partner_.task()}; }

 private:
  std::string partner_death() {
    const int status = partner_.status();
    if (WIFSIGNALED(status)) return "partner process died of signal " + signal_text(WTERMSIG(status));
    return "partner process exited";
  }

  TaskId caller_;
  UniqueFd a_write_, a_read_, b_write_;
  Partner partner_;
};

std::unique_ptr<Probe> make_bad_probe(const char* name, const char* op, bool process, Misbehaviour how) {
  ProbeInfo info;
  info.name = name;
  info.family = "test";
  info.op = op;
  info.where.kinds = {PlacementKind::Unpinned};
  return std::make_unique<SimpleProbe>(std::move(info), [process, how](const Placement&) -> std::unique_ptr<Session> {
    return std::make_unique<BadSession>(process, how);
  });
}

// The measuring process crashes: what a probe bug (a stray pointer, a failed assertion) does to it.
class CrashingSession final : public Session {
 public:
  CrashingSession() : caller_(this_task()) {
    // A partner that only waits: it must not outlive the crashed process (PR_SET_PDEATHSIG).
    child_ = Child::spawn([] {
      for (;;) ::pause();
      return 0;
    });
  }
  void run_ops(std::uint64_t) override {
    // Default disposition first: a sanitizer runtime's SEGV handler would turn it into an abort.
    ::signal(SIGSEGV, SIG_DFL);
    ::raise(SIGSEGV);
  }
  std::vector<TaskId> tasks() const override { return {caller_}; }

 private:
  TaskId caller_;
  Child child_;
};

class NoopSession final : public Session {
 public:
  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    for (std::uint64_t i = 0; i < n; ++i) counter_ = counter_ + 1;
  }
  std::vector<TaskId> tasks() const override { return {this_task()}; }

 private:
  volatile std::uint64_t counter_ = 0;
};

template <class S>
std::unique_ptr<Probe> make_one_task_test_probe(const char* name, const char* op) {
  ProbeInfo info;
  info.name = name;
  info.family = "test";
  info.op = op;
  info.where.kinds = {PlacementKind::None};
  return std::make_unique<SimpleProbe>(
      std::move(info), [](const Placement&) -> std::unique_ptr<Session> { return std::make_unique<S>(); });
}

}  // namespace

void add_test_probes(ProbeTable& t, const ProbeTableConfig& config) {
  if (!config.test_probes) return;
  t.push_back(
      make_bad_probe("test.hang.process", "test only: a partner process that never answers", true, Misbehaviour::Hang));
  t.push_back(
      make_bad_probe("test.hang.thread", "test only: a partner thread that never answers", false, Misbehaviour::Hang));
  t.push_back(
      make_bad_probe("test.crash.segv", "test only: a partner process that dies of SIGSEGV", true, Misbehaviour::Segv));
  t.push_back(
      make_bad_probe("test.crash.abort", "test only: a partner process that calls abort()", true, Misbehaviour::Abort));
  t.push_back(make_one_task_test_probe<CrashingSession>(
      "test.crash.measuring_process", "test only: the measuring process dies of SIGSEGV on the first op"));
  t.push_back(make_one_task_test_probe<NoopSession>("test.noop", "test only: an op that does nothing"));
}

}  // namespace ctxbench
